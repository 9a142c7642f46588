import { describe, expect, it } from 'vitest';
import { formatDateTime, formatDuration, formatMoney, formatNumber } from './format.js';

describe('formatting per locale', () => {
  it('money in the currency and the reader’s locale', () => {
    expect(formatMoney(123456, 'USD', 'en-US')).toBe('$1,234.56');
    expect(formatMoney(123456, 'EUR', 'es-ES').replace(/\s/g, ' ')).toBe('1234,56 €');
    expect(formatMoney(1500, 'JPY', 'ja-JP')).toBe('￥1,500');
  });
  it('numbers', () => {
    expect(formatNumber(12345.5, 'en')).toBe('12,345.5');
    expect(formatNumber(12345.5, 'de')).toBe('12.345,5');
  });
  it('dates in the clinic’s zone, not the reader’s', () => {
    const at = '2026-03-04T22:05:00Z';
    expect(formatDateTime(at, 'en-US', 'America/Los_Angeles').replace(/\s/g, ' ')).toBe('Mar 4, 2026, 2:05 PM');
    expect(formatDateTime(at, 'es', 'Europe/Madrid')).toBe('4 mar 2026, 23:05');
  });
  it('durations with the two largest units', () => {
    expect(formatDuration((6 * 24 + 15) * 3_600_000, 'en')).toBe('6 days, 15 hours');
    expect(formatDuration((6 * 24 + 15) * 3_600_000, 'es')).toBe('6 días y 15 horas');
    expect(formatDuration(10_000, 'en')).toBe('1 minute');
    expect(formatDuration((2 * 60 + 5) * 60_000, 'en', { unitDisplay: 'short' })).toBe('2 hr, 5 min');
    expect(formatDuration((2 * 60 + 5) * 60_000, 'es', { unitDisplay: 'short' })).toBe('2 h y 5 min');
    expect(formatDuration(95_000, 'en', { unitDisplay: 'short', smallest: 'second' })).toBe('1 min, 35 sec');
    expect(formatDuration(95_000, 'es', { unitDisplay: 'short', smallest: 'second' })).toBe('1 min y 35 s');
    // A wait in the reports: never "159.1 h".
    expect(formatDuration(159.1 * 3_600_000, 'en', { unitDisplay: 'short' })).toBe('6 days, 15 hr');
    expect(formatDuration(159.1 * 3_600_000, 'es', { unitDisplay: 'short' })).toBe('6 d y 15 h');
    expect(formatDuration(0, 'en', { unitDisplay: 'short', smallest: 'second' })).toBe('0 sec');
  });
});
