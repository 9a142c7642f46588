import { describe, expect, it } from 'vitest';
import { ownMessageStatus, portalSessionLive, portalStatusAfterFetch, reauthValid } from './rules.js';

describe('portal rules (P2, M12)', () => {
  const now = new Date('2026-11-24T12:00:00Z');
  it('shows sensitive messages for five minutes after the password was entered again', () => {
    expect(reauthValid(null, now)).toBe(false);
    expect(reauthValid(new Date('2026-11-24T11:55:30Z'), now)).toBe(true);
    expect(reauthValid(new Date('2026-11-24T11:55:00Z'), now)).toBe(false);
  });

  it('ends an idle session after 30 minutes, and any after its lifetime', () => {
    expect(portalSessionLive({ lastSeenAt: new Date('2026-11-24T11:40:00Z'), expiresAt: new Date('2026-11-24T20:00:00Z') }, now)).toBe(true);
    expect(portalSessionLive({ lastSeenAt: new Date('2026-11-24T11:29:00Z'), expiresAt: new Date('2026-11-24T20:00:00Z') }, now)).toBe(false);
    expect(portalSessionLive({ lastSeenAt: now, expiresAt: now }, now)).toBe(false);
  });

  it('moves the clinic’s messages to delivered on fetch, never backwards', () => {
    expect(portalStatusAfterFetch('sent')).toBe('delivered');
    expect(portalStatusAfterFetch('queued')).toBeNull();
    expect(portalStatusAfterFetch('read')).toBeNull();
  });

  it('shows the patient their own messages as delivered, then read by the team', () => {
    expect(ownMessageStatus('unread')).toBe('delivered');
    expect(ownMessageStatus('read')).toBe('read');
    expect(ownMessageStatus('replied')).toBe('read');
  });
});
