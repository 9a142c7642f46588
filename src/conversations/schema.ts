import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { contacts } from '../contacts/schema.js';
import { clinics, inboxes, organizations, users } from '../orgs/schema.js';
import { campaigns } from '../campaigns/schema.js';
import { channels, conversationStatuses, directions, messageStatuses } from './rules.js';
import { blindIndex, encryptedText, rowBoundText } from '../encryption/columns.js';

export const channelEnum = pgEnum('channel', channels);
export const directionEnum = pgEnum('direction', directions);
export const messageStatusEnum = pgEnum('message_status', messageStatuses);
export const conversationStatusEnum = pgEnum('conversation_status', conversationStatuses);

/** K4: what a card shows: an artifact's summary, or a payment or review request. */
export interface MessageCard {
  kind: 'appointment' | 'invoice' | 'prescription' | 'treatment_plan' | 'form' | 'payment_request' | 'review_request';
  title: string;
  artifactId: string | null;
  amountCents: number | null;
  currency: string | null;
  /** Where the patient completes it (a form, a payment page, a review site). */
  url: string | null;
}

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const conversations = pgTable(
  'conversations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    clinicId: uuid('clinic_id').notNull().references(() => clinics.id),
    inboxId: uuid('inbox_id').notNull().references(() => inboxes.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    /** S4: an email thread's subject (without "Re:"), from the first mail that had one; encrypted, as a subject says what a message is about. */
    subject: rowBoundText('conversations', 'subject'),
    /** The channel of the latest message: where a reply goes unless the sender picks another. */
    channel: channelEnum('channel').notNull(),
    status: conversationStatusEnum('status').notNull().default('open'),
    archivedAt: at('archived_at'),
    assigneeId: uuid('assignee_id').references(() => users.id),
    /** Team-shared read state (M3): true once a patient writes, false once someone reads it. */
    unread: boolean('unread').notNull().default(false),
    /** Null when the patient started it; T4 lets the clinician who started a thread continue it. */
    startedByUserId: uuid('started_by_user_id').references(() => users.id),
    lastMessageId: uuid('last_message_id'),
    lastActivityAt: at('last_activity_at').notNull().defaultNow(),
    createdAt: at('created_at').notNull().defaultNow(),
    /** S1: set when the two-way SMS inbox is disabled; the thread is kept for the record but shown to no one. */
    hiddenAt: at('hidden_at'),
    /** P4: a guest conversation over the plan's monthly limit, kept but shown to no one until the plan allows. */
    heldAt: at('held_at'),
    /** P1: marked as spam by staff; the sender is blocked and their guest links revoked. */
    spamAt: at('spam_at'),
    /** The channel of the first message: what a conversion report counts a booking against (P3). */
    originChannel: channelEnum('origin_channel').notNull(),
    /** B2: since when the patient waits for an answer (their first message after the team last wrote), and by when it is due. */
    awaitingSince: at('awaiting_since'),
    replyDueAt: at('reply_due_at'),
    /** B2: the thread's first patient message and the team's first answer to it: its first-response time. */
    firstInboundAt: at('first_inbound_at'),
    firstResponseAt: at('first_response_at'),
    firstResponderId: uuid('first_responder_id').references(() => users.id),
    /** B2: the last after-hours auto-reply, so a thread gets one a night. */
    afterHoursRepliedAt: at('after_hours_replied_at'),
  },
  (t) => [
    // M2: one active thread per patient and clinic, so concurrent inbound messages cannot fork it.
    uniqueIndex('conversations_one_active')
      .on(t.clinicId, t.contactId)
      .where(sql`${t.status} = 'open' and ${t.archivedAt} is null`),
    index('conversations_org_activity_idx').on(t.orgId, t.lastActivityAt.desc(), t.id.desc()),
    // The default view, "All open": served without reading a closed or archived row.
    index('conversations_open_activity_idx')
      .on(t.orgId, t.lastActivityAt.desc(), t.id.desc())
      .where(sql`${t.status} = 'open' and ${t.archivedAt} is null`),
    index('conversations_assignee_activity_idx').on(t.orgId, t.assigneeId, t.lastActivityAt.desc(), t.id.desc()),
    index('conversations_unread_idx').on(t.orgId, t.lastActivityAt.desc()).where(sql`${t.unread} and ${t.archivedAt} is null`),
    index('conversations_contact_idx').on(t.contactId, t.lastActivityAt.desc()),
    index('conversations_overdue_idx').on(t.orgId, t.replyDueAt).where(sql`${t.replyDueAt} is not null`),
  ],
);

export type ConversationRow = typeof conversations.$inferSelect;

/** Per-user view state of a thread (M5): pinned to the top, muted from notifications. */
export const conversationUserState = pgTable(
  'conversation_user_state',
  {
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    pinned: boolean('pinned').notNull().default(false),
    muted: boolean('muted').notNull().default(false),
  },
  (t) => [primaryKey({ columns: [t.conversationId, t.userId] }), index('conversation_user_state_muted_idx').on(t.userId).where(sql`${t.muted}`)],
);

/**
 * The unread count kept, not recounted: how many open, unread, unarchived conversations shown to
 * staff each clinic has, SMS and the rest apart (the inbox privilege sees SMS). Kept by triggers on
 * conversations in the writing transaction (migration 0023_inbound_lanes_unread_counts), spread over 16 rows per
 * clinic and class, a transaction writing only the one its id names (migration 0030): concurrent writers
 * rarely wait on one row and never deadlock over a clinic's rows. Only a clinic and class's sum is a
 * count; one row alone may be below zero.
 * A user's count is the sum of the buckets they see, less their muted conversations' (`unreadFor`).
 */
