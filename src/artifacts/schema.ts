import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { rowBoundText } from '../encryption/columns.js';
import { contacts } from '../contacts/schema.js';
import { messages } from '../conversations/schema.js';
import { organizations } from '../orgs/schema.js';
import { artifactKinds } from './rules.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const artifactKindEnum = pgEnum('artifact_kind', artifactKinds);

/** K3: what the practice-management system knows of a patient — appointments, invoices, prescriptions, plans, forms. */
export const patientArtifacts = pgTable(
  'patient_artifacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    contactId: uuid('contact_id')
      .notNull()
      .references(() => contacts.id),
    kind: artifactKindEnum('kind').notNull(),
    /** The practice system's id: pushing it again updates, never duplicates. */
    externalId: text('external_id').notNull(),
    title: rowBoundText('patient_artifacts', 'title').notNull(),
    /** When it happens or was issued: the appointment's time, the invoice's date. */
    occurredAt: at('occurred_at'),
    amountCents: integer('amount_cents'),
    currency: text('currency'),
    /** Where the patient completes it (a form, a payment page), if the practice system has one. */
    url: text('url'),
    details: rowBoundText('patient_artifacts', 'details'),
    createdAt: at('created_at').notNull(),
    updatedAt: at('updated_at').notNull(),
  },
  (t) => [uniqueIndex('patient_artifacts_external_key').on(t.orgId, t.kind, t.externalId), index('patient_artifacts_contact_idx').on(t.contactId, t.kind, t.occurredAt)],
);

/** K4: the secure, expiring link a card is sent with; each opening is counted. */
export const cardLinks = pgTable(
  'card_links',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    messageId: uuid('message_id')
      .notNull()
      .references(() => messages.id),
    /** The token is in the message the patient received; it is only as secret as that message, and expires. */
    token: text('token').notNull(),
    expiresAt: at('expires_at').notNull(),
    firstOpenedAt: at('first_opened_at'),
    lastOpenedAt: at('last_opened_at'),
    openCount: integer('open_count').notNull().default(0),
  },
  (t) => [uniqueIndex('card_links_token_key').on(t.token), uniqueIndex('card_links_message_key').on(t.messageId)],
);
