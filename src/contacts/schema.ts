import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import { boolean, date, index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from '../orgs/schema.js';
import { contactTypes, preferredChannels } from './rules.js';
import { rowBoundText } from '../encryption/columns.js';
import type { ProviderChannel } from '../channels/registry.js';

export const contactTypeEnum = pgEnum('contact_type', contactTypes);

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * A column as the trigram search indexes read it: an expression, so that they serve `like`/`ilike`
 * and nothing else. pg_trgm answers `=` too, and the planner prices an exact lookup there far below
 * its cost: one clinic's numbers share their area code's trigrams (and its addresses "gmail.com"'s),
 * so 160 numbers looked up that way took 330 ms, against 1 ms in the unique index.
 */
export const searchable = (column: AnyColumn | SQL) => sql`(${column} || '')`;

export const contacts = pgTable(
  'contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    type: contactTypeEnum('type').notNull().default('lead'),
    name: text('name').notNull(),
    /** E.164, normalised on the way in. */
    phone: text('phone'),
    /** Lower-cased on the way in. */
    email: text('email'),
    dateOfBirth: date('date_of_birth'),
    externalId: text('external_id'),
    portalAccount: boolean('portal_account').notNull().default(false),
    chatOptIn: boolean('chat_opt_in').notNull().default(false),
    /** S2: the provider channels the contact opted out of (STOP, an unsubscribe, an import), by name; sending obeys it. */
    optedOut: text('opted_out').array().$type<ProviderChannel[]>().notNull().default(sql`'{}'::text[]`),
    blocked: boolean('blocked').notNull().default(false),
    /** S4: the mail system said this address cannot receive mail (a delivery report), and why; cleared when the address changes. */
    emailBouncedAt: at('email_bounced_at'),
    emailBounceReason: text('email_bounce_reason'),
    preferredChannel: text('preferred_channel', { enum: preferredChannels }),
    /** Issue 18: the language the clinic writes to this patient in (`languages` of src/i18n); null: not known yet (the browser's is used, then the template's own). */
    preferredLanguage: text('preferred_language'),
    createdAt: at('created_at').notNull().defaultNow(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    // C4: one contact per phone and per email in an organization, even under concurrent inserts.
    uniqueIndex('contacts_org_phone_key').on(t.orgId, t.phone),
    uniqueIndex('contacts_org_email_key').on(t.orgId, t.email),
    uniqueIndex('contacts_org_external_key').on(t.orgId, t.externalId),
    // M7: "contains" search on name, email and phone digits, at any position.
    index('contacts_name_trgm_idx').using('gin', sql`${t.name} gin_trgm_ops`),
    index('contacts_email_search_idx').using('gin', sql`${searchable(t.email)} gin_trgm_ops`),
    index('contacts_phone_search_idx').using('gin', sql`${searchable(t.phone)} gin_trgm_ops`),
    index('contacts_org_created_idx').on(t.orgId, t.createdAt.desc(), t.id.desc()),
  ],
);

export const contactNotes = pgTable(
  'contact_notes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    authorId: uuid('author_id').notNull().references(() => users.id),
    body: rowBoundText('contact_notes', 'body').notNull(),
    createdAt: at('created_at').notNull().defaultNow(),
  },
  (t) => [index('contact_notes_contact_idx').on(t.contactId, t.createdAt)],
);
