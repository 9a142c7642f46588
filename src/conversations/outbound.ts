import { sealFor, sealOptional } from '../encryption/columns.js';
import { messageText, sealMessageCard } from './message-text.js';
import { and, eq, inArray } from 'drizzle-orm';
import { publish } from '../realtime/events.js';
import { attachToMessage } from '../attachments/service.js';
import { channelLimit, hasReplyWindow } from '../channels/registry.js';
import { type ContactRow } from '../contacts/service.js';
import { newestFirst, type DbOrTx, type Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { statusesBefore, outboundRefusal, type SendChannel } from './rules.js';
import { conversations, messages, type MessageCard, type ConversationRow } from './schema.js';
import { conversationHooks } from './hooks.js';
import { eventScope } from './views.js';

export type OutboundSender = { kind: 'user'; userId: string } | { kind: 'campaign'; campaignId: string };

/**
 * Writes an outbound message into a conversation: checks the channel rules (S2/M1), stores the
 * message as `queued`, moves the thread's activity, marks the patient's messages replied and the
 * thread read. Staff replies, campaign messages and API sends all come through here.
 */
export interface OutboundInput {
  channel: SendChannel;
  body: string;
  sender: OutboundSender;
  at: Date;
  attachmentIds?: string[];
  whatsappTemplate?: { name: string; language: string };
  /** Only for the confirmation of an opt-out, the one text a carrier lets through after STOP. */
  ignoreOptOut?: boolean;
  /** The automatic answer to a STOP, START or HELP. */
  keywordReply?: boolean;
  /** M12: a portal message the patient sees only after entering their password again. */
  sensitive?: boolean;
  card?: MessageCard;
  /** Integrity: the retracted message this one corrects. */
  correctsMessageId?: string;
  /** S4: an email's subject, when staff gave one; the thread takes it if it has none. */
  subject?: string;
  /** S4: an email's formatting, sanitised; body is its plain text. */
  html?: string;
}

/** The patient's latest message to the organization on a channel: on WhatsApp it opens the 24-hour window (S4). */
async function lastInbound(tx: DbOrTx, orgId: string, contactId: string, channel: SendChannel): Promise<Date | null> {
  const [row] = await tx
    .select({ at: messages.createdAt })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.orgId, orgId), eq(conversations.contactId, contactId), eq(messages.channel, channel), eq(messages.direction, 'inbound')))
    .orderBy(newestFirst(messages.createdAt))
    .limit(1);
  return row?.at ?? null;
}

/** Refuses what a channel's rules forbid; returns the guest link a web reply goes to. */
async function checkChannelRules(tx: Tx, conversation: ConversationRow, contact: ContactRow, input: OutboundInput): Promise<string | null> {
  const guestLink = input.channel === 'web' ? await conversationHooks().currentGuestLink(tx, conversation.id) : null;
  const refusal = outboundRefusal(contact, input.channel, { hasGuestLink: guestLink !== null, ignoreOptOut: input.ignoreOptOut });
  if (refusal) throw new AppError(refusal.code, refusal.detail, { channel: input.channel, ...(refusal.missing ? { missing: refusal.missing } : {}) });
  const limit = channelLimit({
    channel: input.channel,
    body: input.body,
    attachmentCount: input.attachmentIds?.length ?? 0,
    template: Boolean(input.whatsappTemplate),
    lastInboundAt: hasReplyWindow(input.channel) ? await lastInbound(tx, conversation.orgId, contact.id, input.channel) : null,
    at: input.at,
  });
  if (limit) throw new AppError(limit.code, limit.detail);
  if (input.sensitive && input.channel !== 'portal') {
    throw new AppError('invalid_input', 'only portal chat messages can be marked sensitive: other channels cannot ask the patient to sign in before showing them', {
      errors: [{ field: 'body.sensitive', message: 'needs the portal channel' }],
    });
  }
  return guestLink;
}

export async function appendOutbound(tx: Tx, conversation: ConversationRow, contact: ContactRow, input: OutboundInput): Promise<string> {
  const guestLinkId = await checkChannelRules(tx, conversation, contact, input);
  const text = messageText(conversation.orgId, input.body);
  const row = { id: text.id, orgId: conversation.orgId };
  const [message] = await tx
    .insert(messages)
    .values({
      orgId: conversation.orgId,
      conversationId: conversation.id,
      direction: 'outbound',
      channel: input.channel,
      ...text,
      status: 'queued',
      senderUserId: input.sender.kind === 'user' ? input.sender.userId : null,
      campaignId: input.sender.kind === 'campaign' ? input.sender.campaignId : null,
      sensitive: input.sensitive ?? false,
      card: sealMessageCard(row, input.card),
      correctsMessageId: input.correctsMessageId ?? null,
      subject: sealOptional(messages.subject, row, input.subject),
      html: sealOptional(messages.html, row, input.html),
      guestLinkId,
      meta:
        input.whatsappTemplate || input.ignoreOptOut || input.keywordReply
          ? { whatsappTemplate: input.whatsappTemplate, optOutConfirmation: input.ignoreOptOut || undefined, keywordReply: input.keywordReply || undefined }
          : null,
      createdAt: input.at,
      statusAt: input.at,
    })
    .returning({ id: messages.id });
  if (input.attachmentIds?.length) await attachToMessage(tx, conversation.orgId, message.id, input.attachmentIds);
  await conversationHooks().queueDelivery(tx, message.id);
  await tx
    .update(messages)
    .set({ status: 'replied', statusAt: input.at })
    .where(and(eq(messages.conversationId, conversation.id), eq(messages.direction, 'inbound'), inArray(messages.status, statusesBefore('inbound', 'replied'))));
  await tx
    .update(conversations)
    .set({
      lastMessageId: message.id,
      lastActivityAt: input.at,
      channel: input.channel,
      ...(input.subject && !conversation.subject && { subject: sealFor(conversations.subject, conversation, input.subject) }),
      unread: input.sender.kind === 'user' ? false : conversation.unread,
      ...(input.sender.kind === 'user' ? answered(conversation, input.sender.userId, input.at) : {}),
    })
    .where(eq(conversations.id, conversation.id));
  await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id }, input.at);
  return message.id;
}

/**
 * B2: a team member's answer — a message, or a call they made and logged — ends the wait; the
 * first one is the thread's first response.
 */
export function answered(conversation: Pick<ConversationRow, 'firstInboundAt' | 'firstResponseAt'>, userId: string, at: Date) {
  return {
    awaitingSince: null,
    replyDueAt: null,
    ...(conversation.firstInboundAt && !conversation.firstResponseAt ? { firstResponseAt: at, firstResponderId: userId } : {}),
  };
}
