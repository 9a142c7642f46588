import { describe, expect, it } from 'vitest';
import { inQuietHours, minuteOfDay, reminderDue } from './rules.js';

describe('campaign rules (M10)', () => {
  const ny = 'America/New_York';
  it('reads the time of day in the clinic’s zone', () => {
    expect(minuteOfDay(new Date('2026-03-10T13:30:00Z'), ny)).toBe(9 * 60 + 30);
    expect(minuteOfDay(new Date('2026-03-10T04:05:00Z'), ny)).toBe(5); // 0:05, daylight time since March 8
  });

  it.each([
    ['2026-03-10T11:59:00Z', true], // 7:59 in New York
    ['2026-03-10T12:00:00Z', false], // 8:00
    ['2026-03-11T00:59:00Z', false], // 20:59
    ['2026-03-11T01:00:00Z', true], // 21:00
    ['2026-03-11T05:00:00Z', true], // 1:00
  ])('quiet hours 21:00–8:00 at %s → %s', (iso, quiet) => {
    expect(inQuietHours(new Date(iso), ny, 21 * 60, 8 * 60)).toBe(quiet);
  });

  it('handles quiet hours that do not wrap midnight, and none at all', () => {
    expect(inQuietHours(new Date('2026-03-10T17:30:00Z'), ny, 12 * 60, 14 * 60)).toBe(true);
    expect(inQuietHours(new Date('2026-03-10T17:30:00Z'), ny, 0, 0)).toBe(false);
  });

  it('is due from N hours before the appointment until it starts', () => {
    const startsAt = new Date('2026-03-10T15:00:00Z');
    expect(reminderDue(startsAt, 24, new Date('2026-03-09T14:59:00Z'))).toBe(false);
    expect(reminderDue(startsAt, 24, new Date('2026-03-09T15:00:00Z'))).toBe(true);
    expect(reminderDue(startsAt, 24, new Date('2026-03-10T14:59:00Z'))).toBe(true);
    expect(reminderDue(startsAt, 24, startsAt)).toBe(false);
  });
});
