import { describe, expect, it } from 'vitest';
import { renderTemplate, unknownPlaceholders } from './rules.js';

const values = { patient: { name: 'Maria del Carmen Gonzalez' }, clinic: { name: 'Riverside Dental', phone: '+14155550100', address: null }, staff: { name: 'Lee' } };

describe('K2 templates', () => {
  it.each([
    ['Hi {{patient.firstName}}, this is {{clinic.name}}.', 'Hi Maria, this is Riverside Dental.'],
    ['{{ patient.lastName }}', 'del Carmen Gonzalez'],
    ['Call {{clinic.phone}} — {{staff.name}}', 'Call +14155550100 — Lee'],
    ['At {{clinic.address}}!', 'At !'],
    ['No placeholders', 'No placeholders'],
    ['{{unknown.thing}} stays', '{{unknown.thing}} stays'],
  ])('%j → %j', (body, expected) => {
    expect(renderTemplate(body, values)).toBe(expected);
  });

  it('names unknown placeholders once each', () => {
    expect(unknownPlaceholders('Hi {{patient.firstname}} {{appointment.time}} {{patient.firstname}} {{clinic.name}}')).toEqual(['patient.firstname', 'appointment.time']);
    expect(unknownPlaceholders('Hi {{patient.firstName}}')).toEqual([]);
  });
});
