import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { checkPassword, createSession, hashPassword } from '../auth/service.js';
import type { Actor } from '../auth/actor.js';
import { recordAudit, type Origin, auditActor } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { effectivePrivileges, isAdmin, privileges as allPrivileges, slugify, type Privilege, type Role } from './rules.js';
import { defaultOpeningHours, hoursText, openingHoursProblem, type OpeningHours } from './hours.js';
import type { ClinicChanges, ClinicInput, UserChanges, UserInput } from './inputs.js';
import { clinics, inboxes, organizations, userClinicIds, userClinics, users } from './schema.js';
import { publishAccessChanged } from '../realtime/events.js';
import { isLanguage, type Language } from '../i18n/index.js';



const clinicJson = (c: typeof clinics.$inferSelect) => ({
  id: c.id,
  name: c.name,
  slug: c.slug,
  timezone: c.timezone,
  phone: c.phone,
  address: c.address,
  hours: hoursText(c.openingHours ?? defaultOpeningHours),
  guestEmailPreview: c.guestEmailPreview,
  openingHours: c.openingHours ?? defaultOpeningHours,
  afterHoursReply: c.afterHoursReply,
  afterHoursReplyTranslations: c.afterHoursReplyTranslations,
  createdAt: c.createdAt.toISOString(),
});

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: timezone });
  } catch {
    throw new AppError('invalid_input', `timezone "${timezone}" is not an IANA time zone such as America/New_York`);
  }
}

/** Inserts a clinic under its wanted slug, or the first free "-2", "-3"… variant when no slug was asked for. */
async function insertClinic(tx: DbOrTx, orgId: string, input: ClinicInput) {
  if (input.timezone) checkTimezone(input.timezone);
  const base = input.slug ?? slugify(input.name);
  for (let n = 1; n <= 50; n++) {
    const slug = n === 1 ? base : `${base}-${n}`;
    const [row] = await tx
      .insert(clinics)
      .values({ orgId, name: input.name, slug, timezone: input.timezone, phone: input.phone, address: input.address })
      .onConflictDoNothing()
      .returning();
    if (row) return row;
    if (input.slug) throw new AppError('slug_taken', `the clinic address "${slug}" is taken; choose another slug`);
  }
  throw new AppError('slug_taken', 'no free clinic address found; choose a slug');
}

export async function signup(
  deps: Deps,
  input: { organizationName: string; clinicName: string; name: string; email: string; password: string },
  origin: Origin,
) {
  checkPassword(input.password, input);
  const passwordHash = await hashPassword(input.password);
  try {
    return await deps.db.transaction(async (tx) => {
      const [org] = await tx.insert(organizations).values({ name: input.organizationName }).returning();
      const clinic = await insertClinic(tx, org.id, { name: input.clinicName });
      await tx.insert(inboxes).values({ orgId: org.id, name: 'General' });
      const [user] = await tx
        .insert(users)
        .values({
          orgId: org.id,
          name: input.name,
          email: input.email.trim(),
          passwordHash,
          role: 'main_admin',
          privileges: [...allPrivileges],
        })
        .returning();
      const session = await createSession(deps, tx, user, origin);
      await recordAudit(tx, {
        orgId: org.id,
        actor: { kind: 'user', userId: user.id },
        origin,
        action: 'organization.create',
        subject: { type: 'organization', id: org.id },
        details: { clinicId: clinic.id },
      });
      return { session, userId: user.id };
    });
  } catch (e) {
    if (isUniqueViolation(e, 'users_email_key')) throw new AppError('email_taken', 'an account with that email already exists; sign in instead');
    throw e;
  }
}

