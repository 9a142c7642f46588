import { and, asc, eq, exists, getTableColumns, inArray, isNotNull, isNull, ne, or, sql, type SQL } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { publish } from '../realtime/events.js';
import { attachmentsOf, attachToMessage, type attachmentJson } from '../attachments/service.js';
import { whatsappWindowOpen } from '../channels/rules.js';
import { maxSmsSegments, smsSize } from '../channels/sms-segments.js';
import { enqueueDelivery } from '../delivery/queue.js';
import { normalizePhone, phoneSearchTerms } from '../contacts/rules.js';
import { contactInOrg, contactMatch, findOrCreateContact, parseEmail, type ContactRow } from '../contacts/service.js';
import { contacts } from '../contacts/schema.js';
import { newestFirst, type DbOrTx, type Tx } from '../db/client.js';
import { encodeCursor, readCursor } from '../db/keyset.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { isAdmin, type Role } from '../orgs/rules.js';
import { clinics, users } from '../orgs/schema.js';
import { campaigns } from '../campaigns/schema.js';
import { renderTemplate } from '../templates/rules.js';
import { templateInOrg } from '../templates/service.js';
import { accessibleClinic, assertClinicAccess, assignableUser, defaultInbox, inboxInOrg } from '../orgs/service.js';
import {
  autoArchiveCutoff,
  mayPost,
  openStatusCondition,
  outboundRefusal,
  preview,
  sendableChannels,
  type Channel,
  type Direction,
  type MessageStatus,
  type OpenStatusFilter,
  type SendChannel,
} from './rules.js';
import { callLogs, conversations, conversationUserState, messages, type MessageCard } from './schema.js';
import { cardLinks } from '../artifacts/schema.js';
import { createCardLink, cardUrl, newCardToken, resolveCard, type CardInput } from '../artifacts/service.js';
import { cardLabels, cardLine, type CardKind } from '../artifacts/rules.js';
import { defaultOpeningHours, isOpen, lastClosing, replyDueAt } from '../orgs/hours.js';
import { systemCampaign } from '../campaigns/system.js';
import { guestLinks } from '../guest/schema.js';
import { bookings } from '../bookings/schema.js';
import { emitWebhookEvent } from '../hooks/queue.js';
import { searchQuery } from '../encryption/search.js';

type ConversationRow = typeof conversations.$inferSelect;
type AttachmentJson = ReturnType<typeof attachmentJson>;

export const eventScope = (c: { id: string; orgId: string; clinicId: string }) => ({ orgId: c.orgId, clinicId: c.clinicId, conversationId: c.id });

/** Threads staff see: not those of a disabled SMS inbox (S1), not guest threads held over the plan's limit (P4). */
const shownToStaff = and(isNull(conversations.hiddenAt), isNull(conversations.heldAt))!;

// ---------------------------------------------------------------------------------------------
// Reading: the conversation list item and the message, as the API shows them
// ---------------------------------------------------------------------------------------------

const assignee = alias(users, 'assignee');
const lastMessage = alias(messages, 'last_message');
const lastSender = alias(users, 'last_sender');
const lastCampaign = alias(campaigns, 'last_campaign');

