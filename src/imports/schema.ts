import { index, integer, pgEnum, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../contacts/schema.js';
import { organizations, users } from '../orgs/schema.js';
import { importKinds } from './rules.js';
import { providerChannels } from '../channels/registry.js';

export const importKindEnum = pgEnum('import_kind', importKinds);

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * One run of a CSV import (not a dry run): what the opt-outs it set name as their source. The file's
 * name is not kept (names like "smith-optouts.csv" can say who a patient is); its date and importer are.
 */
export const contactImports = pgTable(
  'contact_imports',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    kind: importKindEnum('kind').notNull(),
    rows: integer('rows').notNull().default(0),
    created: integer('created').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    refused: integer('refused').notNull().default(0),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
  },
  (t) => [index('contact_imports_org_idx').on(t.orgId, t.startedAt)],
);

/**
 * S2: where a current opt-out came from when Frontdesk did not see it happen (an import). The
 * contact's opted_out list is what sending obeys; this row only names its source, and goes when
 * the patient opts back in.
 */
export const contactOptOuts = pgTable(
  'contact_opt_outs',
  {
    contactId: uuid('contact_id').notNull().references(() => contacts.id),
    channel: text('channel', { enum: providerChannels }).notNull(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    importId: uuid('import_id').notNull().references(() => contactImports.id),
    createdAt: at('created_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.contactId, t.channel] })],
);