export async function me(deps: Deps, actor: Actor) {
  const [org] = await deps.db.select().from(organizations).where(eq(organizations.id, actor.orgId));
  const [user] = await deps.db.select({ totpEnabledAt: users.totpEnabledAt, language: users.language }).from(users).where(eq(users.id, actor.userId));
  return {
    user: { id: actor.userId, name: actor.name, email: actor.email, role: actor.role, language: isLanguage(user?.language) ? user.language : null },
    role: actor.role,
    privileges: actor.privileges,
    organization: { id: org.id, name: org.name, currency: org.currency },
    plan: org.plan,
    clinics: await listClinics(deps, actor),
    csrfToken: actor.via.kind === 'session' ? actor.via.csrfToken : null,
    sessionIdleMinutes: deps.config.sessionIdleMinutes,
    defaultCountry: org.country ?? deps.config.defaultCountry,
    currency: org.currency,
    simulator: deps.config.simulator,
    security: { twoFactorEnabled: !!user?.totpEnabledAt, organizationRequiresTwoFactor: org.requireTwoFactor, mustEnrolTwoFactor: actor.mustEnrolTwoFactor },
  };
}

/** The signed-in user's own language (null: follow the browser); audited like any change to the user. */
export async function setMyLanguage(deps: Deps, actor: Actor, language: Language | null): Promise<void> {
  await deps.db.transaction(async (tx) => {
    await tx.update(users).set({ language }).where(and(eq(users.id, actor.userId), eq(users.orgId, actor.orgId)));
    await recordAudit(tx, { ...auditActor(actor), action: 'user.language_update', subject: { type: 'user', id: actor.userId }, details: { language } });
  });
}

export async function listClinics(deps: Deps, actor: Actor) {
  const rows = await deps.db
    .select()
    .from(clinics)
    .where(
      and(
        eq(clinics.orgId, actor.orgId),
        isAdmin(actor.role) ? undefined : actor.clinicIds.length ? inArray(clinics.id, actor.clinicIds) : sql`false`,
      ),
    )
    .orderBy(asc(clinics.createdAt), asc(clinics.name));
  return rows.map(clinicJson);
}


/** An admin edits what the clinic's public page shows and how guests are told of replies. */
export async function updateClinic(deps: Deps, actor: Actor, id: string, changes: ClinicChanges) {
  if (changes.timezone) checkTimezone(changes.timezone);
  const hoursProblem = changes.openingHours && openingHoursProblem(changes.openingHours);
  if (hoursProblem) throw new AppError('invalid_input', `openingHours: ${hoursProblem}`, { errors: [{ field: 'body.openingHours', message: hoursProblem }] });
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(clinics)
      .set(changes)
      .where(and(eq(clinics.id, id), eq(clinics.orgId, actor.orgId)))
      .returning();
    if (!row) throw notFound('clinic');
    await recordAudit(tx, { ...auditActor(actor), action: 'clinic.update', subject: { type: 'clinic', id }, details: { fields: Object.keys(changes) } });
    return clinicJson(row);
  });
}

export async function createClinic(deps: Deps, actor: Actor, input: ClinicInput) {
  return deps.db.transaction(async (tx) => {
    const clinic = await insertClinic(tx, actor.orgId, input);
    await recordAudit(tx, { ...auditActor(actor), action: 'clinic.create', subject: { type: 'clinic', id: clinic.id } });
    return clinicJson(clinic);
  });
}

/** The clinic, if it is in the actor's organization and they work there; 404 / 403 otherwise. */
export async function accessibleClinic(db: DbOrTx, actor: Actor, clinicId: string) {
  const [clinic] = await db.select().from(clinics).where(and(eq(clinics.id, clinicId), eq(clinics.orgId, actor.orgId)));
  if (!clinic) throw notFound('clinic');
  assertClinicAccess(actor, clinic.id);
  return clinic;
}

export function assertClinicAccess(actor: Actor, clinicId: string): void {
  if (!isAdmin(actor.role) && !actor.clinicIds.includes(clinicId)) {
    throw new AppError('clinic_access_denied', 'you do not work at this clinic; an admin can grant you access');
  }
}

// --- inboxes -------------------------------------------------------------------------------

const inboxJson = (i: typeof inboxes.$inferSelect) => ({ id: i.id, name: i.name, createdAt: i.createdAt.toISOString() });

export async function listInboxes(deps: Deps, actor: Actor) {
  const rows = await deps.db.select().from(inboxes).where(eq(inboxes.orgId, actor.orgId)).orderBy(asc(inboxes.createdAt));
  return rows.map(inboxJson);
}