function conversationSelect(userId: string, db: DbOrTx) {
  return db
    .select({
      c: conversations,
      contact: {
        id: contacts.id,
        name: contacts.name,
        type: contacts.type,
        phone: contacts.phone,
        email: contacts.email,
        blocked: contacts.blocked,
      },
      assignee: { id: assignee.id, name: assignee.name },
      last: {
        id: lastMessage.id,
        body: lastMessage.body,
        direction: lastMessage.direction,
        channel: lastMessage.channel,
        status: lastMessage.status,
        createdAt: lastMessage.createdAt,
      },
      lastSenderName: lastSender.name,
      lastCampaignName: lastCampaign.name,
      pinned: sql<boolean>`coalesce(${conversationUserState.pinned}, false)`,
      muted: sql<boolean>`coalesce(${conversationUserState.muted}, false)`,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(assignee, eq(assignee.id, conversations.assigneeId))
    .leftJoin(lastMessage, eq(lastMessage.id, conversations.lastMessageId))
    .leftJoin(lastSender, eq(lastSender.id, lastMessage.senderUserId))
    .leftJoin(lastCampaign, eq(lastCampaign.id, lastMessage.campaignId))
    .leftJoin(
      conversationUserState,
      and(eq(conversationUserState.conversationId, conversations.id), eq(conversationUserState.userId, userId)),
    )
    .$dynamic();
}

type ConversationSelectRow = Awaited<ReturnType<ReturnType<typeof conversationSelect>['execute']>>[number];

function conversationJson(row: ConversationSelectRow, now: Date) {
  const { c } = row;
  return {
    id: c.id,
    contact: row.contact,
    channel: c.channel,
    status: c.status,
    archived: c.archivedAt !== null,
    archivedAt: c.archivedAt?.toISOString() ?? null,
    spam: c.spamAt !== null,
    unread: c.unread,
    assignee: row.assignee,
    inboxId: c.inboxId,
    clinicId: c.clinicId,
    lastMessage: row.last && {
      id: row.last.id,
      preview: preview(row.last.body),
      direction: row.last.direction,
      channel: row.last.channel,
      status: row.last.status,
      senderName: row.lastCampaignName ?? row.lastSenderName ?? (row.last.direction === 'inbound' ? row.contact.name : null),
      createdAt: row.last.createdAt.toISOString(),
    },
    lastActivityAt: c.lastActivityAt.toISOString(),
    awaitingSince: c.awaitingSince?.toISOString() ?? null,
    replyDueAt: c.replyDueAt?.toISOString() ?? null,
    overdue: c.replyDueAt !== null && c.replyDueAt < now,
    pinned: row.pinned,
    muted: row.muted,
    createdAt: c.createdAt.toISOString(),
  };
}


/** One conversation as the list shows it; `overdue` is judged by the clock the rest of the request uses. */
async function conversationById(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, id: string) {
  const db = deps.db;
  const [row] = await conversationSelect(actor.userId, db).where(and(eq(conversations.id, id), eq(conversations.orgId, actor.orgId), shownToStaff));
  if (!row) throw notFound('conversation');
  return conversationJson(row, deps.clock.now());
}

const sender = alias(users, 'sender');
/** Every message column but the search vector, which only queries need. */
const { search: _search, ...messageColumns } = getTableColumns(messages);

function messageSelect(db: DbOrTx) {
  return db
    .select({
      m: messageColumns,
      senderName: sender.name,
      campaignName: campaigns.name,
      contactName: contacts.name,
      contactId: contacts.id,
      call: { startedAt: callLogs.startedAt, durationSeconds: callLogs.durationSeconds },
      link: { expiresAt: cardLinks.expiresAt, openCount: cardLinks.openCount, firstOpenedAt: cardLinks.firstOpenedAt, lastOpenedAt: cardLinks.lastOpenedAt, token: cardLinks.token },
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(sender, eq(sender.id, messages.senderUserId))
    .leftJoin(campaigns, eq(campaigns.id, messages.campaignId))
    .leftJoin(callLogs, eq(callLogs.messageId, messages.id))
    .leftJoin(cardLinks, eq(cardLinks.messageId, messages.id))
    .$dynamic();
}

type MessageSelectRow = Awaited<ReturnType<ReturnType<typeof messageSelect>['execute']>>[number];

/** M10: who a message is from — a team member, a campaign, or the patient. */
function senderOf(row: MessageSelectRow) {
  const { m } = row;
  if (m.campaignId) return { type: 'campaign' as const, id: m.campaignId, name: row.campaignName ?? 'Campaign' };
  if (m.senderUserId) return { type: 'user' as const, id: m.senderUserId, name: row.senderName ?? 'Team member' };
  return { type: 'contact' as const, id: row.contactId, name: row.contactName };
}

function messageJson(row: MessageSelectRow, files: AttachmentJson[] = []) {
  const { m } = row;
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    channel: m.channel,
    body: m.body,
    status: m.status,
    failureReason: m.failureReason,
    sender: senderOf(row),
    starred: m.starred,
    sensitive: m.sensitive,
    createdAt: m.createdAt.toISOString(),
    statusAt: m.statusAt.toISOString(),
    call: row.call && { startedAt: row.call.startedAt.toISOString(), durationSeconds: row.call.durationSeconds },
    card: m.card && {
      ...m.card,
      link: row.link?.token
        ? {
            expiresAt: row.link.expiresAt.toISOString(),
            openCount: row.link.openCount,
            firstOpenedAt: row.link.firstOpenedAt?.toISOString() ?? null,
            lastOpenedAt: row.link.lastOpenedAt?.toISOString() ?? null,
          }
        : null,
    },
    attachments: files,
    retracted: m.retractedAt && { at: m.retractedAt.toISOString(), byUserId: m.retractedBy, reason: m.retractionReason ?? '' },
    correctsMessageId: m.correctsMessageId,
  };
}

async function messagesJson(db: DbOrTx, rows: MessageSelectRow[]) {
  const files = await attachmentsOf(db, rows.map((r) => r.m.id));
  return rows.map((r) => messageJson(r, files.get(r.m.id)));
}


async function messageById(db: DbOrTx, id: string) {
  const [json] = await messagesJson(db, await messageSelect(db).where(eq(messages.id, id)));
  return json;
}

// ---------------------------------------------------------------------------------------------
// Loading with authorization
// ---------------------------------------------------------------------------------------------

/** The conversation if it is the actor's organization's (else 404) and they work at its clinic (else 403). */
export async function loadConversation(db: DbOrTx, actor: Actor, id: string, opts: { lock?: boolean } = {}): Promise<ConversationRow> {
  const query = db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.orgId, actor.orgId), shownToStaff));
  const [row] = opts.lock ? await query.for('update') : await query;
  if (!row) throw notFound('conversation');
  assertClinicAccess(actor, row.clinicId);
  if (row.channel === 'sms') assertSmsAccess(actor);
  return row;
}

/** S1/T3: the two-way SMS inbox is for users with the `inbox` privilege. */
function assertSmsAccess(actor: Actor): void {
  if (!actor.privileges.includes('inbox')) {
    throw new AppError('missing_privilege', 'SMS conversations need the "inbox" privilege; an admin can grant it', { privilege: 'inbox' });
  }
}

/** What of a thread a user may see: no SMS without the `inbox` privilege, nothing of a disabled SMS inbox. */
export function visibleMessages(actor: Actor): SQL {
  return and(eq(messages.hidden, false), actor.privileges.includes('inbox') ? undefined : ne(messages.channel, 'sms'))!;
}

/** Serialises every write that could make or revive a patient's active thread in a clinic. */
async function lockThreadSlot(tx: Tx, clinicId: string, contactId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${clinicId}:${contactId}`}, 0))`);
}

async function activeConversation(tx: Tx, clinicId: string, contactId: string): Promise<ConversationRow | undefined> {
  const [row] = await tx
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.clinicId, clinicId),
        eq(conversations.contactId, contactId),
        eq(conversations.status, 'open'),
        isNull(conversations.archivedAt),
      ),
    );
  return row;
}

const poster = (actor: Actor) => ({ kind: 'staff' as const, userId: actor.userId, role: actor.role as Role });

function refuse(verdict: ReturnType<typeof mayPost>): void {
  if (!verdict.allowed) throw new AppError(verdict.code, verdict.detail);
}

