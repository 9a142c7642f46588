import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../contacts/schema.js';
import { conversations } from '../conversations/schema.js';
import { clinics, organizations } from '../orgs/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * P1: a guest's private thread: the messages written through it and the clinic's web replies to it.
 * Its keys are guest_tokens; revoking the link revokes every key.
 */
export const guestLinks = pgTable(
  'guest_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    clinicId: uuid('clinic_id').notNull().references(() => clinics.id),
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    createdAt: at('created_at').notNull(),
    /** Whether the post that made this link started a new conversation (what the plan's monthly limit counts). */
    startedConversation: boolean('started_conversation').notNull().default(false),
    /** P4: when the conversation it started counted against the plan's monthly limit (null while held). */
    admittedAt: at('admitted_at'),
    revokedAt: at('revoked_at'),
    lastSeenAt: at('last_seen_at'),
    notifiedAt: at('notified_at'),
  },
  (t) => [index('guest_links_conversation_idx').on(t.conversationId, t.createdAt), index('guest_links_admitted_idx').on(t.orgId, t.admittedAt)],
);

/** The keys of a guest link: 256 random bits each, only their SHA-256 kept. A reply email carries a fresh one. */
export const guestTokens = pgTable('guest_tokens', {
  tokenHash: text('token_hash').primaryKey(),
  linkId: uuid('link_id')
    .notNull()
    .references(() => guestLinks.id),
  createdAt: at('created_at').notNull(),
});
