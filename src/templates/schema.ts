import { sql } from 'drizzle-orm';
import { jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from '../orgs/schema.js';

export const templates = pgTable(
  'templates',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    name: text('name').notNull(),
    body: text('body').notNull(),
    /** Issue 18: the language `body` is written in; a patient whose language has no version gets this one. */
    language: text('language').notNull().default('en'),
    /** Issue 18: the same template in other languages, by language code. */
    translations: jsonb('translations').$type<Partial<Record<string, string>>>().notNull().default({}),
    createdBy: uuid('created_by').references(() => users.id),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('templates_org_name_key').on(t.orgId, sql`lower(${t.name})`)],
);