// ---------------------------------------------------------------------------------------------
// The one way in for every message
// ---------------------------------------------------------------------------------------------

export type OutboundSender = { kind: 'user'; userId: string } | { kind: 'campaign'; campaignId: string };

/** P1: the guest link a web reply goes to — the one the patient wrote through last, unless revoked. */
async function currentGuestLink(db: DbOrTx, conversationId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: guestLinks.id })
    .from(messages)
    .innerJoin(guestLinks, eq(guestLinks.id, messages.guestLinkId))
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'inbound'), eq(messages.channel, 'web'), isNull(guestLinks.revokedAt)))
    .orderBy(newestFirst(messages.createdAt))
    .limit(1);
  return row?.id ?? null;
}

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
  /** M12: a portal message the patient sees only after entering their password again. */
  sensitive?: boolean;
  card?: MessageCard;
  /** Integrity: the retracted message this one corrects. */
  correctsMessageId?: string;
}

/** The patient's latest WhatsApp message to the organization: it opens the 24-hour window (S4). */
async function lastWhatsAppInbound(tx: DbOrTx, orgId: string, contactId: string): Promise<Date | null> {
  const [row] = await tx
    .select({ at: messages.createdAt })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.orgId, orgId), eq(conversations.contactId, contactId), eq(messages.channel, 'whatsapp'), eq(messages.direction, 'inbound')))
    .orderBy(newestFirst(messages.createdAt))
    .limit(1);
  return row?.at ?? null;
}

/** Refuses what a channel's rules forbid; returns the guest link a web reply goes to. */
async function checkChannelRules(tx: Tx, conversation: ConversationRow, contact: ContactRow, input: OutboundInput): Promise<string | null> {
  const guestLink = input.channel === 'web' ? await currentGuestLink(tx, conversation.id) : null;
  const refusal = outboundRefusal(contact, input.channel, { hasGuestLink: guestLink !== null, ignoreOptOut: input.ignoreOptOut });
  if (refusal) throw new AppError(refusal.code, refusal.detail, { channel: input.channel, ...(refusal.missing ? { missing: refusal.missing } : {}) });
  if (input.channel === 'sms' && smsSize(input.body).segments > maxSmsSegments) {
    throw new AppError('invalid_input', `an SMS is at most ${maxSmsSegments} segments; this one needs ${smsSize(input.body).segments}. Shorten it or send it by email or portal chat`);
  }
  if (input.channel === 'sms' && input.attachmentIds?.length) {
    throw new AppError('attachments_not_allowed', 'attachments cannot go by SMS; choose email, WhatsApp or portal chat');
  }
  if (input.channel === 'whatsapp' && !input.whatsappTemplate && !whatsappWindowOpen(await lastWhatsAppInbound(tx, conversation.orgId, contact.id), input.at)) {
    throw new AppError('whatsapp_window_closed', 'the patient has not written on WhatsApp in the last 24 hours; only an approved template can be sent');
  }
  if (input.sensitive && input.channel !== 'portal') {
    throw new AppError('invalid_input', 'only portal chat messages can be marked sensitive: other channels cannot ask the patient to sign in before showing them', {
      errors: [{ field: 'body.sensitive', message: 'needs the portal channel' }],
    });
  }
  return guestLink;
}

/** A message's text and its blind search index, which is written from the same text (encryption/search.ts). */
const messageText = (body: string) => ({ body, search: body });

export async function appendOutbound(tx: Tx, conversation: ConversationRow, contact: ContactRow, input: OutboundInput): Promise<string> {
  const guestLinkId = await checkChannelRules(tx, conversation, contact, input);
  const [message] = await tx
    .insert(messages)
    .values({
      orgId: conversation.orgId,
      conversationId: conversation.id,
      direction: 'outbound',
      channel: input.channel,
      ...messageText(input.body),
      status: 'queued',
      senderUserId: input.sender.kind === 'user' ? input.sender.userId : null,
      campaignId: input.sender.kind === 'campaign' ? input.sender.campaignId : null,
      sensitive: input.sensitive ?? false,
      card: input.card ?? null,
      correctsMessageId: input.correctsMessageId ?? null,
      guestLinkId,
      meta: input.whatsappTemplate || input.ignoreOptOut ? { whatsappTemplate: input.whatsappTemplate, optOutConfirmation: input.ignoreOptOut || undefined } : null,
      createdAt: input.at,
      statusAt: input.at,
    })
    .returning({ id: messages.id });
  if (input.attachmentIds?.length) await attachToMessage(tx, conversation.orgId, message.id, input.attachmentIds);
  await enqueueDelivery(tx, message.id);
  await tx
    .update(messages)
    .set({ status: 'replied', statusAt: input.at })
    .where(and(eq(messages.conversationId, conversation.id), eq(messages.direction, 'inbound'), inArray(messages.status, ['unread', 'read'])));
  await tx
    .update(conversations)
    .set({
      lastMessageId: message.id,
      lastActivityAt: input.at,
      channel: input.channel,
      unread: input.sender.kind === 'user' ? false : conversation.unread,
      // B2: a team member's answer ends the wait; the first one is the thread's first response.
      ...(input.sender.kind === 'user'
        ? {
            awaitingSince: null,
            replyDueAt: null,
            ...(conversation.firstInboundAt && !conversation.firstResponseAt ? { firstResponseAt: input.at, firstResponderId: input.sender.userId } : {}),
          }
        : {}),
    })
    .where(eq(conversations.id, conversation.id));
  await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id });
  return message.id;
}

