import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { effectivePrivileges, isAdmin, type Privilege, type Role } from '../orgs/rules.js';
import { userClinicIds, users } from '../orgs/schema.js';
import { refund, spend } from '../ratelimit/service.js';
import { isTrustedDevice, trustDevice } from './devices.js';
import { isBreachedPassword } from './breached.js';
import { checkSecondFactor, spendSecondFactor } from './two-factor.js';
import type { Actor } from './actor.js';
import { isLocked, lockoutAfter, passwordProblem, sessionIsLive, sessionLifetimeMs, shouldTouchSession } from './rules.js';
import { apiTokens, sessions } from './schema.js';
import { hashPassword, newSecret, safeEqual, sha256, verifyPassword } from './tokens.js';
import { auditActor, recordAudit, type Origin } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import { publishAccessChanged } from '../realtime/events.js';

export const sessionCookie = 'fd_session';

type UserRow = Omit<typeof users.$inferSelect, 'totpLastStep' | 'language'> & { clinicIds: string[]; orgRequiresTwoFactor: boolean };

const userWithClinics = {
  id: users.id,
  orgId: users.orgId,
  name: users.name,
  email: users.email,
  role: users.role,
  privileges: users.privileges,
  passwordHash: users.passwordHash,
  deactivatedAt: users.deactivatedAt,
  createdAt: users.createdAt,
  clinicIds: userClinicIds,
  failedLogins: users.failedLogins,
  lockedUntil: users.lockedUntil,
  totpSecret: users.totpSecret,
  totpEnabledAt: users.totpEnabledAt,
  recoveryCodes: users.recoveryCodes,
  orgRequiresTwoFactor: sql<boolean>`(select o.require_two_factor from organizations o where o.id = ${users.orgId})`,
};

function actorOf(user: UserRow, via: Actor['via'], origin: Origin): Actor {
  return {
    orgId: user.orgId,
    userId: user.id,
    name: user.name,
    email: user.email,
    role: user.role as Role,
    privileges: effectivePrivileges(user.role as Role, user.privileges as Privilege[]),
    clinicIds: isAdmin(user.role as Role) ? [] : user.clinicIds,
    via,
    ip: origin.ip,
    userAgent: origin.userAgent,
    mustEnrolTwoFactor: via.kind === 'session' && user.orgRequiresTwoFactor && !user.totpEnabledAt,
  };
}

export function checkPassword(password: string, who: { email: string; name: string }): void {
  const reason = passwordProblem(password, { ...who, breached: isBreachedPassword });
  if (reason) throw new AppError('invalid_input', `password ${reason}`, { errors: [{ field: 'body.password', message: reason }] });
}

export async function createSession(deps: Deps, tx: DbOrTx, user: { id: string; orgId: string }, origin: Origin) {
  const token = newSecret();
  const csrfToken = newSecret();
  const now = deps.clock.now();
  await tx.insert(sessions).values({
    tokenHash: sha256(token),
    userId: user.id,
    orgId: user.orgId,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + sessionLifetimeMs),
    ip: origin.ip,
    userAgent: origin.userAgent,
  });
  return { token, csrfToken };
}

/**
 * Signs a staff member in. Guessing spread over many accounts from one address is throttled too,
 * not only per account: an attempt from a browser not trusted for the account spends one of the
 * address's attempts, and a correct sign-in gives it back, so only failures count and a clinic's
 * staff behind one address are not refused for signing in. A browser trusted for the account
 * (`deviceCookie`) skips the address's count, so a guessing run from the same address does not
 * shut out colleagues who have signed in there before; the account's lockout still applies.
 */