export async function createInbox(deps: Deps, actor: Actor, input: { name: string }) {
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx.insert(inboxes).values({ orgId: actor.orgId, name: input.name.trim() }).returning();
      await recordAudit(tx, { ...auditActor(actor), action: 'inbox.create', subject: { type: 'inbox', id: row.id } });
      return inboxJson(row);
    });
  } catch (e) {
    if (isUniqueViolation(e, 'inboxes_org_name_key')) throw new AppError('name_taken', `an inbox named "${input.name}" already exists`);
    throw e;
  }
}

export async function renameInbox(deps: Deps, actor: Actor, id: string, input: { name: string }) {
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .update(inboxes)
        .set({ name: input.name.trim() })
        .where(and(eq(inboxes.id, id), eq(inboxes.orgId, actor.orgId)))
        .returning();
      if (!row) throw notFound('inbox');
      await recordAudit(tx, { ...auditActor(actor), action: 'inbox.rename', subject: { type: 'inbox', id } });
      return inboxJson(row);
    });
  } catch (e) {
    if (isUniqueViolation(e, 'inboxes_org_name_key')) throw new AppError('name_taken', `an inbox named "${input.name}" already exists`);
    throw e;
  }
}

/** The organization's first inbox: where new conversations land unless told otherwise. */
export async function defaultInbox(db: DbOrTx, orgId: string) {
  const [row] = await db.select().from(inboxes).where(eq(inboxes.orgId, orgId)).orderBy(asc(inboxes.createdAt)).limit(1);
  return row;
}

export async function inboxInOrg(db: DbOrTx, orgId: string, inboxId: string) {
  const [row] = await db.select().from(inboxes).where(and(eq(inboxes.id, inboxId), eq(inboxes.orgId, orgId)));
  if (!row) throw notFound('inbox');
  return row;
}

// --- users ---------------------------------------------------------------------------------


async function checkClinicIds(db: DbOrTx, orgId: string, clinicIds: string[]): Promise<void> {
  if (!clinicIds.length) return;
  const found = await db.select({ id: clinics.id }).from(clinics).where(and(eq(clinics.orgId, orgId), inArray(clinics.id, clinicIds)));
  if (found.length !== new Set(clinicIds).size) throw new AppError('invalid_input', 'clinicIds names a clinic that is not in your organization');
}

const userColumns = {
  id: users.id,
  name: users.name,
  email: users.email,
  role: users.role,
  privileges: users.privileges,
  createdAt: users.createdAt,
  deactivatedAt: users.deactivatedAt,
  clinicIds: userClinicIds,
};

async function userJson(db: DbOrTx, orgId: string, userId: string) {
  const [row] = await db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, orgId)));
  if (!row) throw notFound('user');
  return toUserJson(row);
}

function toUserJson(row: {
  id: string;
  name: string;
  email: string;
  role: Role;
  privileges: Privilege[];
  createdAt: Date;
  deactivatedAt: Date | null;
  clinicIds: string[];
}) {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    privileges: effectivePrivileges(row.role, row.privileges),
    clinicIds: row.clinicIds,
    active: !row.deactivatedAt,
    createdAt: row.createdAt.toISOString(),
  };
}

export async function createUser(deps: Deps, actor: Actor, input: UserInput) {
  checkPassword(input.password, input);
  const passwordHash = await hashPassword(input.password);
  try {
    return await deps.db.transaction(async (tx) => {
      await checkClinicIds(tx, actor.orgId, input.clinicIds);
      const [user] = await tx
        .insert(users)
        .values({
          orgId: actor.orgId,
          name: input.name,
          email: input.email.trim(),
          passwordHash,
          role: input.role,
          privileges: [...new Set(input.privileges)],
        })
        .returning();
      if (input.clinicIds.length) {
        await tx.insert(userClinics).values([...new Set(input.clinicIds)].map((clinicId) => ({ userId: user.id, clinicId })));
      }
      await recordAudit(tx, {
        ...auditActor(actor),
        action: 'user.create',
        subject: { type: 'user', id: user.id },
        details: { role: input.role, privileges: input.privileges, clinicIds: input.clinicIds },
      });
      return userJson(tx, actor.orgId, user.id);
    });
  } catch (e) {
    if (isUniqueViolation(e, 'users_email_key')) throw new AppError('email_taken', 'a user with that email already exists');
    throw e;
  }
}

