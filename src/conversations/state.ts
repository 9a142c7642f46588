import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { publish } from '../realtime/events.js';
import { contacts } from '../contacts/schema.js';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { assertClinicAccess, assignableUser, inboxInOrg } from '../orgs/service.js';
import { autoArchiveCutoff, statusesBefore } from './rules.js';
import { conversations, conversationUserState, messages, type ConversationRow } from './schema.js';
import { conversationHooks } from './hooks.js';
import { emitWebhookEvent } from '../hooks/queue.js';
import { loadConversation } from './access.js';
import { reopenOrRefuse } from './thread-slot.js';
import { conversationById, eventScope } from './views.js';


const emitClosed = (tx: Tx, c: ConversationRow, at: Date) =>
  emitWebhookEvent(tx, c.orgId, 'conversation.closed', { conversationId: c.id, clinicId: c.clinicId, contactId: c.contactId }, at);

export const stateActions = ['read', 'unread', 'close', 'reopen', 'archive', 'unarchive'] as const;
export type StateAction = (typeof stateActions)[number];
export const viewActions = ['pin', 'unpin', 'mute', 'unmute'] as const;
export type ViewAction = (typeof viewActions)[number];

async function applyState(tx: Tx, deps: Deps, conversation: ConversationRow, action: StateAction): Promise<void> {
  const now = deps.clock.now();
  switch (action) {
    case 'read':
      await tx.update(conversations).set({ unread: false }).where(eq(conversations.id, conversation.id));
      await tx
        .update(messages)
        .set({ status: 'read', statusAt: now })
        .where(and(eq(messages.conversationId, conversation.id), eq(messages.direction, 'inbound'), inArray(messages.status, statusesBefore('inbound', 'read'))));
      return;
    case 'unread':
      await tx.update(conversations).set({ unread: true }).where(eq(conversations.id, conversation.id));
      return;
    case 'close':
      await tx.update(conversations).set({ status: 'closed' }).where(eq(conversations.id, conversation.id));
      if (conversation.status !== 'closed') await emitClosed(tx, conversation, now);
      return;
    case 'archive':
      await tx.update(conversations).set({ archivedAt: conversation.archivedAt ?? now }).where(eq(conversations.id, conversation.id));
      return;
    case 'reopen':
      if (conversation.status === 'open' && !conversation.archivedAt) return;
      await reopenOrRefuse(tx, conversation, { status: 'open' });
      return;
    case 'unarchive':
      if (conversation.archivedAt) await reopenOrRefuse(tx, conversation, { archivedAt: null });
      return;
  }
}

/**
 * P1: the sender is a spammer. The thread is closed, archived and marked; the contact is blocked
 * (nothing more is accepted from them or sent to them) and every guest link they hold stops working.
 */
export async function markSpam(deps: Deps, actor: Actor, id: string) {
  await deps.db.transaction(async (tx) => {
    const conversation = await loadConversation(tx, actor, id, { lock: true });
    const now = deps.clock.now();
    await tx
      .update(conversations)
      .set({ spamAt: conversation.spamAt ?? now, status: 'closed', archivedAt: conversation.archivedAt ?? now, unread: false })
      .where(eq(conversations.id, id));
    if (conversation.status !== 'closed') await emitClosed(tx, conversation, now);
    await tx.update(contacts).set({ blocked: true, updatedAt: now }).where(eq(contacts.id, conversation.contactId));
    const revokedGuestLinks = await conversationHooks().revokeGuestLinks(tx, conversation.contactId, now);
    await recordAudit(tx, [
      { ...auditActor(actor), action: 'conversation.spam', subject: { type: 'conversation', id }, details: { revokedGuestLinks } },
      { ...auditActor(actor), action: 'contact.block', subject: { type: 'contact', id: conversation.contactId } },
    ]);
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) }, now);
  });
  return conversationById(deps, actor, id);
}

export async function changeState(deps: Deps, actor: Actor, id: string, action: StateAction) {
  await deps.db.transaction(async (tx) => {
    const conversation = await loadConversation(tx, actor, id, { lock: true });
    await applyState(tx, deps, conversation, action);
    await recordAudit(tx, { ...auditActor(actor), action: `conversation.${action}`, subject: { type: 'conversation', id } });
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) }, deps.clock.now());
  });
  return conversationById(deps, actor, id);
}

