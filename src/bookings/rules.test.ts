import { describe, expect, it } from 'vitest';
import { attributionSince, conversionRate, monthKey, nextMonth, parseMonth, withRates } from './rules.js';

describe('conversion (P3)', () => {
  it('divides converted by started, rounding, and is 0 for nothing started', () => {
    expect(conversionRate(1, 3)).toBe(0.3333);
    expect(conversionRate(2, 2)).toBe(1);
    expect(conversionRate(0, 0)).toBe(0);
    expect(withRates([{ key: 'sms', conversations: 4, converted: 1 }])).toEqual([{ key: 'sms', conversations: 4, converted: 1, rate: 0.25 }]);
  });

  it('credits a booking to conversations active in the 30 days before it', () => {
    expect(attributionSince(new Date('2026-03-31T12:00:00Z')).toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('reads months as YYYY-MM and steps across years', () => {
    expect(parseMonth('2026-12')?.toISOString()).toBe('2026-12-01T00:00:00.000Z');
    expect(parseMonth('2026-13')).toBeNull();
    expect(parseMonth('26-1')).toBeNull();
    expect(monthKey(nextMonth(parseMonth('2026-12')!))).toBe('2027-01');
  });
});