export interface InboundInput {
  orgId: string;
  clinicId: string;
  contactId: string;
  channel: Exclude<Channel, 'call'>;
  body: string;
  providerMessageId?: string;
  /** P1: the guest link a web message came through. */
  guestLinkId?: string;
  /** P4: asked only when a new conversation is about to be made: whether it starts held (over the plan's limit). */
  holdNew?: () => Promise<boolean>;
  at: Date;
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
      [conversation] = await tx.update(conversations).set({ status: 'open' }).where(eq(conversations.id, latestClosed.id)).returning();
    } else {
      const inbox = await defaultInbox(tx, input.orgId);
      created = true;
      [conversation] = await tx
        .insert(conversations)
        .values({
          orgId: input.orgId,
          clinicId: input.clinicId,
          inboxId: inbox.id,
          contactId: input.contactId,
          channel: input.channel,
          originChannel: input.channel,
          lastActivityAt: input.at,
          createdAt: input.at,
          heldAt: (await input.holdNew?.()) ? input.at : null,
        })
        .returning();
    }
  }
  if (conversation.heldAt && input.channel !== 'web') {
    // A patient writing by another channel is not a new guest conversation: the plan's limit does not hold it.
    [conversation] = await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, conversation.id)).returning();
  }
  const [message] = await tx
    .insert(messages)
    .values({
      orgId: input.orgId,
      conversationId: conversation.id,
      guestLinkId: input.guestLinkId,
      direction: 'inbound',
      channel: input.channel,
      ...messageText(input.body),
      status: 'unread',
      providerMessageId: input.providerMessageId,
      createdAt: input.at,
      statusAt: input.at,
    })
    .returning({ id: messages.id });
  const [clinic] = await tx.select({ timezone: clinics.timezone, openingHours: clinics.openingHours }).from(clinics).where(eq(clinics.id, conversation.clinicId));
  await tx
    .update(conversations)
    .set({
      lastMessageId: message.id,
      lastActivityAt: input.at,
      channel: input.channel,
      unread: true,
      // B2: the wait starts with the first message the team has not answered.
      awaitingSince: conversation.awaitingSince ?? input.at,
      replyDueAt: conversation.awaitingSince ? conversation.replyDueAt : replyDueAt(input.at, clinic.openingHours ?? defaultOpeningHours, clinic.timezone),
      firstInboundAt: conversation.firstInboundAt ?? input.at,
    })
    .where(eq(conversations.id, conversation.id));
  await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id });
  return { conversationId: conversation.id, messageId: message.id, created, held: conversation.heldAt !== null };
}

/**
 * B2: the clinic's after-hours auto-reply, at most once per conversation per night, on the channel
 * the patient wrote on. Callers skip it for carrier keywords (STOP gets its own confirmation only).
 */
export async function replyAfterHours(tx: Tx, conversationId: string, at: Date): Promise<void> {
  const [row] = await tx
    .select({ c: conversations, clinic: clinics, contact: contacts })
    .from(conversations)
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId));
  const hours = row.clinic.openingHours ?? defaultOpeningHours;
  if (!row.clinic.afterHoursReply || isOpen(at, hours, row.clinic.timezone)) return;
  const closing = lastClosing(at, hours, row.clinic.timezone);
  if (row.c.afterHoursRepliedAt && (!closing || row.c.afterHoursRepliedAt >= closing)) return;
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
  try {
    await appendOutbound(tx, conversation, row.contact, {
      channel: conversation.channel as SendChannel,
      body: row.clinic.afterHoursReply,
      sender: { kind: 'campaign', campaignId: await systemCampaign(tx, row.c.orgId, 'After-hours reply') },
      at: new Date(at.getTime() + 1),
    });
  } catch (e) {
    // A patient the channel cannot reach (opted out, blocked) simply gets no auto-reply.
    if (e instanceof AppError) return;
    throw e;
  }
  await tx.update(conversations).set({ afterHoursRepliedAt: at }).where(eq(conversations.id, conversationId));
}

// ---------------------------------------------------------------------------------------------
// Use-cases
// ---------------------------------------------------------------------------------------------

export interface StartInput {
  contactId?: string;
  phone?: string;
  email?: string;
  name?: string;
  channel: SendChannel;
  clinicId: string;
  inboxId?: string;
  body: string;
  attachmentIds?: string[];
  whatsappTemplate?: { name: string; language: string };
  sensitive?: boolean;
}

async function resolveRecipient(deps: Deps, tx: Tx, actor: Actor, input: StartInput): Promise<ContactRow> {
  const given = [input.contactId, input.phone, input.email].filter((v) => v !== undefined).length;
  if (given !== 1) throw new AppError('invalid_input', 'give exactly one of contactId, phone or email');
  if (input.contactId) return contactInOrg(tx, actor.orgId, input.contactId);
  if (input.phone) {
    const phone = normalizePhone(input.phone, deps.config.defaultCountry);
    if (!phone.ok) throw new AppError('invalid_number', `cannot text or message ${input.phone}: ${phone.reason}`);
    return findOrCreateContact(tx, actor.orgId, { phone: phone.e164 }, input.name);
  }
  return findOrCreateContact(tx, actor.orgId, { email: parseEmail(input.email!) }, input.name);
}

/**
 * Starts a conversation with a contact (made a lead when the phone or email is new). When the
 * patient already has an active thread in the clinic, the message joins it — conversations are
 * patient-centred — unless T4 forbids the sender to start one.
 */
