import { describe, expect, it } from 'vitest';
import { defaultOpeningHours, hoursText, isOpen, lastClosing, openMinutesBetween, openingHoursProblem, replyDueAt } from './hours.js';

const ny = 'America/New_York';
// 2026-03-02 is a Monday; New York is UTC-5 until DST starts on 2026-03-08.
const at = (iso: string) => new Date(iso);

describe('opening hours and the reply target (B2)', () => {
  it.each([
    ['Monday 10:00', '2026-03-02T15:00:00Z', true],
    ['Monday 7:59', '2026-03-02T12:59:00Z', false],
    ['Monday 17:00', '2026-03-02T22:00:00Z', false],
    ['Saturday noon', '2026-03-07T17:00:00Z', false],
  ])('%s is open: %s', (_, iso, open) => {
    expect(isOpen(at(iso), defaultOpeningHours, ny)).toBe(open);
  });

  it.each([
    ['during hours → that day’s closing', '2026-03-02T15:00:00Z', '2026-03-02T22:00:00.000Z'],
    ['before opening → that day’s closing', '2026-03-02T11:00:00Z', '2026-03-02T22:00:00.000Z'],
    ['after closing → the next day’s closing', '2026-03-02T23:30:00Z', '2026-03-03T22:00:00.000Z'],
    ['Friday evening → Monday’s closing', '2026-03-06T23:00:00Z', '2026-03-09T21:00:00.000Z'], // Monday after DST: UTC-4
  ])('%s', (_, received, due) => {
    expect(replyDueAt(at(received), defaultOpeningHours, ny)?.toISOString()).toBe(due);
  });

  it.each([
    ['within one open day', '2026-03-02T15:00:00Z', '2026-03-02T16:30:00Z', 90],
    ['written before opening: the wait starts at 8:00', '2026-03-02T11:00:00Z', '2026-03-02T13:30:00Z', 30],
    ['overnight: only the open hours count', '2026-03-02T21:00:00Z', '2026-03-03T14:00:00Z', 60 + 60],
    ['over the weekend', '2026-03-06T21:30:00Z', '2026-03-09T12:15:00Z', 30 + 15], // Monday after DST: 8:00 is 12:00Z
    ['nothing while closed', '2026-03-07T15:00:00Z', '2026-03-08T15:00:00Z', 0],
  ])('counts the wait in opening hours: %s', (_, from, to, minutes) => {
    expect(openMinutesBetween(at(from), at(to), defaultOpeningHours, ny)).toBe(minutes);
  });

  it('knows when the clinic last closed, for one after-hours reply a night', () => {
    expect(lastClosing(at('2026-03-03T02:00:00Z'), defaultOpeningHours, ny)?.toISOString()).toBe('2026-03-02T22:00:00.000Z');
    expect(lastClosing(at('2026-03-07T17:00:00Z'), defaultOpeningHours, ny)?.toISOString()).toBe('2026-03-06T22:00:00.000Z');
  });

  it('has no target for a clinic with no hours, and checks hours an admin writes', () => {
    expect(replyDueAt(at('2026-03-02T15:00:00Z'), {}, ny)).toBeNull();
    expect(openingHoursProblem({ mon: [{ open: '09:00', close: '17:30' }] })).toBeNull();
    expect(openingHoursProblem({ mon: [{ open: '17:00', close: '09:00' }] })).toMatch(/opens at 17:00/);
    expect(openingHoursProblem({ funday: [] } as never)).toMatch(/not a weekday/);
    expect(openingHoursProblem({ tue: [{ open: '9', close: '17:00' }] })).toMatch(/HH:MM/);
  });
});

describe('the public page’s opening hours come from the same hours (issue 17, defect 10)', () => {
  it('groups days in a row with the same hours and leaves closed days out', () => {
    expect(hoursText(defaultOpeningHours)).toBe('Mon–Fri 8:00–17:00');
    const week = { ...defaultOpeningHours, sat: [{ open: '09:00', close: '13:00' }] };
    expect(hoursText(week)).toBe('Mon–Fri 8:00–17:00; Sat 9:00–13:00');
    expect(hoursText({ mon: [{ open: '08:00', close: '12:00' }, { open: '13:00', close: '17:00' }], wed: [{ open: '08:00', close: '12:00' }, { open: '13:00', close: '17:00' }] })).toBe('Mon 8:00–12:00, 13:00–17:00; Wed 8:00–12:00, 13:00–17:00');
    expect(hoursText({})).toBeNull();
    expect(hoursText(week, 'es')).toBe('lun–vie 8:00–17:00; sáb 9:00–13:00');
    expect(hoursText(week, 'en-US')).toBe('Mon–Fri 8:00–17:00; Sat 9:00–13:00');
  });
});
