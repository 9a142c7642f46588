/**
 * M3: every status change of a message comes through here and the nextStatus rule, whoever reports
 * it — the delivery worker, a provider's callback, the portal or guest page that showed it.
 */
import { and, eq } from 'drizzle-orm';
import type { ProviderChannel } from '../channels/registry.js';
import { withOptOut } from '../contacts/opt-outs.js';
import type { StatusUpdate } from '../channels/types.js';
import { recordAudit } from '../audit/service.js';
import { contacts } from '../contacts/schema.js';
import type { Db, DbOrTx } from '../db/client.js';
import type { Clock } from '../deps.js';
import { publish } from '../realtime/events.js';
import { nextStatus, type MessageStatus } from './rules.js';
import { conversations, messages } from './schema.js';

/** Moves an outbound message's status forward (never back), and tells the open screens. */
export async function applyStatus(db: DbOrTx, clock: Clock, messageId: string, status: StatusUpdate['status'], reason?: string): Promise<MessageStatus | null> {
  const [row] = await db
    .select({ status: messages.status, orgId: messages.orgId, conversationId: messages.conversationId, clinicId: conversations.clinicId })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, messageId), eq(messages.direction, 'outbound')));
  if (!row) return null;
  const next = nextStatus('outbound', row.status, status);
  if (!next) return null;
  const updated = await db
    .update(messages)
    .set({ status: next, statusAt: clock.now(), failureReason: next === 'failed' ? (reason ?? 'the provider reported a failure') : null })
    .where(and(eq(messages.id, messageId), eq(messages.status, row.status)))
    .returning({ id: messages.id });
  if (!updated.length) return null;
  await publish(db, { type: 'message.status', orgId: row.orgId, clinicId: row.clinicId, conversationId: row.conversationId, messageId, status: next }, clock.now());
  return next;
}

/**
 * A provider's status callback: finds the message by the provider's id; unknown ids and repeats
 * change nothing. When the adapter read the report as "the recipient unsubscribed", the contact is
 * opted out of that channel.
 */
export async function applyProviderStatus(db: Db, clock: Clock, channel: ProviderChannel, update: StatusUpdate): Promise<MessageStatus | null> {
  return db.transaction(async (tx) => {
    const [message] = await tx
      .select({ id: messages.id, contactId: conversations.contactId, orgId: messages.orgId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.channel, channel), eq(messages.providerMessageId, update.providerMessageId)));
    if (!message) return null;
    if (update.optedOut) await tx.update(contacts).set({ optedOut: withOptOut(channel) }).where(eq(contacts.id, message.contactId));
    if (update.bounced && channel === 'email') await flagBouncing(tx, clock, message, update.reason ?? 'the mail system returned the message');
    return applyStatus(tx, clock, message.id, update.status, update.reason);
  });
}

/** S4: the contact's email address bounced: shown to the staff, and a send to it warns until the address changes. */
async function flagBouncing(tx: DbOrTx, clock: Clock, message: { id: string; contactId: string; orgId: string }, reason: string): Promise<void> {
  await tx.update(contacts).set({ emailBouncedAt: clock.now(), emailBounceReason: reason }).where(eq(contacts.id, message.contactId));
  await recordAudit(tx, {
    orgId: message.orgId,
    actor: { kind: 'system' },
    action: 'contact.email_bounced',
    subject: { type: 'contact', id: message.contactId },
    details: { messageId: message.id, reason },
  });
}
