import { index, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../contacts/schema.js';
import { conversations } from '../conversations/schema.js';
import { clinics, organizations, users } from '../orgs/schema.js';
import { rowBoundText } from '../encryption/columns.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const bookingSourceEnum = pgEnum('booking_source', ['integration', 'staff']);

/** P3: an appointment booked, and the conversation that led to it (the conversion). */
export const bookings = pgTable(
  'bookings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    clinicId: uuid('clinic_id').notNull().references(() => clinics.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    conversationId: uuid('conversation_id').references(() => conversations.id),
    startsAt: at('starts_at').notNull(),
    source: bookingSourceEnum('source').notNull(),
    /** The practice-management system's id: a booking it sends twice is stored once. */
    externalId: text('external_id'),
    notes: rowBoundText('bookings', 'notes'),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [
    uniqueIndex('bookings_org_external_key').on(t.orgId, t.externalId),
    index('bookings_contact_idx').on(t.contactId, t.startsAt),
    index('bookings_conversation_idx').on(t.conversationId),
    index('bookings_org_created_idx').on(t.orgId, t.createdAt),
  ],
);
