import { and, asc, eq, isNull } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { auditActor } from '../auth/service.js';
import { recordAudit } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import type { Plan } from '../orgs/rules.js';
import { organizations } from '../orgs/schema.js';
import { planAllows, planCatalog, planFor, type Feature } from './rules.js';
import { billingCharges } from './schema.js';

export async function planOf(db: DbOrTx, orgId: string): Promise<Plan> {
  const [org] = await db.select({ plan: organizations.plan }).from(organizations).where(eq(organizations.id, orgId));
  return org.plan;
}

/** 402 naming the plan that unlocks the feature, unless the organization's plan has it. */
export async function requireFeature(db: DbOrTx, orgId: string, feature: Feature, what: string): Promise<void> {
  const plan = await planOf(db, orgId);
  if (!planAllows(plan, feature)) {
    const needed = planFor(feature);
    throw new AppError('plan_required', `${what} needs the ${planCatalog[needed].name} plan; you are on ${planCatalog[plan].name}`, { plan: needed });
  }
}

export async function getPlan(deps: Deps, actor: Actor) {
  const plan = await planOf(deps.db, actor.orgId);
  return { plan, name: planCatalog[plan].name, features: [...planCatalog[plan].features] };
}

/** The hook a billing system plugs into: the main admin changes the plan. */
export async function setPlan(deps: Deps, actor: Actor, plan: Plan) {
  await deps.db.transaction(async (tx) => {
    const from = await planOf(tx, actor.orgId);
    await tx.update(organizations).set({ plan }).where(eq(organizations.id, actor.orgId));
    await recordAudit(tx, { ...auditActor(actor), action: 'plan.change', subject: { type: 'organization', id: actor.orgId }, details: { from, to: plan } });
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
