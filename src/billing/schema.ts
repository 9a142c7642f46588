import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations } from '../orgs/schema.js';

/** The organization's billing ledger: recurring and one-off charges, ended rather than deleted. */
export const billingCharges = pgTable(
  'billing_charges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    description: text('description').notNull(),
    amountCents: integer('amount_cents').notNull(),
    interval: text('interval', { enum: ['month', 'once'] }).notNull(),
    /** What the charge is for, e.g. `sms_inbox:<channel account id>`. */
    source: text('source').notNull(),
    startedAt: timestamp('started_at', { withTimezone: true, precision: 3 }).notNull(),
    endedAt: timestamp('ended_at', { withTimezone: true, precision: 3 }),
  },
  (t) => [index('billing_charges_org_idx').on(t.orgId), check('billing_amount_nonnegative', sql`${t.amountCents} >= 0`)],
);
