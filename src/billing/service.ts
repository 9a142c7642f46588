import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import type { DbOrTx, Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Plan } from '../orgs/rules.js';
import { organizations } from '../orgs/schema.js';
import { cheapestWith, monthStart, planAllows, type Entitlements, type Feature } from './rules.js';
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
export async function planRequired(db: DbOrTx, current: Entitlements, what: string, allows: (e: Entitlements) => boolean): Promise<AppError> {
  const needed = cheapestWith(await planCatalog(db), allows);
  return new AppError('plan_required', `${what} needs the ${needed?.name ?? 'a higher'} plan; you are on ${current.name}`, { plan: needed?.plan ?? null });
}

/** 402 naming the plan that unlocks the feature, unless the organization's plan has it. */
export async function requireFeature(db: DbOrTx, orgId: string, feature: Feature, what: string): Promise<void> {
  const current = await entitlementsOf(db, orgId);
  if (!planAllows(current, feature)) throw await planRequired(db, current, what, (e) => planAllows(e, feature));
}

/**
 * What the modules above billing count against a plan's limits, and do when the plan changes: the
 * guest module holds the monthly allowance of new web conversations (guest/allowance.ts). Billing
 * only knows the plan, so the routes are given this (server.ts wires it) instead of billing reading
 * the guest links and conversations itself.
 */
export interface PlanLimits {
  usage(db: DbOrTx, orgId: string, at: Date): Promise<{ guestConversationsThisMonth: number; heldConversations: number }>;
  /** Run inside the plan change's transaction; returns how many held conversations it let in. */
  planChanged(tx: Tx, orgId: string, at: Date): Promise<number>;
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

export async function getPlan(deps: Deps, limits: PlanLimits, actor: Actor) {
  const current = await entitlementsOf(deps.db, actor.orgId);
  const now = deps.clock.now();
  return {
    ...planJson(current),
    usage: { ...(await limits.usage(deps.db, actor.orgId, now)), periodStart: monthStart(now).toISOString() },
    available: (await planCatalog(deps.db)).map(planJson),
  };
}

/** The hook a billing system plugs into: the main admin changes the plan; what it now allows comes in. */
export async function setPlan(deps: Deps, limits: PlanLimits, actor: Actor, plan: Plan) {
  await deps.db.transaction(async (tx) => {
    const from = await planOf(tx, actor.orgId);
    await tx.update(organizations).set({ plan }).where(eq(organizations.id, actor.orgId));
    const released = await limits.planChanged(tx, actor.orgId, deps.clock.now());
    await recordAudit(tx, { ...auditActor(actor), action: 'plan.change', subject: { type: 'organization', id: actor.orgId }, details: { from, to: plan, released } });
  });
  return getPlan(deps, limits, actor);
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