export async function login(deps: Deps, input: { email: string; password: string; code?: string }, origin: Origin, deviceCookie?: string) {
  const now = deps.clock.now();
  const [user] = await deps.db
    .select(userWithClinics)
    .from(users)
    .where(sql`lower(${users.email}) = ${input.email.trim().toLowerCase()}`);
  const trusted = isTrustedDevice(deps.keys, deviceCookie, user?.id);
  const addressKey = `login:${origin.ip}`;
  if (!trusted) await spend(deps.db, addressKey, deps.config.loginLimitPerIp, now, 'failed sign-in attempts from one address');
  const active = user && !user.deactivatedAt ? user : undefined;
  if (active && isLocked(active.lockedUntil, now)) {
    await recordAudit(deps.db, { orgId: active.orgId, actor: { kind: 'user', userId: active.id }, origin, action: 'auth.login_locked', subject: { type: 'user', id: active.id }, outcome: 'denied' });
    throw accountLocked(active.lockedUntil!, now);
  }
  const ok = await verifyPassword(active?.passwordHash ?? null, input.password);
  if (!active || !ok) {
    if (user) await failedLogin(deps, user, origin, 'password');
    throw new AppError('invalid_credentials', 'that email and password do not match an active account');
  }
  if (active.totpEnabledAt) {
    if (!input.code) {
      // The password was right: asking for the code is no failed attempt.
      if (!trusted) await refund(deps.db, addressKey, deps.config.loginLimitPerIp, now);
      throw new AppError('two_factor_required', 'this account signs in with a code from its authenticator app (or a recovery code): send it as "code"');
    }
    const second = checkSecondFactor(active, input.code, now);
    const spent = second.ok ? await spendSecondFactor(deps, active.id, second) : null;
    if (!spent) {
      await failedLogin(deps, active, origin, 'code');
      throw new AppError('invalid_code', second.ok ? 'that code was used already; wait for the next one' : 'that code is wrong or expired; codes change every 30 seconds');
    }
    if (spent.remainingRecoveryCodes !== null) {
      await recordAudit(deps.db, { orgId: active.orgId, actor: { kind: 'user', userId: active.id }, origin, action: 'auth.recovery_code_used', subject: { type: 'user', id: active.id }, details: { remaining: spent.remainingRecoveryCodes } });
    }
  }
  if (!trusted) await refund(deps.db, addressKey, deps.config.loginLimitPerIp, now);
  if (active.failedLogins || active.lockedUntil) await deps.db.update(users).set({ failedLogins: 0, lockedUntil: null }).where(eq(users.id, active.id));
  const session = await createSession(deps, deps.db, active, origin);
  const actor = actorOf(active, { kind: 'session', tokenHash: sha256(session.token), csrfToken: session.csrfToken }, origin);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'auth.login', subject: { type: 'user', id: active.id }, details: { twoFactor: !!active.totpEnabledAt, trustedDevice: trusted } });
  return { session, actor, deviceCookie: trustDevice(deps.keys, deviceCookie, active.id) };
}

function accountLocked(until: Date, now: Date): AppError {
  const wait = Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
  return new AppError('account_locked', `too many wrong attempts: this account is locked for ${Math.ceil(wait / 60)} min; an admin can unlock it sooner`, { retryAfterSeconds: wait });
}

/**
 * Counts a wrong password or code (atomically, so parallel guesses all count); the one that reaches
 * the limit locks the account and starts the count again, so the attempts after a lockout get the
 * same allowance. Both are audited.
 */
async function failedLogin(deps: Deps, user: UserRow, origin: Origin, what: 'password' | 'code'): Promise<void> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .update(users)
    .set({ failedLogins: sql`${users.failedLogins} + 1` })
    .where(eq(users.id, user.id))
    .returning({ failedLogins: users.failedLogins });
  const lockedUntil = lockoutAfter(row.failedLogins, now);
  const who = { orgId: user.orgId, actor: { kind: 'user' as const, userId: user.id }, origin, subject: { type: 'user', id: user.id } };
  await recordAudit(deps.db, { ...who, action: 'auth.login_failed', outcome: 'failure', details: { wrong: what, inARow: row.failedLogins } });
  if (lockedUntil) {
    await deps.db.update(users).set({ lockedUntil, failedLogins: 0 }).where(eq(users.id, user.id));
    await recordAudit(deps.db, { ...who, action: 'auth.locked', outcome: 'denied', details: { until: lockedUntil.toISOString() } });
  }
}

/** Ends every session of the user, this one included (a lost laptop, a shared computer). */
export async function logoutEverywhere(deps: Deps, actor: Actor): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const ended = await tx.delete(sessions).where(eq(sessions.userId, actor.userId)).returning({ tokenHash: sessions.tokenHash });
    await publishAccessChanged(tx, actor.orgId, actor.userId);
    await recordAudit(tx, { ...auditActor(actor), action: 'auth.logout_everywhere', subject: { type: 'user', id: actor.userId }, details: { sessions: ended.length } });
    return ended.length;
  });
}

/** An admin lifts a lockout early. */
export async function unlockUser(deps: Deps, actor: Actor, userId: string): Promise<void> {
  const [row] = await deps.db
    .update(users)
    .set({ failedLogins: 0, lockedUntil: null })
    .where(and(eq(users.id, userId), eq(users.orgId, actor.orgId)))
    .returning({ id: users.id });
  if (!row) throw new AppError('not_found', 'user not found');
  await recordAudit(deps.db, { ...auditActor(actor), action: 'auth.unlocked', subject: { type: 'user', id: userId } });
}

export async function logout(deps: Deps, actor: Actor): Promise<void> {
  await deps.db.transaction(async (tx) => {
    if (actor.via.kind === 'session') {
      await tx.delete(sessions).where(eq(sessions.tokenHash, actor.via.tokenHash));
      await publishAccessChanged(tx, actor.orgId, actor.userId);
    }
    await recordAudit(tx, { ...auditActor(actor), action: 'auth.logout', subject: { type: 'user', id: actor.userId } });
  });
}

