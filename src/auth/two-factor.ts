/**
 * TOTP two-factor sign-in (RFC 6238 through `otpauth`): enrol (a secret, shown once as an otpauth://
 * URI for the authenticator app), confirm with a first code (which turns it on and hands out ten
 * one-time recovery codes, stored as SHA-256), disable with the password. A code is accepted one
 * 30-second step either side of now, for phones whose clocks drift.
 */
import { openFor, sealFor, type RowKey, type Sealed } from '../encryption/columns.js';
import { randomBytes } from 'node:crypto';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { Secret, TOTP } from 'otpauth';
import { auditActor, recordAudit } from '../audit/service.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { users } from '../orgs/schema.js';
import type { Actor } from './actor.js';
import { looksLikeTotp, normalizeRecoveryCode, recoveryCodeCount } from './rules.js';
import { sha256, verifyPassword } from './tokens.js';

const issuer = 'Frontdesk';
const periodSeconds = 30;

function totpFor(secret: string, label: string): TOTP {
  return new TOTP({ issuer, label, algorithm: 'SHA1', digits: 6, period: periodSeconds, secret: Secret.fromBase32(secret) });
}

const auditOf = (actor: Actor) => ({ ...auditActor(actor), subject: { type: 'user', id: actor.userId } });

/** Whether `code` is the user's current TOTP code or one of their unused recovery codes. */
export function checkSecondFactor(
  user: RowKey & { totpSecret: Sealed | null; email: string; recoveryCodes: string[] },
  code: string,
  now: Date,
): { ok: false } | { ok: true; totpStep: number } | { ok: true; recoveryCode: string } {
  if (!user.totpSecret) return { ok: false };
  if (looksLikeTotp(code)) {
    // Bound to the user's row: another account's secret copied here fails to open instead of letting its codes in.
    const delta = totpFor(openFor(user, user.totpSecret), user.email).validate({ token: code.replace(/\s/g, ''), timestamp: now.getTime(), window: 1 });
    return delta === null ? { ok: false } : { ok: true, totpStep: Math.floor(now.getTime() / (periodSeconds * 1000)) + delta };
  }
  const hashed = sha256(normalizeRecoveryCode(code));
  return user.recoveryCodes.includes(hashed) ? { ok: true, recoveryCode: hashed } : { ok: false };
}

/**
 * Spends a correct code, once: a TOTP code's step must come after the last one accepted, and a
 * recovery code must still be unused. Conditional updates, so two sign-ins racing with one code
 * (a code read over someone's shoulder, replayed at once) cannot both win.
 */
export async function spendSecondFactor(deps: Pick<Deps, 'db'>, userId: string, spent: { totpStep: number } | { recoveryCode: string }): Promise<{ remainingRecoveryCodes: number | null } | null> {
  if ('totpStep' in spent) {
    const rows = await deps.db
      .update(users)
      .set({ totpLastStep: spent.totpStep })
      .where(and(eq(users.id, userId), or(isNull(users.totpLastStep), lt(users.totpLastStep, spent.totpStep))))
      .returning({ id: users.id });
    return rows.length ? { remainingRecoveryCodes: null } : null;
  }
  const rows = await deps.db
    .update(users)
    .set({ recoveryCodes: sql`array_remove(${users.recoveryCodes}, ${spent.recoveryCode})` })
    .where(and(eq(users.id, userId), sql`${spent.recoveryCode} = any(${users.recoveryCodes})`))
    .returning({ codes: users.recoveryCodes });
  return rows.length ? { remainingRecoveryCodes: rows[0].codes.length } : null;
}

async function loadUser(deps: Deps, actor: Actor) {
  const [user] = await deps.db
    .select({ id: users.id, orgId: users.orgId, email: users.email, passwordHash: users.passwordHash, totpSecret: users.totpSecret, totpEnabledAt: users.totpEnabledAt, recoveryCodes: users.recoveryCodes })
    .from(users)
    .where(eq(users.id, actor.userId));
  return user;
}

function requireSession(actor: Actor): void {
  if (actor.via.kind !== 'session') throw new AppError('forbidden', 'two-factor sign-in is set up by the person, signed in, not with an API token');
}

/** A new pending secret (replacing any pending one); two-factor stays off until confirmed. */
export async function enrolTwoFactor(deps: Deps, actor: Actor): Promise<{ secret: string; uri: string }> {
  requireSession(actor);
  const user = await loadUser(deps, actor);
  if (user.totpEnabledAt) throw new AppError('conflict', 'two-factor sign-in is already on; turn it off first to enrol a new device');
  const secret = new Secret({ size: 20 }).base32;
  await deps.db.update(users).set({ totpSecret: sealFor(users.totpSecret, { id: actor.userId, orgId: actor.orgId }, secret) }).where(eq(users.id, actor.userId));
  await recordAudit(deps.db, { ...auditOf(actor), action: 'auth.two_factor_enrol' });
  return { secret, uri: totpFor(secret, user.email).toString() };
}

function newRecoveryCode(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(8);
  const chars = [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  return `${chars.slice(0, 4)}-${chars.slice(4)}`;
}

/** The first correct code turns two-factor on; the recovery codes are shown this once. */
export async function confirmTwoFactor(deps: Deps, actor: Actor, code: string): Promise<{ recoveryCodes: string[] }> {
  requireSession(actor);
  const user = await loadUser(deps, actor);
  if (user.totpEnabledAt) throw new AppError('conflict', 'two-factor sign-in is already on');
  if (!user.totpSecret) throw new AppError('conflict', 'enrol first: POST /api/v1/auth/two-factor/enrol');
  const checked = looksLikeTotp(code) ? checkSecondFactor({ ...user, recoveryCodes: [] }, code, deps.clock.now()) : null;
  if (!checked?.ok || !('totpStep' in checked)) {
    throw new AppError('invalid_code', 'that code does not match; check the time on your phone and try the current code');
  }
  const recoveryCodes = Array.from({ length: recoveryCodeCount }, newRecoveryCode);
  await deps.db
    .update(users)
    // The confirming code is spent: it cannot sign in a second time.
    .set({ totpEnabledAt: deps.clock.now(), totpLastStep: checked.totpStep, recoveryCodes: recoveryCodes.map((c) => sha256(normalizeRecoveryCode(c))) })
    .where(eq(users.id, actor.userId));
  await recordAudit(deps.db, { ...auditOf(actor), action: 'auth.two_factor_on' });
  return { recoveryCodes };
}

/** Turning it off asks for the password again, so an unattended session cannot. */
export async function disableTwoFactor(deps: Deps, actor: Actor, password: string): Promise<void> {
  requireSession(actor);
  const user = await loadUser(deps, actor);
  if (!(await verifyPassword(user.passwordHash, password))) throw new AppError('invalid_credentials', 'that password is not right');
  await deps.db.update(users).set({ totpSecret: null, totpEnabledAt: null, totpLastStep: null, recoveryCodes: [] }).where(eq(users.id, actor.userId));
  await recordAudit(deps.db, { ...auditOf(actor), action: 'auth.two_factor_off' });
}
