import { sql } from 'drizzle-orm';
import { bigint, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { encryptedText } from '../encryption/columns.js';
import { organizations } from '../orgs/schema.js';
import { providerChannels } from './registry.js';
import type { KeywordAction } from './rules.js';
import type { InboundMedia, InboundReaction } from './types.js';

export const providerChannelEnum = pgEnum('provider_channel', providerChannels);

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * An address the organization sends from and receives at: its SMS number (S1), its WhatsApp business
 * number. Inbound traffic finds its organization by the address it was sent to.
 */
export const channelAccounts = pgTable(
  'channel_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    channel: providerChannelEnum('channel').notNull(),
    provider: text('provider').notNull(),
    /** E.164 number or email address. */
    address: text('address').notNull(),
    /** The provider's id for it: Twilio's IncomingPhoneNumber SID, Meta's phone number id. */
    externalId: text('external_id'),
    /** SMS: `bought` through Frontdesk (released when disabled) or `brought`, the clinic's own (never released, only detached). */
    origin: text('origin', { enum: ['bought', 'brought'] }).notNull().default('bought'),
    createdAt: at('created_at').notNull().defaultNow(),
    releasedAt: at('released_at'),
  },
  (t) => [
    uniqueIndex('channel_accounts_active_address').on(t.channel, t.address).where(sql`${t.releasedAt} is null`),
    uniqueIndex('channel_accounts_one_active_per_org').on(t.orgId, t.channel).where(sql`${t.releasedAt} is null`),
    index('channel_accounts_external_idx').on(t.externalId),
  ],
);

/** The part of a provider's inbound message the worker files. */
export interface InboundPayload {
  from: string;
  to: string;
  body: string;
  name?: string;
  at?: string;
  /** The files the provider holds for it, fetched when the message is filed. */
  media?: InboundMedia[];
  /** Not a message: the patient's reaction to one. */
  reaction?: InboundReaction;
  /** The provider read it as this keyword, and answered it. */
  keyword?: KeywordAction;
}

/**
 * S3: a provider's inbound message, written as the webhook is accepted (one statement, then 200),
 * and turned into a conversation message by the worker. The provider's id makes a retried
 * webhook a no-op at the door.
 */
export const inboundEvents = pgTable(
  'inbound_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id')
      .notNull()
      .references(() => organizations.id),
    channel: providerChannelEnum('channel').notNull(),
    providerMessageId: text('provider_message_id').notNull(),
    /** What the provider sent, as sealed JSON (InboundPayload); null once filed: the message holds it then. */
    payload: encryptedText('inbound_events', 'payload'),
    receivedAt: at('received_at').notNull().defaultNow(),
    processedAt: at('processed_at'),
    /** Arrival order: a sender's events are filed in it (STOP before the START that followed it). */
    seq: bigint('seq', { mode: 'number' }).notNull().generatedAlwaysAsIdentity(),
    /**
     * One of inboundLanes, from a hash of the sender's address: their events are filed one at a time
     * in arrival order within it. Many senders share a lane, so it does not name anyone.
     */
    lane: integer('lane').notNull().default(0),
  },
  (t) => [
    uniqueIndex('inbound_events_provider_key').on(t.channel, t.providerMessageId),
    index('inbound_events_pending_lane_idx').on(t.lane, t.seq).where(sql`${t.processedAt} is null`),
  ],
);