export async function startConversation(deps: Deps, actor: Actor, input: StartInput) {
  if (input.channel === 'sms') assertSmsAccess(actor);
  const result = await deps.db.transaction(async (tx) => {
    await accessibleClinic(tx, actor, input.clinicId);
    const inbox = input.inboxId ? await inboxInOrg(tx, actor.orgId, input.inboxId) : await defaultInbox(tx, actor.orgId);
    const contact = await resolveRecipient(deps, tx, actor, input);
    await lockThreadSlot(tx, input.clinicId, contact.id);
    const existing = await activeConversation(tx, input.clinicId, contact.id);
    refuse(mayPost(poster(actor), { kind: 'start', hasActiveConversation: Boolean(existing) }));
    // Staff writing to the patient bring a thread held over the plan's guest limit into view.
    if (existing?.heldAt) await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, existing.id));
    const at = deps.clock.now();
    const conversation =
      existing ??
      (
        await tx
          .insert(conversations)
          .values({
            orgId: actor.orgId,
            clinicId: input.clinicId,
            inboxId: inbox.id,
            contactId: contact.id,
            channel: input.channel,
            originChannel: input.channel,
            startedByUserId: actor.userId,
            lastActivityAt: at,
            createdAt: at,
          })
          .returning()
      )[0];
    const messageId = await appendOutbound(tx, conversation, contact, {
      channel: input.channel,
      body: input.body,
      sender: { kind: 'user', userId: actor.userId },
      at,
      attachmentIds: input.attachmentIds,
      whatsappTemplate: input.whatsappTemplate,
      sensitive: input.sensitive,
    });
    await recordAudit(tx, [
      ...(existing
        ? []
        : [{ ...auditActor(actor), action: 'conversation.create', subject: { type: 'conversation', id: conversation.id } }]),
      {
        ...auditActor(actor),
        action: 'message.send',
        subject: { type: 'message', id: messageId },
        details: { conversationId: conversation.id, channel: input.channel },
      },
    ]);
    return { conversationId: conversation.id, messageId, joinedExisting: Boolean(existing) };
  });
  return {
    conversation: await conversationById(deps, actor, result.conversationId),
    message: await messageById(deps.db, result.messageId),
    joinedExisting: result.joinedExisting,
  };
}

/**
 * M10: a campaign's message, in the caller's transaction: it joins the patient's active thread in
 * the clinic or starts one, under the same channel rules and delivery path as a staff message.
 */
export async function appendAutomatic(
  tx: Tx,
  input: { orgId: string; clinicId: string; contact: ContactRow; channel: SendChannel; body: string; campaignId: string; at: Date },
): Promise<{ conversationId: string; messageId: string }> {
  await lockThreadSlot(tx, input.clinicId, input.contact.id);
  const conversation =
    (await activeConversation(tx, input.clinicId, input.contact.id)) ??
    (
      await tx
        .insert(conversations)
        .values({
          orgId: input.orgId,
          clinicId: input.clinicId,
          inboxId: (await defaultInbox(tx, input.orgId)).id,
          contactId: input.contact.id,
          channel: input.channel,
          originChannel: input.channel,
          lastActivityAt: input.at,
          createdAt: input.at,
        })
        .returning()
    )[0];
  const messageId = await appendOutbound(tx, conversation, input.contact, { channel: input.channel, body: input.body, sender: { kind: 'campaign', campaignId: input.campaignId }, at: input.at });
  return { conversationId: conversation.id, messageId };
}

/** A reply in a conversation; reopens and unarchives it, since a new message is new activity. */
export interface SendInput {
  channel?: SendChannel;
  body?: string;
  templateId?: string;
  attachmentIds?: string[];
  whatsappTemplate?: { name: string; language: string };
  sensitive?: boolean;
  /** K4: send a card (an artifact or a request) with a secure, expiring link. */
  card?: CardInput;
  correctsMessageId?: string;
}

export async function sendMessage(deps: Deps, actor: Actor, conversationId: string, input: SendInput) {
  const messageId = await deps.db.transaction(async (tx) => {
    let conversation = await loadConversation(tx, actor, conversationId, { lock: true });
    refuse(mayPost(poster(actor), { kind: 'reply', conversation }));
    const contact = await contactInOrg(tx, actor.orgId, conversation.contactId);
    if (conversation.status === 'closed' || conversation.archivedAt) {
      conversation = await revive(tx, conversation);
    }
    const channel = input.channel ?? (conversation.channel === 'call' ? sendableChannels(contact)[0] : conversation.channel);
    if (!channel) throw new AppError('channel_unavailable', 'this contact has no phone, email or portal chat to send to');
    if (channel === 'sms') assertSmsAccess(actor);
    const at = deps.clock.now();
    const card = input.card ? await resolveCard(tx, actor.orgId, contact.id, input.card) : undefined;
    const token = card ? newCardToken() : undefined;
    const text = card && !input.body && !input.templateId ? '' : await messageBody(deps, tx, actor, conversation, contact, input);
    const body = card ? withCard(text, card, channel, cardUrl(deps.config.publicUrl, token!)) : text;
    const id = await appendOutbound(tx, conversation, contact, {
      channel,
      body,
      sender: { kind: 'user', userId: actor.userId },
      at,
      attachmentIds: input.attachmentIds,
      whatsappTemplate: input.whatsappTemplate,
      sensitive: input.sensitive,
      card,
      correctsMessageId: input.correctsMessageId,
    });
    if (card) await createCardLink(tx, actor.orgId, id, token!, at);
    await recordAudit(tx, {
      ...auditActor(actor),
      action: 'message.send',
      subject: { type: 'message', id },
      details: { conversationId, channel },
    });
    return id;
  });
  return messageById(deps.db, messageId);
}

/** K4: a card's text: the note written with it, then (except in the portal, which draws the card) what it is and its link. */
function withCard(text: string, card: MessageCard, channel: SendChannel, url: string): string {
  const line = channel === 'portal' ? `${cardLabels[card.kind as CardKind]}: ${card.title}` : cardLine(card, url);
  return text ? `${text}\n\n${line}` : line;
}

