/** P2/M12: pure rules of the patient portal. */

/** M12: a sensitive message shows for this long after the patient last entered their password. */
export const reauthWindowMs = 5 * 60 * 1000;

export const reauthValid = (reauthAt: Date | null, now: Date) => reauthAt !== null && now.getTime() - reauthAt.getTime() < reauthWindowMs;

/** A portal invitation link works for a week, once. */
export const invitationLifetimeMs = 7 * 24 * 60 * 60 * 1000;

/** Portal sessions: 30 minutes idle, 12 hours in all. */
export const portalIdleMs = 30 * 60 * 1000;
export const portalLifetimeMs = 12 * 60 * 60 * 1000;

export const portalSessionLive = (s: { lastSeenAt: Date; expiresAt: Date }, now: Date) => now < s.expiresAt && now.getTime() - s.lastSeenAt.getTime() < portalIdleMs;

/**
 * M3 as the patient sees the clinic's messages: `sent` once stored, `delivered` once their portal
 * fetched it, `read` once they opened the thread. A sensitive message counts as read only once shown.
 */
export function portalStatusAfterFetch(status: string): 'delivered' | null {
  return status === 'sent' ? 'delivered' : null;
}

/** The patient's own messages, as they see them: delivered to the clinic's inbox, then read by the team. */
export const ownMessageStatus = (status: string): 'delivered' | 'read' => (status === 'unread' ? 'delivered' : 'read');
