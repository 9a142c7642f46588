import { describe, expect, it } from 'vitest';
import { isBreachedPassword } from './breached.js';
import { isLocked, lockoutAfter, looksLikeTotp, normalizeRecoveryCode, passwordProblem, sessionIsLive, shouldTouchSession } from './rules.js';

describe('password rules', () => {
  const who = { email: 'olive@example.com', name: 'Olive Owner' };
  it.each([
    ['short', /at least 10/],
    ['x'.repeat(201), /at most 200/],
    ['olive@example.com', /email address or name/],
    ['OLIVE OWNER', /email address or name/],
  ])('refuses %j', (password, reason) => {
    expect(passwordProblem(password, who)).toMatch(reason);
  });
  it('accepts a long passphrase', () => {
    expect(passwordProblem('correct horse battery staple', who)).toBeNull();
  });
  it.each([
    ['password123', true],
    ['Password2024!', true],
    ['qwertyuiop', true],
    ['correct horse battery staple', false],
    ['frontdesk-demo', false],
  ])('breached list: %j → %s', (password, breached) => {
    expect(isBreachedPassword(password)).toBe(breached);
    expect(passwordProblem(password, { ...who, breached: isBreachedPassword }) !== null).toBe(breached);
  });
});

describe('lockout', () => {
  const now = new Date('2026-01-01T10:00:00Z');
  it.each([
    [1, null],
    [4, null],
    [5, '2026-01-01T10:15:00.000Z'],
    [6, '2026-01-01T10:15:00.000Z'],
  ])('%i wrong attempts in a row → locked until %s', (failures, until) => {
    expect(lockoutAfter(failures, now)?.toISOString() ?? null).toBe(until);
  });
  it('a lock holds until its time, not after', () => {
    const until = new Date('2026-01-01T10:15:00Z');
    expect(isLocked(until, new Date('2026-01-01T10:14:59Z'))).toBe(true);
    expect(isLocked(until, until)).toBe(false);
    expect(isLocked(null, now)).toBe(false);
  });
});

describe('second-factor codes', () => {
  it.each([
    ['123456', true],
    ['123 456', true],
    ['12345', false],
    ['abcd-efgh', false],
  ])('%j looks like a TOTP code: %s', (code, totp) => {
    expect(looksLikeTotp(code)).toBe(totp);
  });
  it('recovery codes are typed with or without the dash, in any case', () => {
    expect(normalizeRecoveryCode(' AB2C-D3EF ')).toBe(normalizeRecoveryCode('ab2cd3ef'));
  });
});

describe('session lifetime', () => {
  const start = new Date('2026-01-01T10:00:00Z');
  const session = { lastSeenAt: start, expiresAt: new Date(start.getTime() + 12 * 3600_000) };
  it.each([
    [14 * 60_000, true],
    [15 * 60_000, false],
    [13 * 3600_000, false],
  ])('idle for %i ms → live %s', (ms, live) => {
    expect(sessionIsLive(session, new Date(start.getTime() + ms), 15)).toBe(live);
  });
  it('refreshes last-seen at most once a minute', () => {
    expect(shouldTouchSession(start, new Date(start.getTime() + 30_000))).toBe(false);
    expect(shouldTouchSession(start, new Date(start.getTime() + 61_000))).toBe(true);
  });
});
