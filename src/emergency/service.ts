/** HIPAA emergency access: an admin opens a thread outside their normal access by giving a reason; another admin reviews it. */
import { and, desc, eq, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { recordAudit, auditActor } from '../audit/service.js';
import type { Actor } from '../auth/actor.js';
import { emergencyThread } from '../conversations/service.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { users } from '../orgs/schema.js';
import { emergencyAccess } from './schema.js';

export async function openInEmergency(deps: Deps, actor: Actor, conversationId: string, reason: string) {
  const thread = await emergencyThread(deps, actor, conversationId);
  const [grant] = await deps.db
    .insert(emergencyAccess)
    .values({ orgId: actor.orgId, userId: actor.userId, conversationId, reason: reason.trim(), openedAt: deps.clock.now() })
    .returning({ id: emergencyAccess.id });
  await recordAudit(deps.db, {
    ...auditActor(actor),
    action: 'conversation.emergency_access',
    subject: { type: 'conversation', id: conversationId },
    details: { emergencyAccessId: grant.id, flaggedForReview: true, messages: thread.messages.length },
  });
  return { emergencyAccessId: grant.id, ...thread };
}

const opener = alias(users, 'opener');
const reviewer = alias(users, 'reviewer');

export async function listEmergencyAccess(deps: Deps, actor: Actor, q: { unreviewed?: boolean }) {
  const rows = await deps.db
    .select({ e: emergencyAccess, openedBy: opener.name, reviewedByName: reviewer.name })
    .from(emergencyAccess)
    .innerJoin(opener, eq(opener.id, emergencyAccess.userId))
    .leftJoin(reviewer, eq(reviewer.id, emergencyAccess.reviewedBy))
    .where(and(eq(emergencyAccess.orgId, actor.orgId), q.unreviewed ? isNull(emergencyAccess.reviewedAt) : undefined))
    .orderBy(desc(emergencyAccess.openedAt))
    .limit(500);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'emergency_access.list', subject: { type: 'emergency_access' } });
  return rows.map(({ e, openedBy, reviewedByName }) => ({
    id: e.id,
    conversationId: e.conversationId,
    openedBy: { id: e.userId, name: openedBy },
    reason: e.reason,
    openedAt: e.openedAt.toISOString(),
    reviewedAt: e.reviewedAt?.toISOString() ?? null,
    reviewedBy: e.reviewedBy ? { id: e.reviewedBy, name: reviewedByName ?? '' } : null,
    reviewNote: e.reviewNote,
  }));
}

/** Another admin signs off an emergency opening; nobody reviews their own. */
export async function reviewEmergencyAccess(deps: Deps, actor: Actor, id: string, note: string | undefined): Promise<void> {
  const [row] = await deps.db.select().from(emergencyAccess).where(and(eq(emergencyAccess.id, id), eq(emergencyAccess.orgId, actor.orgId)));
  if (!row) throw notFound('emergency access');
  if (row.userId === actor.userId) throw new AppError('forbidden', 'another admin reviews an emergency access; nobody reviews their own');
  if (row.reviewedAt) throw new AppError('conflict', 'this emergency access has been reviewed already');
  await deps.db.update(emergencyAccess).set({ reviewedAt: deps.clock.now(), reviewedBy: actor.userId, reviewNote: note?.trim() || null }).where(eq(emergencyAccess.id, id));
  await recordAudit(deps.db, { ...auditActor(actor), action: 'emergency_access.review', subject: { type: 'emergency_access', id }, details: { conversationId: row.conversationId } });
}
