import { describe, expect, it } from 'vitest';
import { placeholderLabel, renderTemplate, unfilledPlaceholders, unknownPlaceholders } from './rules.js';

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

  it('keeps a placeholder without a value for the composer, and names what is left unfilled', () => {
    const draft = renderTemplate('Hi {{patient.firstName}}, see you on {{appointment.date}} at {{appointment.time}} ({{clinic.address}}) {{odd}}', values, { keepEmpty: true });
    expect(draft).toBe('Hi Maria, see you on {{appointment.date}} at {{appointment.time}} ({{clinic.address}}) {{odd}}');
    expect(unfilledPlaceholders(draft)).toEqual(['appointment.date', 'appointment.time', 'clinic.address']);
    expect(unfilledPlaceholders('Hi Maria, see you Monday')).toEqual([]);
    expect(placeholderLabel('appointment.date')).toBe('appointment date');
    expect(placeholderLabel('patient.firstName')).toBe('patient first name');
  });
});
