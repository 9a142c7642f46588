import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { conversations } from '../conversations/schema.js';
import { organizations, users } from '../orgs/schema.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * Emergency ("break the glass") openings of a thread outside the admin's normal access, each with
 * its reason, waiting for another admin's review. The reason is staff's words and may name a
 * patient's situation, so it lives here, not in the audit log's details.
 */
export const emergencyAccess = pgTable(
  'emergency_access',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    conversationId: uuid('conversation_id').notNull().references(() => conversations.id),
    reason: text('reason').notNull(),
    openedAt: at('opened_at').notNull().defaultNow(),
    reviewedAt: at('reviewed_at'),
    reviewedBy: uuid('reviewed_by').references(() => users.id),
    reviewNote: text('review_note'),
  },
  (t) => [index('emergency_access_org_idx').on(t.orgId, t.openedAt.desc())],
);
