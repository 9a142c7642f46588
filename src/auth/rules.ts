/** Pure rules of signing in. */

export const passwordMinLength = 10;
export const passwordMaxLength = 200;

/** Why a password is refused, or null. Length first; the breached-password check comes with security hardening. */
export function passwordProblem(password: string, context: { email: string; name: string }): string | null {
  if (password.length < passwordMinLength) return `must be at least ${passwordMinLength} characters`;
  if (password.length > passwordMaxLength) return `must be at most ${passwordMaxLength} characters`;
  const lower = password.toLowerCase();
  if (lower === context.email.toLowerCase() || lower === context.name.toLowerCase()) {
    return 'must not be your email address or name';
  }
  return null;
}

/** A session lives while used: it ends after `idleMinutes` without a request, or after 12 hours in all. */
export const sessionLifetimeMs = 12 * 60 * 60 * 1000;

export function sessionIsLive(session: { lastSeenAt: Date; expiresAt: Date }, now: Date, idleMinutes: number): boolean {
  return now < session.expiresAt && now.getTime() - session.lastSeenAt.getTime() < idleMinutes * 60_000;
}

/** Writes to last_seen_at at most once a minute per session, not on every request. */
export const shouldTouchSession = (lastSeenAt: Date, now: Date) => now.getTime() - lastSeenAt.getTime() > 60_000;
