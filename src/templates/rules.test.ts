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

  it('fills in the appointment in the clinic’s time zone, and nothing when there is none', () => {
    const withAppointment = { ...values, clinic: { ...values.clinic, timezone: 'America/Los_Angeles' }, appointment: { startsAt: new Date('2026-03-10T22:15:00Z') } };
    expect(renderTemplate('See you {{appointment.date}} at {{appointment.time}}', withAppointment)).toBe('See you Tuesday, March 10 at 3:15 PM');
    expect(renderTemplate('See you {{appointment.date}} at {{appointment.time}}', { ...values, clinic: { ...values.clinic, timezone: 'Europe/Berlin' }, appointment: { startsAt: new Date('2026-03-10T22:15:00Z') } })).toBe('See you Tuesday, March 10 at 11:15 PM');
    expect(renderTemplate('[{{appointment.time}}]', values)).toBe('[]');
  });

  it('names unknown placeholders once each', () => {
    expect(unknownPlaceholders('Hi {{patient.firstname}} {{appointment.start}} {{patient.firstname}} {{clinic.name}}')).toEqual(['patient.firstname', 'appointment.start']);
    expect(unknownPlaceholders('Hi {{patient.firstName}}')).toEqual([]);
  });
});