/** The actor behind a session cookie, or null when it is unknown, idle too long or expired. */
export async function actorFromSession(deps: Deps, token: string, origin: Origin): Promise<Actor | null> {
  const tokenHash = sha256(token);
  const [row] = await deps.db
    .select({ user: userWithClinics, session: sessions })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.tokenHash, tokenHash), isNull(users.deactivatedAt)));
  if (!row) return null;
  const now = deps.clock.now();
  if (!sessionIsLive(row.session, now, deps.config.sessionIdleMinutes)) {
    await deps.db.delete(sessions).where(eq(sessions.tokenHash, tokenHash));
    return null;
  }
  if (shouldTouchSession(row.session.lastSeenAt, now)) {
    await deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.tokenHash, tokenHash));
  }
  return actorOf(row.user, { kind: 'session', tokenHash, csrfToken: row.session.csrfToken }, origin);
}

/** Which sign-in an actor came through: a session's token hash or an API token's id. */
export const credentialOf = (actor: Actor) => (actor.via.kind === 'session' ? `session:${actor.via.tokenHash}` : `token:${actor.via.tokenId}`);

/**
 * The actors of these sign-ins as they stand now, by credentialOf; a sign-in that ended (signed out,
 * idle or expired session, revoked token, deactivated user) is missing. Reads without touching a
 * session: an open stream does not keep its session alive.
 */
export async function currentActors(deps: Deps, actors: Actor[]): Promise<Map<string, Actor>> {
  const now = deps.clock.now();
  const hashes = actors.flatMap((a) => (a.via.kind === 'session' ? [a.via.tokenHash] : []));
  const tokenIds = actors.flatMap((a) => (a.via.kind === 'api_token' ? [a.via.tokenId] : []));
  const origin = { ip: '', userAgent: null };
  const current = new Map<string, Actor>();
  if (hashes.length) {
    const rows = await deps.db
      .select({ user: userWithClinics, session: sessions })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(and(inArray(sessions.tokenHash, hashes), isNull(users.deactivatedAt)));
    for (const { user, session } of rows) {
      if (!sessionIsLive(session, now, deps.config.sessionIdleMinutes)) continue;
      const actor = actorOf(user, { kind: 'session', tokenHash: session.tokenHash, csrfToken: session.csrfToken }, origin);
      current.set(credentialOf(actor), actor);
    }
  }
  if (tokenIds.length) {
    const rows = await deps.db
      .select({ user: userWithClinics, tokenId: apiTokens.id })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(and(inArray(apiTokens.id, tokenIds), isNull(apiTokens.revokedAt), isNull(users.deactivatedAt)));
    for (const { user, tokenId } of rows) {
      const actor = actorOf(user, { kind: 'api_token', tokenId }, origin);
      current.set(credentialOf(actor), actor);
    }
  }
  return current;
}

export async function actorFromApiToken(deps: Deps, token: string, origin: Origin): Promise<Actor | null> {
  const [row] = await deps.db
    .select({ user: userWithClinics, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, sha256(token)), isNull(apiTokens.revokedAt), isNull(users.deactivatedAt)));
  if (!row) return null;
  const now = deps.clock.now();
  if (!row.lastUsedAt || shouldTouchSession(row.lastUsedAt, now)) {
    await deps.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, row.tokenId));
  }
  return actorOf(row.user, { kind: 'api_token', tokenId: row.tokenId }, origin);
}

export function csrfMatches(actor: Actor, header: string | undefined): boolean {
  return actor.via.kind !== 'session' || (typeof header === 'string' && safeEqual(header, actor.via.csrfToken));
}

export async function createApiToken(deps: Deps, actor: Actor, input: { name: string }) {
  const token = newSecret('fdk_');
  const [row] = await deps.db
    .insert(apiTokens)
    .values({ orgId: actor.orgId, userId: actor.userId, name: input.name, tokenHash: sha256(token), createdAt: deps.clock.now() })
    .returning();
  await recordAudit(deps.db, { ...auditActor(actor), action: 'api_token.create', subject: { type: 'api_token', id: row.id } });
  return { id: row.id, name: row.name, token, createdAt: row.createdAt.toISOString() };
}

export async function listApiTokens(deps: Deps, actor: Actor) {
  const rows = await deps.db.select().from(apiTokens).where(eq(apiTokens.orgId, actor.orgId)).orderBy(apiTokens.createdAt);
  return rows.map((t) => ({
    id: t.id,
    name: t.name,
    userId: t.userId,
    createdAt: t.createdAt.toISOString(),
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  }));
}

export async function revokeApiToken(deps: Deps, actor: Actor, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const rows = await tx
      .update(apiTokens)
      .set({ revokedAt: deps.clock.now() })
      .where(and(eq(apiTokens.id, id), eq(apiTokens.orgId, actor.orgId), isNull(apiTokens.revokedAt)))
      .returning({ userId: apiTokens.userId });
    if (!rows.length) throw new AppError('not_found', 'API token not found');
    await publishAccessChanged(tx, actor.orgId, rows[0].userId);
    await recordAudit(tx, { ...auditActor(actor), action: 'api_token.revoke', subject: { type: 'api_token', id } });
  });
}

export { hashPassword };