export async function bulkChangeState(deps: Deps, actor: Actor, ids: string[], action: StateAction) {
  const unique = [...new Set(ids)];
  await deps.db.transaction(async (tx) => {
    const rows = await tx
      .select()
      .from(conversations)
      .where(and(inArray(conversations.id, unique), eq(conversations.orgId, actor.orgId)))
      .orderBy(asc(conversations.id))
      .for('update');
    if (rows.length !== unique.length) {
      const found = new Set(rows.map((r) => r.id));
      throw new AppError('not_found', `conversation not found: ${unique.filter((id) => !found.has(id)).join(', ')}`);
    }
    for (const row of rows) assertClinicAccess(actor, row.clinicId);
    for (const row of rows) await applyState(tx, deps, row, action);
    await publish(tx, rows.map((row) => ({ type: 'conversation.updated' as const, ...eventScope(row) })), deps.clock.now());
    await recordAudit(
      tx,
      rows.map((r) => ({ ...auditActor(actor), action: `conversation.${action}`, subject: { type: 'conversation', id: r.id }, details: { bulk: true } })),
    );
  });
  return { updated: unique.length, ids: unique };
}

export async function changeView(deps: Deps, actor: Actor, id: string, action: ViewAction) {
  await loadConversation(deps.db, actor, id);
  const field = action === 'pin' || action === 'unpin' ? 'pinned' : 'muted';
  const value = action === 'pin' || action === 'mute';
  await deps.db
    .insert(conversationUserState)
    .values({ conversationId: id, userId: actor.userId, [field]: value })
    .onConflictDoUpdate({ target: [conversationUserState.conversationId, conversationUserState.userId], set: { [field]: value } });
  await recordAudit(deps.db, { ...auditActor(actor), action: `conversation.${action}`, subject: { type: 'conversation', id } });
  return conversationById(deps, actor, id);
}

export async function assignConversation(deps: Deps, actor: Actor, id: string, userId: string | null) {
  await deps.db.transaction(async (tx) => {
    const conversation = await loadConversation(tx, actor, id, { lock: true });
    if (userId) await assignableUser(tx, actor.orgId, userId, conversation.clinicId);
    await tx.update(conversations).set({ assigneeId: userId }).where(eq(conversations.id, id));
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) }, deps.clock.now());
    await recordAudit(tx, {
      ...auditActor(actor),
      action: userId ? 'conversation.assign' : 'conversation.unassign',
      subject: { type: 'conversation', id },
      details: { from: conversation.assigneeId, to: userId },
    });
  });
  return conversationById(deps, actor, id);
}

export async function moveConversation(deps: Deps, actor: Actor, id: string, inboxId: string) {
  await deps.db.transaction(async (tx) => {
    const conversation = await loadConversation(tx, actor, id, { lock: true });
    await inboxInOrg(tx, actor.orgId, inboxId);
    await tx.update(conversations).set({ inboxId }).where(eq(conversations.id, id));
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) }, deps.clock.now());
    await recordAudit(tx, {
      ...auditActor(actor),
      action: 'conversation.move',
      subject: { type: 'conversation', id },
      details: { from: conversation.inboxId, to: inboxId },
    });
  });
  return conversationById(deps, actor, id);
}

/** Conversations archived per transaction by archiveInactive: a large install's first run has tens of thousands. */
export const archiveBatch = 1000;

/**
 * Archives every conversation idle for 12 months (M2); returns how many. Run hourly by the
 * maintenance job, a batch per transaction, so the first run on a large install neither holds
 * tens of thousands of rows in one transaction nor builds one statement for all of them.
 */
export async function archiveInactive(deps: Pick<Deps, 'db' | 'clock'>): Promise<number> {
  const now = deps.clock.now();
  let total = 0;
  for (;;) {
    const archived = await deps.db.transaction(async (tx) => {
      const due = tx
        .select({ id: conversations.id })
        .from(conversations)
        .where(and(isNull(conversations.archivedAt), sql`${conversations.lastActivityAt} < ${autoArchiveCutoff(now)}`))
        .limit(archiveBatch)
        .for('update', { skipLocked: true });
      const rows = await tx
        .update(conversations)
        .set({ archivedAt: now })
        .where(inArray(conversations.id, due))
        .returning({ id: conversations.id, orgId: conversations.orgId, clinicId: conversations.clinicId });
      await publish(tx, rows.map((c) => ({ type: 'conversation.updated' as const, ...eventScope(c) })), now);
      await recordAudit(
        tx,
        rows.map((c) => ({ orgId: c.orgId, actor: { kind: 'system' as const }, action: 'conversation.auto_archive', subject: { type: 'conversation', id: c.id } })),
      );
      return rows.length;
    });
    total += archived;
    if (archived < archiveBatch) return total;
  }
}

/** P4: a conversation held over the plan's guest allowance comes into view (guest/allowance.ts decides when). */
export async function bringHeldIntoView(tx: Tx, scope: { orgId: string; clinicId: string; conversationId: string }, at: Date): Promise<void> {
  await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, scope.conversationId));
  await publish(tx, { type: 'conversation.updated', ...scope }, at);
}
