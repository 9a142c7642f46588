import { and, asc, count, eq, gte, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { conversations } from '../conversations/schema.js';
import type { DbOrTx, Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { guestLinks } from '../guest/schema.js';
import type { Plan } from '../orgs/rules.js';
import { organizations } from '../orgs/schema.js';
import { publish } from '../realtime/events.js';
import { cheapestWith, guestRoomLeft, monthStart, planAllows, type Entitlements, type Feature } from './rules.js';
import { billingCharges, planEntitlements } from './schema.js';

export async function planCatalog(db: DbOrTx): Promise<Entitlements[]> {
  return db.select().from(planEntitlements).orderBy(asc(planEntitlements.rank));
}

export async function planOf(db: DbOrTx, orgId: string): Promise<Plan> {
  const [org] = await db.select({ plan: organizations.plan }).from(organizations).where(eq(organizations.id, orgId));
  return org.plan;
}

export async function entitlementsOf(db: DbOrTx, orgId: string): Promise<Entitlements> {
  const [row] = await db
    .select({ e: planEntitlements })
    .from(organizations)
    .innerJoin(planEntitlements, eq(planEntitlements.plan, organizations.plan))
    .where(eq(organizations.id, orgId));
  return row.e;
}

/** The 402 for a customer whose plan lacks something, naming the cheapest plan that has it. */
async function planRequired(db: DbOrTx, current: Entitlements, what: string, allows: (e: Entitlements) => boolean): Promise<AppError> {
  const needed = cheapestWith(await planCatalog(db), allows);
  return new AppError('plan_required', `${what} needs the ${needed?.name ?? 'a higher'} plan; you are on ${current.name}`, { plan: needed?.plan ?? null });
}

/** 402 naming the plan that unlocks the feature, unless the organization's plan has it. */
export async function requireFeature(db: DbOrTx, orgId: string, feature: Feature, what: string): Promise<void> {
  const current = await entitlementsOf(db, orgId);
  if (!planAllows(current, feature)) throw await planRequired(db, current, what, (e) => planAllows(e, feature));
}

// ---------------------------------------------------------------------------------------------
// P4 limits: new guest conversations a month
// ---------------------------------------------------------------------------------------------

async function guestConversationsSince(db: DbOrTx, orgId: string, since: Date): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(guestLinks)
    .where(and(eq(guestLinks.orgId, orgId), gte(guestLinks.admittedAt, since)));
  return row.n;
}

async function heldConversations(db: DbOrTx, orgId: string): Promise<number> {
  const [row] = await db.select({ n: count() }).from(conversations).where(and(eq(conversations.orgId, orgId), isNotNull(conversations.heldAt)));
  return row.n;
}

/** Serialises the counting of an organization's monthly allowance, so two posts cannot both take the last place. */
async function lockAllowance(tx: Tx, orgId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`guest-allowance:${orgId}`}, 0))`);
}

/**
 * Whether a new guest conversation fits this month's allowance. When it does not, the caller keeps
 * the conversation held (stored, shown to no one) and answers 402 with the returned error.
 */
export async function admitGuestConversation(tx: Tx, orgId: string, at: Date): Promise<{ admitted: true } | { admitted: false; error: AppError }> {
  const current = await entitlementsOf(tx, orgId);
  // Unlimited plans count nothing and so need not queue their posts behind one lock.
  if (current.guestConversationsPerMonth === null) return { admitted: true };
  await lockAllowance(tx, orgId);
  if (guestRoomLeft(current, await guestConversationsSince(tx, orgId, monthStart(at))) > 0) return { admitted: true };
  const error = await planRequired(tx, current, `More than ${current.guestConversationsPerMonth} new web conversations a month`, (e) => e.guestConversationsPerMonth === null);
  return { admitted: false, error };
}

/** Shows held guest conversations, oldest first, as far as this month's allowance now reaches. */
export async function releaseHeldConversations(tx: Tx, orgId: string, at: Date): Promise<number> {
  await lockAllowance(tx, orgId);
  const room = guestRoomLeft(await entitlementsOf(tx, orgId), await guestConversationsSince(tx, orgId, monthStart(at)));
  if (room === 0) return 0;
  const held = await tx
    .select({ linkId: guestLinks.id, conversationId: conversations.id, clinicId: conversations.clinicId })
    .from(guestLinks)
    .innerJoin(conversations, eq(conversations.id, guestLinks.conversationId))
    .where(and(eq(guestLinks.orgId, orgId), eq(guestLinks.startedConversation, true), isNull(guestLinks.admittedAt), isNotNull(conversations.heldAt)))
    .orderBy(asc(guestLinks.createdAt))
    .limit(Number.isFinite(room) ? room : 100_000);
  for (const h of held) {
    await tx.update(guestLinks).set({ admittedAt: at }).where(eq(guestLinks.id, h.linkId));
    await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, h.conversationId));
    await publish(tx, { type: 'conversation.updated', orgId, clinicId: h.clinicId, conversationId: h.conversationId }, at);
  }
  return held.length;
}

/** The maintenance job's part: at a new month (or after an operator raises a limit) held conversations come in. */
export async function releaseAllHeld(deps: Pick<Deps, 'db' | 'clock'>): Promise<number> {
  const orgs = await deps.db.selectDistinct({ orgId: conversations.orgId }).from(conversations).where(isNotNull(conversations.heldAt));
  let released = 0;
  for (const { orgId } of orgs) released += await deps.db.transaction((tx) => releaseHeldConversations(tx, orgId, deps.clock.now()));
  return released;
}

// ---------------------------------------------------------------------------------------------
// The plan as the API shows it
// ---------------------------------------------------------------------------------------------

const planJson = (e: Entitlements) => ({
  plan: e.plan,
  name: e.name,
  monthlyPriceCents: e.monthlyPriceCents,
  features: e.features.filter((f): f is Feature => f === 'crm' || f === 'two_way_sms'),
  limits: { guestConversationsPerMonth: e.guestConversationsPerMonth },
});

export async function getPlan(deps: Deps, actor: Actor) {
  const current = await entitlementsOf(deps.db, actor.orgId);
  const now = deps.clock.now();
  return {
    ...planJson(current),
    usage: {
      guestConversationsThisMonth: await guestConversationsSince(deps.db, actor.orgId, monthStart(now)),
      heldConversations: await heldConversations(deps.db, actor.orgId),
      periodStart: monthStart(now).toISOString(),
    },
    available: (await planCatalog(deps.db)).map(planJson),
  };
}

/** The hook a billing system plugs into: the main admin changes the plan; what it now allows comes in. */
export async function setPlan(deps: Deps, actor: Actor, plan: Plan) {
  await deps.db.transaction(async (tx) => {
    const from = await planOf(tx, actor.orgId);
    await tx.update(organizations).set({ plan }).where(eq(organizations.id, actor.orgId));
    const released = await releaseHeldConversations(tx, actor.orgId, deps.clock.now());
    await recordAudit(tx, { ...auditActor(actor), action: 'plan.change', subject: { type: 'organization', id: actor.orgId }, details: { from, to: plan, released } });
  });
  return getPlan(deps, actor);
}

export async function addCharge(tx: DbOrTx, charge: { orgId: string; description: string; amountCents: number; interval: 'month' | 'once'; source: string; at: Date }) {
  await tx.insert(billingCharges).values({ ...charge, startedAt: charge.at });
}

export async function endCharge(tx: DbOrTx, orgId: string, source: string, at: Date) {
  await tx.update(billingCharges).set({ endedAt: at }).where(and(eq(billingCharges.orgId, orgId), eq(billingCharges.source, source), isNull(billingCharges.endedAt)));
}

export async function listCharges(deps: Deps, actor: Actor) {
  const rows = await deps.db.select().from(billingCharges).where(eq(billingCharges.orgId, actor.orgId)).orderBy(asc(billingCharges.startedAt));
  return rows.map((c) => ({
    id: c.id,
    description: c.description,
    amountCents: c.amountCents,
    interval: c.interval,
    active: c.endedAt === null,
    startedAt: c.startedAt.toISOString(),
    endedAt: c.endedAt?.toISOString() ?? null,
  }));
}
