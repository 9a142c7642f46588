import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../contacts/schema.js';
import { organizations, users } from '../orgs/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/** P2: a patient's portal sign-in, separate from staff accounts. The email is the contact's. */
export const portalAccounts = pgTable('portal_accounts', {
  contactId: uuid('contact_id')
    .primaryKey()
    .references(() => contacts.id),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  passwordHash: text('password_hash').notNull(),
  createdAt: at('created_at').notNull(),
});

/** A one-time link that lets a patient set their portal password. Stored hashed; expires. */
export const portalInvitations = pgTable(
  'portal_invitations',
  {
    tokenHash: text('token_hash').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: at('created_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
  },
  (t) => [index('portal_invitations_contact_idx').on(t.contactId)],
);

/** A signed-in patient. `reauthAt` is the last time they re-entered their password (M12). */
export const portalSessions = pgTable(
  'portal_sessions',
  {
    tokenHash: text('token_hash').primaryKey(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    csrfToken: text('csrf_token').notNull(),
    createdAt: at('created_at').notNull(),
    lastSeenAt: at('last_seen_at').notNull(),
    expiresAt: at('expires_at').notNull(),
    reauthAt: at('reauth_at'),
  },
  (t) => [index('portal_sessions_contact_idx').on(t.contactId)],
);