/** K2: the text to send — as written, or the template filled in for this patient. */
async function messageBody(deps: Deps, tx: Tx, actor: Actor, conversation: ConversationRow, contact: ContactRow, input: SendInput): Promise<string> {
  if (input.templateId) {
    const template = await templateInOrg(tx, actor.orgId, input.templateId);
    const [clinic] = await tx.select().from(clinics).where(eq(clinics.id, conversation.clinicId));
    const [next] = await tx
      .select({ startsAt: bookings.startsAt })
      .from(bookings)
      .where(and(eq(bookings.contactId, contact.id), sql`${bookings.startsAt} > ${deps.clock.now().toISOString()}::timestamptz`))
      .orderBy(asc(bookings.startsAt))
      .limit(1);
    return renderTemplate(template.body, { patient: { name: contact.name }, clinic, staff: { name: actor.name }, appointment: next ?? null });
  }
  if (!input.body) throw new AppError('invalid_input', 'body is required (or a templateId)', { errors: [{ field: 'body.body', message: 'is required' }] });
  return input.body;
}

/** Opens and unarchives a thread, unless the patient has another active one in the clinic. */
async function revive(tx: Tx, conversation: ConversationRow): Promise<ConversationRow> {
  await lockThreadSlot(tx, conversation.clinicId, conversation.contactId);
  const other = await activeConversation(tx, conversation.clinicId, conversation.contactId);
  if (other && other.id !== conversation.id) {
    throw new AppError('another_conversation_open', 'this patient has another open conversation in this clinic; continue there', {
      conversationId: other.id,
    });
  }
  const [row] = await tx
    .update(conversations)
    .set({ status: 'open', archivedAt: null })
    .where(eq(conversations.id, conversation.id))
    .returning();
  return row;
}