export const unreadCounts = pgTable(
  'unread_counts',
  {
    orgId: uuid('org_id').notNull(),
    clinicId: uuid('clinic_id').notNull(),
    sms: boolean('sms').notNull(),
    shard: integer('shard').notNull(),
    n: integer('n').notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.orgId, t.clinicId, t.sms, t.shard] })],
);

export const messages = pgTable(
  'messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id),
    direction: directionEnum('direction').notNull(),
    channel: channelEnum('channel').notNull(),
    /** Encrypted at rest (AES-256-GCM); the search column holds its blind index, written with it. */
    body: rowBoundText('messages', 'body').notNull(),
    /** S4: an email's whole text, quoted history included, when the thread shows only the new reply in body ("show quoted text"). */
    fullText: rowBoundText('messages', 'full_text'),
    /** S4: an email's subject as it came, or as staff gave it when starting the thread. */
    subject: rowBoundText('messages', 'subject'),
    /** S4: an email's HTML, sanitised (a patient's as it came, staff's from the composer); body keeps its plain text for search and previews. */
    html: rowBoundText('messages', 'html'),
    status: messageStatusEnum('status').notNull(),
    senderUserId: uuid('sender_user_id').references(() => users.id),
    campaignId: uuid('campaign_id').references(() => campaigns.id),
    starred: boolean('starred').notNull().default(false),
    failureReason: text('failure_reason'),
    /** The provider's id (Twilio SID, WhatsApp wamid, email Message-ID): status callbacks and replies find the message by it. */
    providerMessageId: text('provider_message_id'),
    /**
     * Channel details: the WhatsApp template an outbound message goes out as; whether it confirms an
     * opt-out or answers a keyword; for an inbound one, whether a machine wrote it (RFC 3834: an out-of-office).
     */
    meta: jsonb('meta').$type<{ whatsappTemplate?: { name: string; language: string }; optOutConfirmation?: true; keywordReply?: true; automatic?: true }>(),
    /** S1: an SMS of a disabled two-way inbox, kept for the record but shown to no one. */
    hidden: boolean('hidden').notNull().default(false),
    /** K4: the card this message carries (an artifact or a request); its link is in card_links. */
    card: rowBoundText('messages', 'card'),
    /** M12: a portal message the patient sees only after entering their password again. */
    sensitive: boolean('sensitive').notNull().default(false),
    /** P1: the guest link a web message came through or goes to; a link shows only its own messages. */
    guestLinkId: uuid('guest_link_id'),
    /**
     * Integrity: a sent message is never edited or deleted (a trigger refuses it); staff retract it
     * instead, with a reason, and may send a correction that names it. The text stays for the record.
     */
    retractedAt: at('retracted_at'),
    retractedBy: uuid('retracted_by').references(() => users.id),
    retractionReason: rowBoundText('messages', 'retraction_reason'),
    correctsMessageId: uuid('corrects_message_id'),
    /** The emoji the patient reacted to this message with (WhatsApp), until they take it back. Encrypted. */
    patientReaction: rowBoundText('messages', 'patient_reaction'),
    createdAt: at('created_at').notNull().defaultNow(),
    statusAt: at('status_at').notNull().defaultNow(),
    search: blindIndex('search').notNull(),
  },
  (t) => [
    index('messages_thread_idx').on(t.conversationId, t.createdAt, t.id),
    index('messages_search_idx').using('gin', t.search),
    index('messages_starred_idx').on(t.orgId, t.conversationId).where(sql`${t.starred}`),
    index('messages_thread_kind_idx').on(t.conversationId, t.channel, t.direction, t.status),
    index('messages_guest_link_idx').on(t.guestLinkId, t.createdAt).where(sql`${t.guestLinkId} is not null`),
    // S3: a webhook retried by the provider finds the message it already stored, and changes nothing.
    uniqueIndex('messages_provider_id_key').on(t.channel, t.providerMessageId).where(sql`${t.providerMessageId} is not null`),
    check(
      'messages_status_fits_direction',
      sql`(${t.channel} = 'call') = (${t.status} = 'logged') and (
        ${t.status} = 'logged'
        or (${t.direction} = 'outbound' and ${t.status} in ('queued', 'sent', 'delivered', 'read', 'failed'))
        or (${t.direction} = 'inbound' and ${t.status} in ('unread', 'read', 'replied')))`,
    ),
    // M10: an outbound message names exactly one sender, a team member or a campaign; a patient's names none.
    check(
      'messages_sender_fits_direction',
      sql`case
        when ${t.channel} = 'call' then ${t.senderUserId} is not null and ${t.campaignId} is null
        when ${t.direction} = 'outbound' then num_nonnulls(${t.senderUserId}, ${t.campaignId}) = 1
        else ${t.senderUserId} is null and ${t.campaignId} is null end`,
    ),
  ],
);

/** M9: the call-specific part of a call-log message (its notes are the message body). */
export const callLogs = pgTable(
  'call_logs',
  {
    messageId: uuid('message_id').primaryKey().references(() => messages.id),
    startedAt: at('started_at').notNull(),
    durationSeconds: integer('duration_seconds').notNull(),
  },
  (t) => [check('call_logs_duration_positive', sql`${t.durationSeconds} >= 0`)],
);
