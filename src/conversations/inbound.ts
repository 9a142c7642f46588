import { sealFor, sealOptional } from '../encryption/columns.js';
import { and, eq, isNull } from 'drizzle-orm';
import { publish } from '../realtime/events.js';
import { newestFirst, type Tx } from '../db/client.js';
import { clinics } from '../orgs/schema.js';
import { conversationHooks } from './hooks.js';
import { type Channel } from './rules.js';
import { conversations, messages, type ConversationRow } from './schema.js';
import { defaultOpeningHours, replyDueAt } from '../orgs/hours.js';
import { messageText } from './message-text.js';
import { activeConversation, createConversation, lockThreadSlot, reopenOrRefuse } from './thread-slot.js';
import { eventScope } from './views.js';

export interface InboundInput {
  orgId: string;
  clinicId: string;
  contactId: string;
  channel: Exclude<Channel, 'call'>;
  body: string;
  /** S4: the email's subject as it came, and the thread's (without "Re:"), which a thread without one takes. */
  subject?: { message: string; thread: string | null };
  /** S4: the email's HTML, sanitised. */
  html?: string | null;
  /** S4: the email's whole text when body is its reply without the quoted history. */
  fullText?: string | null;
  providerMessageId?: string;
  /** P1: the guest link a web message came through. */
  guestLinkId?: string;
  /** S4: written by a machine (an out-of-office): stored and shown as automatic; the patient is not waiting for an answer to it. */
  automatic?: boolean;
  /** P4: asked only when a new conversation is about to be made: whether it starts held (over the plan's limit). */
  holdNew?: () => Promise<boolean>;
  at: Date;
}

/** B2: the wait starts with the first message the team has not answered (an automatic one starts none). */
async function waitStarts(tx: Tx, conversation: ConversationRow, at: Date) {
  const [clinic] = await tx.select({ timezone: clinics.timezone, openingHours: clinics.openingHours }).from(clinics).where(eq(clinics.id, conversation.clinicId));
  return {
    awaitingSince: conversation.awaitingSince ?? at,
    replyDueAt: conversation.awaitingSince ? conversation.replyDueAt : replyDueAt(at, clinic.openingHours ?? defaultOpeningHours, clinic.timezone),
    firstInboundAt: conversation.firstInboundAt ?? at,
  };
}

/**
 * M2: an inbound message joins the contact's open conversation in the clinic, or reopens the latest
 * closed one, or starts a new one in the default inbox. Concurrent deliveries serialise on the
 * thread slot's lock, so they never fork the thread.
 */
export async function recordInbound(tx: Tx, input: InboundInput): Promise<{ conversationId: string; messageId: string; created: boolean; held: boolean }> {
  await lockThreadSlot(tx, input.clinicId, input.contactId);
  let conversation = await activeConversation(tx, input.clinicId, input.contactId);
  let created = false;
  if (!conversation) {
    const [latestClosed] = await tx
      .select()
      .from(conversations)
      .where(
        and(
          eq(conversations.clinicId, input.clinicId),
          eq(conversations.contactId, input.contactId),
          eq(conversations.status, 'closed'),
          isNull(conversations.archivedAt),
          isNull(conversations.hiddenAt),
        ),
      )
      .orderBy(newestFirst(conversations.lastActivityAt))
      .limit(1);
    if (latestClosed) {
      conversation = await reopenOrRefuse(tx, latestClosed, { status: 'open' });
    } else {
      created = true;
      const { orgId, clinicId, contactId, channel, at } = input;
      conversation = await createConversation(tx, { orgId, clinicId, contactId, channel, at, held: await input.holdNew?.() });
    }
  }
  if (conversation.heldAt && input.channel !== 'web') {
    // A patient writing by another channel is not a new guest conversation: the plan's limit does not hold it.
    [conversation] = await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, conversation.id)).returning();
  }
  const text = messageText(input.orgId, input.body);
  const row = { id: text.id, orgId: input.orgId };
  const [message] = await tx
    .insert(messages)
    .values({
      orgId: input.orgId,
      conversationId: conversation.id,
      guestLinkId: input.guestLinkId,
      direction: 'inbound',
      channel: input.channel,
      ...text,
      fullText: sealOptional(messages.fullText, row, input.fullText),
      html: sealOptional(messages.html, row, input.html),
      subject: sealOptional(messages.subject, row, input.subject?.message || null),
      status: 'unread',
      providerMessageId: input.providerMessageId,
      meta: input.automatic ? { automatic: true } : undefined,
      createdAt: input.at,
      statusAt: input.at,
    })
    .returning({ id: messages.id });
  await tx
    .update(conversations)
    .set({
      lastMessageId: message.id,
      lastActivityAt: input.at,
      channel: input.channel,
      unread: true,
      ...(!conversation.subject && input.subject?.thread && { subject: sealFor(conversations.subject, conversation, input.subject.thread) }),
      ...(!input.automatic && (await waitStarts(tx, conversation, input.at))),
    })
    .where(eq(conversations.id, conversation.id));
  await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id }, input.at);
  await conversationHooks().queuePush(tx, input.orgId, message.id);
  return { conversationId: conversation.id, messageId: message.id, created, held: conversation.heldAt !== null };
}