export async function getConversation(
  deps: Deps,
  actor: Actor,
  id: string,
  page: { limit: number; cursor?: string },
) {
  const conversation = await loadConversation(deps.db, actor, id);
  const after = readCursor(page.cursor);
  const rows = await messageSelect(deps.db)
    .where(
      and(
        eq(messages.conversationId, conversation.id),
        visibleMessages(actor),
        after ? sql`(${messages.createdAt}, ${messages.id}) > (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(page.limit + 1);
  const items = await messagesJson(deps.db, rows.slice(0, page.limit));
  const last = items[items.length - 1];
  const contact = await contactInOrg(deps.db, actor.orgId, conversation.contactId);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'conversation.view', subject: { type: 'conversation', id } });
  return {
    ...(await conversationById(deps, actor, id)),
    availableChannels: sendableChannels(contact, { hasGuestLink: (await currentGuestLink(deps.db, id)) !== null }),
    messages: items,
    nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

// --- state changes -------------------------------------------------------------------------

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
        .where(and(eq(messages.conversationId, conversation.id), eq(messages.direction, 'inbound'), eq(messages.status, 'unread')));
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
    case 'unarchive': {
      if (action === 'reopen' && conversation.status === 'open' && !conversation.archivedAt) return;
      if (action === 'unarchive' && !conversation.archivedAt) return;
      await lockThreadSlot(tx, conversation.clinicId, conversation.contactId);
      const other = await activeConversation(tx, conversation.clinicId, conversation.contactId);
      const becomesActive = action === 'reopen' ? !conversation.archivedAt : conversation.status === 'open';
      if (becomesActive && other && other.id !== conversation.id) {
        throw new AppError('another_conversation_open', 'this patient has another open conversation in this clinic; close it first or continue there', {
          conversationId: other.id,
        });
      }
      await tx
        .update(conversations)
        .set(action === 'reopen' ? { status: 'open' } : { archivedAt: null })
        .where(eq(conversations.id, conversation.id));
      return;
    }
  }
}

/**
 * P1: the sender is a spammer. The thread is closed, archived and marked; the contact is blocked
 * (nothing more is accepted from them or sent to them) and every guest link they hold stops working.
 */
/**
 * Break-the-glass reading: the whole thread — clinics, privileges and a disabled SMS inbox's hiding
 * set aside — for the emergency-access module, which has already recorded the reason. Organization
 * walls stay: another organization's conversation is still not found.
 */
export async function emergencyThread(deps: Deps, actor: Actor, id: string) {
  const [row] = await conversationSelect(actor.userId, deps.db).where(and(eq(conversations.id, id), eq(conversations.orgId, actor.orgId)));
  if (!row) throw notFound('conversation');
  const rows = await messageSelect(deps.db).where(eq(messages.conversationId, id)).orderBy(asc(messages.createdAt), asc(messages.id)).limit(5000);
  return { conversation: conversationJson(row, deps.clock.now()), messages: await messagesJson(deps.db, rows) };
}

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
    const revoked = await tx
      .update(guestLinks)
      .set({ revokedAt: now })
      .where(and(eq(guestLinks.contactId, conversation.contactId), isNull(guestLinks.revokedAt)))
      .returning({ id: guestLinks.id });
    await recordAudit(tx, [
      { ...auditActor(actor), action: 'conversation.spam', subject: { type: 'conversation', id }, details: { revokedGuestLinks: revoked.length } },
      { ...auditActor(actor), action: 'contact.block', subject: { type: 'contact', id: conversation.contactId } },
    ]);
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) });
  });
  return conversationById(deps, actor, id);
}

export async function changeState(deps: Deps, actor: Actor, id: string, action: StateAction) {
  await deps.db.transaction(async (tx) => {
    const conversation = await loadConversation(tx, actor, id, { lock: true });
    await applyState(tx, deps, conversation, action);
    await recordAudit(tx, { ...auditActor(actor), action: `conversation.${action}`, subject: { type: 'conversation', id } });
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) });
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
    await publish(tx, rows.map((row) => ({ type: 'conversation.updated' as const, ...eventScope(row) })));
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
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) });
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
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) });
    await recordAudit(tx, {
      ...auditActor(actor),
      action: 'conversation.move',
      subject: { type: 'conversation', id },
      details: { from: conversation.inboxId, to: inboxId },
    });
  });
  return conversationById(deps, actor, id);
}

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
        ...messageText(input.notes),
        status: 'logged',
        senderUserId: actor.userId,
        createdAt: at,
        statusAt: at,
      })
      .returning({ id: messages.id });
    await tx.insert(callLogs).values({ messageId: message.id, startedAt, durationSeconds: input.durationSeconds });
    await tx
      .update(conversations)
      .set({ lastMessageId: message.id, lastActivityAt: at })
      .where(eq(conversations.id, conversation.id));
    await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id });
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
    await publish(tx, { type: 'conversation.updated', ...eventScope(row), messageId });
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
    await tx.update(messages).set({ retractedAt: deps.clock.now(), retractedBy: actor.userId, retractionReason: input.reason.trim() }).where(eq(messages.id, messageId));
    await publish(tx, { type: 'conversation.updated', ...eventScope(conversation), messageId });
    await recordAudit(tx, { ...auditActor(actor), action: 'message.retract', subject: { type: 'message', id: messageId }, details: { conversationId: conversation.id, withCorrection: !!input.correction } });
    // sendMessage's own transaction becomes a savepoint inside this one.
    const correction = input.correction ? await sendMessage({ ...deps, db: tx as unknown as Deps['db'] }, actor, conversation.id, { body: input.correction, correctsMessageId: messageId }) : null;
    return { retracted: await messageById(tx, messageId), correction };
  });
}

// --- the list (M6, M7) ---------------------------------------------------------------------

function overdueCondition(overdue: boolean, now: Date): SQL {
  const late = sql`${conversations.replyDueAt} < ${now.toISOString()}::timestamptz`;
  return overdue ? late : sql`(${conversations.replyDueAt} is null or not ${late})`;
}

export interface ListFilters {
  status?: OpenStatusFilter;
  contactType?: 'patient' | 'lead';
  assignee?: string;
  inboxId?: string;
  clinicId?: string;
  channel?: Channel;
  direction?: Direction;
  messageStatus?: MessageStatus;
  contactId?: string;
  starred?: boolean;
  pinned?: boolean;
  /** B2: only threads waiting past the clinic's reply target (true), or not (false). */
  overdue?: boolean;
  q?: string;
  limit: number;
  cursor?: string;
}

/**
 * The conversations a user may see at all: their organization's, in clinics they work at, not
 * hidden with a disabled SMS inbox, and no SMS threads without the `inbox` privilege.
 */
export function visibleConversations(actor: Actor): SQL {
  const clinics = isAdmin(actor.role) ? undefined : actor.clinicIds.length ? inArray(conversations.clinicId, actor.clinicIds) : sql`false`;
  const sms = actor.privileges.includes('inbox') ? undefined : ne(conversations.channel, 'sms');
  return and(eq(conversations.orgId, actor.orgId), shownToStaff, clinics, sms)!;
}

/** Above this many matching contacts, the search hands PostgreSQL the subquery instead of the ids. */
const contactIdsInline = 1000;
/** Above this many matching messages, likewise for the words of a search. */
const textHitsInline = 2000;

async function searchCondition(deps: Deps, actor: Actor, q: string): Promise<SQL> {
  // A phone number, typed however, finds the patient; its digits are not searched as message words
  // (every time and date in every message would match them, over the whole archive).
  const tsquery = phoneSearchTerms(q, deps.config.defaultCountry).phoneOnly ? null : searchQuery(deps.keys, q);
  const matching = deps.readDb
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.orgId, actor.orgId), contactMatch(deps, q)));
  // The matching contacts first, as ids: with a handful of them PostgreSQL reads their threads by
  // contact; given the subquery it would walk the whole organization's activity index instead.
  const ids = (await matching.limit(contactIdsInline + 1)).map((r) => r.id);
  const byContact = ids.length > contactIdsInline ? inArray(conversations.contactId, matching) : ids.length ? inArray(conversations.contactId, ids) : sql`false`;
  if (!tsquery) return byContact;
  const matchingMessages = deps.readDb
    .select({ id: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.orgId, actor.orgId), sql`${messages.search} @@ ${tsquery}::tsquery`));
  // Likewise the words: a rare word's few threads go in as ids, so PostgreSQL fetches them by key
  // instead of walking every thread of the organization to test each against the word (0.7 s at
  // 60,000 threads when nothing matches). A common word keeps the subquery: the newest threads
  // match it soon enough.
  const hits = await matchingMessages.limit(textHitsInline);
  const threads = [...new Set(hits.map((h) => h.id))];
  const byText = hits.length >= textHitsInline ? inArray(conversations.id, matchingMessages) : threads.length ? inArray(conversations.id, threads) : sql`false`;
  return or(byContact, byText)!;
}

export async function listConversations(deps: Deps, actor: Actor, f: ListFilters) {
  const cursor = readCursor(f.cursor);
  if (f.clinicId) assertClinicAccess(actor, f.clinicId);
  // M7: a search with no status chosen looks through open, closed and archived threads alike.
  const state = openStatusCondition(f.status ?? (f.q ? 'any' : 'open'));
  const search = f.q ? await searchCondition(deps, actor, f.q) : undefined;
  const messageConditions = [
    f.channel ? eq(messages.channel, f.channel) : undefined,
    f.direction ? eq(messages.direction, f.direction) : undefined,
    f.messageStatus ? eq(messages.status, f.messageStatus) : undefined,
    f.starred ? eq(messages.starred, true) : undefined,
  ].filter(Boolean);
  const assigneeCondition =
    f.assignee === undefined
      ? undefined
      : f.assignee === 'none'
        ? isNull(conversations.assigneeId)
        : eq(conversations.assigneeId, f.assignee === 'me' ? actor.userId : f.assignee);

  // Two steps: the page's ids straight off the activity index, then the joins for those rows only.
  // One query joining first would join every conversation of the organization before sorting.
  const page = await deps.readDb
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        visibleConversations(actor),
        state.status ? eq(conversations.status, state.status) : undefined,
        state.archived === undefined ? undefined : state.archived ? isNotNull(conversations.archivedAt) : isNull(conversations.archivedAt),
        state.unread ? eq(conversations.unread, true) : undefined,
        f.contactType
          ? exists(deps.db.select({ one: sql`1` }).from(contacts).where(and(eq(contacts.id, conversations.contactId), eq(contacts.type, f.contactType))))
          : undefined,
        assigneeCondition,
        f.inboxId ? eq(conversations.inboxId, f.inboxId) : undefined,
        f.clinicId ? eq(conversations.clinicId, f.clinicId) : undefined,
        f.contactId ? eq(conversations.contactId, f.contactId) : undefined,
        f.pinned === undefined ? undefined : pinnedCondition(deps, actor, f.pinned),
        f.overdue === undefined ? undefined : overdueCondition(f.overdue, deps.clock.now()),
        messageConditions.length
          ? exists(
              deps.db
                .select({ one: sql`1` })
                .from(messages)
                .where(and(eq(messages.conversationId, conversations.id), ...messageConditions)),
            )
          : undefined,
        search,
        cursor
          ? sql`(${conversations.lastActivityAt}, ${conversations.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(newestFirst(conversations.lastActivityAt), newestFirst(conversations.id))
    .limit(f.limit + 1);
  const pageIds = page.slice(0, f.limit).map((r) => r.id);
  const rows = pageIds.length ? await conversationSelect(actor.userId, deps.readDb).where(inArray(conversations.id, pageIds)) : [];
  const now = deps.clock.now();
  const byId = new Map(rows.map((r) => [r.c.id, conversationJson(r, now)]));
  const items = pageIds.map((id) => byId.get(id)!);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: page.length > f.limit && last ? encodeCursor({ at: last.lastActivityAt, id: last.id }) : null,
  };
}

function pinnedCondition(deps: Deps, actor: Actor, pinned: boolean): SQL {
  const pinnedByMe = exists(
    deps.db
      .select({ one: sql`1` })
      .from(conversationUserState)
      .where(
        and(
          eq(conversationUserState.conversationId, conversations.id),
          eq(conversationUserState.userId, actor.userId),
          eq(conversationUserState.pinned, true),
        ),
      ),
  );
  return pinned ? pinnedByMe : sql`not ${pinnedByMe}`;
}

/** M8: unread open conversations the user can see, muted ones left out. */
export async function unreadCount(deps: Deps, actor: Actor, clinicId?: string): Promise<number> {
  if (clinicId) assertClinicAccess(actor, clinicId);
  const [row] = await deps.readDb
    .select({ n: sql<number>`count(*)::int` })
    .from(conversations)
    .leftJoin(
      conversationUserState,
      and(eq(conversationUserState.conversationId, conversations.id), eq(conversationUserState.userId, actor.userId)),
    )
    .where(
      and(
        visibleConversations(actor),
        clinicId ? eq(conversations.clinicId, clinicId) : undefined,
        eq(conversations.unread, true),
        eq(conversations.status, 'open'),
        isNull(conversations.archivedAt),
        sql`coalesce(${conversationUserState.muted}, false) = false`,
      ),
    );
  return row.n;
}

/** C3: a contact's conversations and most recent messages and calls, in the clinics the actor sees. */
export async function contactHistory(deps: Deps, actor: Actor, contactId: string) {
  const threads = await conversationSelect(actor.userId, deps.db)
    .where(and(visibleConversations(actor), eq(conversations.contactId, contactId)))
    .orderBy(newestFirst(conversations.lastActivityAt))
    .limit(100);
  const recent = await messageSelect(deps.db)
    .where(and(visibleConversations(actor), visibleMessages(actor), eq(conversations.contactId, contactId)))
    .orderBy(newestFirst(messages.createdAt))
    .limit(100);
  const now = deps.clock.now();
  return { conversations: threads.map((t) => conversationJson(t, now)), messages: await messagesJson(deps.db, recent) };
}

/** Archives every conversation idle for 12 months (M2); returns how many. Run periodically by main.ts. */
export async function archiveInactive(deps: Pick<Deps, 'db' | 'clock'>): Promise<number> {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const archived = await tx
      .update(conversations)
      .set({ archivedAt: now })
      .where(and(isNull(conversations.archivedAt), sql`${conversations.lastActivityAt} < ${autoArchiveCutoff(now)}`))
      .returning({ id: conversations.id, orgId: conversations.orgId, clinicId: conversations.clinicId });
    await publish(tx, archived.map((c) => ({ type: 'conversation.updated' as const, ...eventScope(c) })));
    await recordAudit(
      tx,
      archived.map((c) => ({ orgId: c.orgId, actor: { kind: 'system' as const }, action: 'conversation.auto_archive', subject: { type: 'conversation', id: c.id } })),
    );
    return archived.length;
  });
}

/** B1: "X is replying…" — tells the others looking at this thread; nothing is stored. */
export async function announceTyping(deps: Deps, actor: Actor, id: string): Promise<void> {
  const conversation = await loadConversation(deps.db, actor, id);
  await publish(deps.db, { type: 'conversation.typing', ...eventScope(conversation), user: { id: actor.userId, name: actor.name } });
}
