import { sealFor, sealOptional } from '../encryption/columns.js';
import { and, desc, eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { publish } from '../realtime/events.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { isAdmin } from '../orgs/rules.js';
import { assertClinicAccess } from '../orgs/service.js';
import { type Channel, type Direction } from './rules.js';
import type { Tx } from '../db/client.js';
import { callLogs, conversations, messages } from './schema.js';
import { loadConversation } from './access.js';
import { answered } from './outbound.js';
import { messageText } from './message-text.js';
import { sendInTransaction } from './send.js';
import { eventScope, messageById } from './views.js';

export async function logCall(
  deps: Deps,
  actor: Actor,
  id: string,
  input: { startedAt: string; durationSeconds: number; direction: Direction; notes: string },
) {
  const startedAt = new Date(input.startedAt);
  if (startedAt > deps.clock.now()) throw new AppError('invalid_input', 'startedAt is in the future; log calls that happened');
  const messageId = await deps.db.transaction(async (tx) => {
    const conversation = await loadConversation(tx, actor, id, { lock: true });
    const at = deps.clock.now();
    const [message] = await tx
      .insert(messages)
      .values({
        orgId: actor.orgId,
        conversationId: id,
        direction: input.direction,
        channel: 'call',
        ...messageText(actor.orgId, input.notes),
        status: 'logged',
        senderUserId: actor.userId,
        createdAt: at,
        statusAt: at,
      })
      .returning({ id: messages.id });
    await tx.insert(callLogs).values({ messageId: message.id, startedAt, durationSeconds: input.durationSeconds });
    await tx
      .update(conversations)
      // An outgoing call answers the patient as a message would: the thread is no longer overdue.
      .set({ lastMessageId: message.id, lastActivityAt: at, ...(input.direction === 'outbound' ? answered(conversation, actor.userId, at) : {}) })
      .where(eq(conversations.id, conversation.id));
    await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id }, at);
    await recordAudit(tx, { ...auditActor(actor), action: 'call.log', subject: { type: 'message', id: message.id }, details: { conversationId: id } });
    return message.id;
  });
  return messageById(deps.db, messageId);
}

export async function starMessage(deps: Deps, actor: Actor, messageId: string, starred: boolean) {
  await deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ id: conversations.id, orgId: conversations.orgId, clinicId: conversations.clinicId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.id, messageId), eq(messages.orgId, actor.orgId)));
    if (!row) throw notFound('message');
    assertClinicAccess(actor, row.clinicId);
    await tx.update(messages).set({ starred }).where(eq(messages.id, messageId));
    await publish(tx, { type: 'conversation.updated', ...eventScope(row), messageId }, deps.clock.now());
    await recordAudit(tx, { ...auditActor(actor), action: starred ? 'message.star' : 'message.unstar', subject: { type: 'message', id: messageId } });
  });
  return messageById(deps.db, messageId);
}

/**
 * Integrity: staff take back a message they sent (an admin, anyone's) with a reason. Its text stays
 * for the record; the thread, the portal and the guest page show it as retracted. One still queued
 * is not sent. A correction, when given, goes out as a new message that names the retracted one —
 * in the same transaction, so a correction that cannot be sent (the patient opted out, say) leaves
 * the message as it was rather than retracted with no correction.
 */
export async function retractMessage(deps: Deps, actor: Actor, messageId: string, input: { reason: string; correction?: string }) {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .select({ m: { id: messages.id, direction: messages.direction, channel: messages.channel, senderUserId: messages.senderUserId, retractedAt: messages.retractedAt, conversationId: messages.conversationId } })
      .from(messages)
      .where(and(eq(messages.id, messageId), eq(messages.orgId, actor.orgId)))
      .for('update');
    if (!row) throw notFound('message');
    const conversation = await loadConversation(tx, actor, row.m.conversationId);
    if (row.m.direction !== 'outbound' || row.m.channel === 'call') throw new AppError('conflict', 'only messages the clinic sent can be retracted; a patient\'s message or a call log stays as it is');
    if (row.m.retractedAt) throw new AppError('conflict', 'this message was retracted already');
    if (row.m.senderUserId !== actor.userId && !isAdmin(actor.role)) throw new AppError('forbidden', 'only the sender or an admin may retract a message');
    await tx.update(messages).set({ retractedAt: deps.clock.now(), retractedBy: actor.userId, retractionReason: sealFor(messages.retractionReason, { id: messageId, orgId: actor.orgId }, input.reason.trim()) }).where(eq(messages.id, messageId));
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation), messageId }, deps.clock.now());
    await recordAudit(tx, { ...auditActor(actor), action: 'message.retract', subject: { type: 'message', id: messageId }, details: { conversationId: conversation.id, withCorrection: !!input.correction } });
    const correctionId = input.correction ? await sendInTransaction(deps, tx, actor, conversation.id, { body: input.correction, correctsMessageId: messageId }) : null;
    return { retracted: await messageById(tx, messageId), correction: correctionId && (await messageById(tx, correctionId)) };
  });
}

/**
 * A patient's reaction (WhatsApp) shows as the emoji on the message it reacts to; null takes it
 * back. Only a message in one of the patient's own threads of the organization can be reacted to;
 * a reaction to one we never had changes nothing. Returns the message reacted to, if any.
 */
export async function recordReaction(
  tx: Tx,
  at: Date,
  reaction: { orgId: string; contactId: string; channel: Channel; providerMessageId: string; emoji: string | null },
): Promise<string | null> {
  const [row] = await tx
    .select({ id: messages.id, conversationId: conversations.id, orgId: conversations.orgId, clinicId: conversations.clinicId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        eq(messages.orgId, reaction.orgId),
        eq(messages.channel, reaction.channel),
        eq(messages.providerMessageId, reaction.providerMessageId),
        eq(conversations.contactId, reaction.contactId),
      ),
    );
  if (!row) return null;
  await tx.update(messages).set({ patientReaction: sealOptional(messages.patientReaction, { id: row.id, orgId: reaction.orgId }, reaction.emoji) }).where(eq(messages.id, row.id));
  await publish(tx, { type: 'conversation.updated', ...eventScope({ id: row.conversationId, orgId: row.orgId, clinicId: row.clinicId }), messageId: row.id }, at);
  await recordAudit(tx, {
    orgId: reaction.orgId,
    actor: { kind: 'patient', contactId: reaction.contactId },
    action: reaction.emoji ? 'message.react' : 'message.unreact',
    subject: { type: 'message', id: row.id },
    details: { channel: reaction.channel },
  });
  return row.id;
}

/**
 * S2: an automatic keyword answer the carrier refused because the patient unsubscribed (Twilio
 * 21610: its own opt-out handling answered them) is no staff failure: it is kept for the record,
 * failed with its reason, but hidden from the thread, and the thread's last message is the one before.
 */
export async function hideRefusedKeywordReply(tx: Tx, messageId: string, conversationId: string): Promise<void> {
  await tx.update(messages).set({ hidden: true }).where(eq(messages.id, messageId));
  const [previous] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.conversationId, conversationId), eq(messages.hidden, false)))
    .orderBy(desc(messages.createdAt))
    .limit(1);
  await tx
    .update(conversations)
    .set({ lastMessageId: previous?.id ?? null })
    .where(and(eq(conversations.id, conversationId), eq(conversations.lastMessageId, messageId)));
}
