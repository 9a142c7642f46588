import { bigint, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { messages } from '../conversations/schema.js';
import { organizations, users } from '../orgs/schema.js';
import { rowBoundText } from '../encryption/columns.js';

/** M11: a stored file. Uploaded first, then attached to one message when it is sent (or received). */
export const attachments = pgTable(
  'attachments',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    messageId: uuid('message_id').references(() => messages.id),
    uploadedBy: uuid('uploaded_by').references(() => users.id),
    filename: rowBoundText('attachments', 'filename').notNull(),
    /** Detected from the bytes, never taken from the name or the client's word. */
    contentType: text('content_type').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    sha256: text('sha256').notNull(),
    storageKey: text('storage_key').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [index('attachments_message_idx').on(t.messageId), index('attachments_org_idx').on(t.orgId)],
);
