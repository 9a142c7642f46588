import { describe, expect, it } from 'vitest';
import { passwordProblem, sessionIsLive, shouldTouchSession } from './rules.js';

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
