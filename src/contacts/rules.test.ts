import { describe, expect, it } from 'vitest';
import { displayPhone } from './display.js';
import { normalizeEmail, normalizePhone, phoneSearchTerms } from './rules.js';

describe('phone normalisation to E.164', () => {
  it.each([
    ['(415) 555-0134', 'US', '+14155550134'],
    ['+1 415 555 0134', 'US', '+14155550134'],
    ['4155550134', 'US', '+14155550134'],
    ['415.555.0134', 'US', '+14155550134'],
    ['1-415-555-0134', 'US', '+14155550134'],
    ['+44 7911 123456', 'US', '+447911123456'],
    ['07911 123456', 'GB', '+447911123456'],
  ])('%s (%s) → %s', (input, country, e164) => {
    expect(normalizePhone(input, country)).toMatchObject({ ok: true, e164 });
  });

  it('tells mobiles from landlines (max metadata)', () => {
    expect(normalizePhone('+447911123456', 'US')).toMatchObject({ ok: true, type: 'mobile' });
    expect(normalizePhone('+442071838750', 'US')).toMatchObject({ ok: true, type: 'fixed_line' });
  });

  it.each([['12'], ['abc'], ['415-555-01x4'], [''], ['+1 020 123 4567']])('refuses %j with a reason', (input) => {
    const result = normalizePhone(input, 'US');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/\w/);
  });
});

describe('phone search terms', () => {
  it.each([
    ['(415) 555-0134', '+14155550134', '4155550134', true],
    ['+1 415 555 0134', '+14155550134', '14155550134', true],
    // Not a number that exists (no 372 area code), but typed as one: still only a phone search.
    ['(372) 000-0643', null, '3720000643', true],
    ['0134', null, '0134', false],
    ['room 1234567', null, null, false],
    ['Maria', null, null, false],
    ['12', null, null, false],
  ])('%j → e164 %j, digits %j, phone only %j', (q, e164, digits, phoneOnly) => {
    expect(phoneSearchTerms(q, 'US')).toEqual({ e164, digits, phoneOnly });
  });
});

describe('email normalisation', () => {
  it.each([
    [' Maria@Example.COM ', 'maria@example.com'],
    ['no-at-sign', null],
    ['two@@example.com', null],
    ['spaces in@example.com', null],
  ])('%j → %j', (input, expected) => {
    expect(normalizeEmail(input)).toBe(expected);
  });
});

describe('phone numbers as people read them (issue 17, defect 8)', () => {
  it('national at home, international abroad, as stored when not a number', () => {
    expect(displayPhone('+14155550134', 'US')).toBe('(415) 555-0134');
    expect(displayPhone('+442079460958', 'US')).toBe('+44 20 7946 0958');
    expect(displayPhone('+442079460958', 'GB')).toBe('020 7946 0958');
    expect(displayPhone('not a number', 'US')).toBe('not a number');
  });
});
