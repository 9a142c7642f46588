/** Pure rules of signing in. */

export const passwordMinLength = 10;
export const passwordMaxLength = 200;

/**
 * Why a password is refused, or null: its length, then whether it is the user's own name or email,
 * then whether it appears in a list of passwords known from breaches (`breached`, a lookup the
 * server passes in so this file stays free of the list).
 */
export function passwordProblem(password: string, context: { email: string; name: string; breached?: (password: string) => boolean }): string | null {
  if (password.length < passwordMinLength) return `must be at least ${passwordMinLength} characters`;
  if (password.length > passwordMaxLength) return `must be at most ${passwordMaxLength} characters`;
  const lower = password.toLowerCase();
  if (lower === context.email.toLowerCase() || lower === context.name.toLowerCase()) {
    return 'must not be your email address or name';
  }
  if (context.breached?.(password)) return 'is on a list of passwords known from data breaches; choose another';
  return null;
}

/** Wrong passwords (or codes) in a row before an account is locked, and for how long. */
export const maxFailedLogins = 5;
export const lockoutMs = 15 * 60_000;

/** When `failuresInARow` wrong attempts lock the account: at the limit, for `lockoutMs` from now; else null. */
export const lockoutAfter = (failuresInARow: number, now: Date): Date | null => (failuresInARow >= maxFailedLogins ? new Date(now.getTime() + lockoutMs) : null);

export const isLocked = (lockedUntil: Date | null, now: Date) => lockedUntil !== null && now < lockedUntil;

/** One-time recovery codes: ten groups of 4-4 lowercase letters and digits, typed with or without the dash. */
export const recoveryCodeCount = 10;
export const normalizeRecoveryCode = (code: string) => code.trim().toLowerCase().replace(/[\s-]/g, '');
export const looksLikeTotp = (code: string) => /^\d{6}$/.test(code.replace(/\s/g, ''));

/** A session lives while used: it ends after `idleMinutes` without a request, or after 12 hours in all. */
export const sessionLifetimeMs = 12 * 60 * 60 * 1000;

export function sessionIsLive(session: { lastSeenAt: Date; expiresAt: Date }, now: Date, idleMinutes: number): boolean {
  return now < session.expiresAt && now.getTime() - session.lastSeenAt.getTime() < idleMinutes * 60_000;
}

/** Writes to last_seen_at at most once a minute per session, not on every request. */
export const shouldTouchSession = (lastSeenAt: Date, now: Date) => now.getTime() - lastSeenAt.getTime() > 60_000;
