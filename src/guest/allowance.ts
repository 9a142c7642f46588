/**
 * P4: the plan's monthly allowance of new guest (web) conversations. A guest link that started a
 * conversation is admitted when it fits this month's room, otherwise its conversation is kept held
 * (stored, shown to no one) until a new month or a better plan lets it in. The guest module owns
 * this because it owns the links; billing only says how much room the plan gives
 * (entitlementsOf, guestRoomLeft) and calls back through PlanLimits when the plan changes.
 */
import { and, asc, count, eq, gte, isNotNull, isNull, sql } from 'drizzle-orm';
import { entitlementsOf, planRequired, type PlanLimits } from '../billing/service.js';
import { guestRoomLeft, monthStart } from '../billing/rules.js';
import { conversations } from '../conversations/schema.js';
import { bringHeldIntoView } from '../conversations/service.js';
import type { DbOrTx, Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import type { AppError } from '../errors.js';
import { guestLinks } from './schema.js';

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
    await bringHeldIntoView(tx, { orgId, clinicId: h.clinicId, conversationId: h.conversationId }, at);
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

/** The guest allowance as billing's routes see it: this month's count, and what a plan change lets in. */
export const guestAllowance: PlanLimits = {
  usage: async (db, orgId, at) => ({ guestConversationsThisMonth: await guestConversationsSince(db, orgId, monthStart(at)), heldConversations: await heldConversations(db, orgId) }),
  planChanged: releaseHeldConversations,
};