export async function updateUser(
  deps: Deps,
  actor: Actor,
  userId: string,
  input: UserChanges,
) {
  return deps.db.transaction(async (tx) => {
    const [target] = await tx.select().from(users).where(and(eq(users.id, userId), eq(users.orgId, actor.orgId))).for('update');
    if (!target) throw notFound('user');
    if (target.role === 'main_admin' && actor.role !== 'main_admin') {
      throw new AppError('main_admin_only', 'only the main admin may change the main admin');
    }
    if (target.role === 'main_admin' && (input.role || input.active === false)) {
      throw new AppError('forbidden', 'the main admin cannot be demoted or deactivated; the organization needs its owner');
    }
    if (input.clinicIds) await checkClinicIds(tx, actor.orgId, input.clinicIds);
    const changes = {
      name: input.name,
      role: input.role,
      privileges: input.privileges ? [...new Set(input.privileges)] : undefined,
      deactivatedAt: input.active === undefined ? undefined : input.active ? null : deps.clock.now(),
    };
    // Only the clinics may be changing: an UPDATE with nothing to set is an error in drizzle (it was a 500).
    if (Object.values(changes).some((v) => v !== undefined)) await tx.update(users).set(changes).where(eq(users.id, userId));
    if (input.clinicIds) {
      await tx.delete(userClinics).where(eq(userClinics.userId, userId));
      if (input.clinicIds.length) {
        await tx.insert(userClinics).values([...new Set(input.clinicIds)].map((clinicId) => ({ userId, clinicId })));
      }
    }
    await publishAccessChanged(tx, actor.orgId, userId);
    await recordAudit(tx, { ...auditActor(actor), action: 'user.update', subject: { type: 'user', id: userId }, details: input });
    return userJson(tx, actor.orgId, userId);
  });
}

export async function listUsers(deps: Deps, actor: Actor) {
  const rows = await deps.db
    .select(userColumns)
    .from(users)
    .where(and(eq(users.orgId, actor.orgId), isNull(users.deactivatedAt)))
    .orderBy(asc(users.name));
  return rows.map(toUserJson);
}

/** A user of this organization who may see `clinicId`: the only people a thread can be assigned to. */
export async function assignableUser(db: DbOrTx, orgId: string, userId: string, clinicId: string) {
  const [row] = await db
    .select({
      id: users.id,
      name: users.name,
      role: users.role,
      worksThere: sql<boolean>`exists(select 1 from user_clinics uc where uc.user_id = ${users.id} and uc.clinic_id = ${clinicId})`,
    })
    .from(users)
    .where(and(eq(users.id, userId), eq(users.orgId, orgId), isNull(users.deactivatedAt)));
  if (!row) throw notFound('user');
  if (!isAdmin(row.role) && !row.worksThere) {
    throw new AppError('invalid_input', `${row.name} does not work at this conversation's clinic`);
  }
  return row;
}

/** Turns the organization's two-factor requirement on or off (audited as a setting change). */
export async function requireTwoFactor(deps: Deps, actor: Actor, required: boolean): Promise<boolean> {
  const [self] = await deps.db.select({ totpEnabledAt: users.totpEnabledAt }).from(users).where(eq(users.id, actor.userId));
  if (required && !self?.totpEnabledAt) throw new AppError('conflict', 'turn on two-factor sign-in for yourself first, so the requirement cannot shut you out');
  await deps.db.transaction(async (tx) => {
    await tx.update(organizations).set({ requireTwoFactor: required }).where(eq(organizations.id, actor.orgId));
    // Whoever has not set it up may now only enrol: their open event streams end at once.
    const unenrolled = await tx.select({ id: users.id }).from(users).where(and(eq(users.orgId, actor.orgId), isNull(users.totpEnabledAt), isNull(users.deactivatedAt)));
    for (const user of unenrolled) await publishAccessChanged(tx, actor.orgId, user.id);
    await recordAudit(tx, { ...auditActor(actor), action: 'organization.two_factor_requirement', subject: { type: 'organization', id: actor.orgId }, details: { required } });
  });
  return required;
}
