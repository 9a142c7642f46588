import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations, planEnum } from '../orgs/schema.js';

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

/**
 * P4: the plans and what each includes, as rows: an operator changes a limit or a price with an
 * UPDATE, not a release. The migration writes the three plans; `rank` orders them by price.
 */
export const planEntitlements = pgTable('plan_entitlements', {
  plan: planEnum('plan').primaryKey(),
  name: text('name').notNull(),
  rank: integer('rank').notNull(),
  monthlyPriceCents: integer('monthly_price_cents').notNull(),
  /** Features by name (see rules.ts `features`). */
  features: text('features').array().notNull(),
  /** New guest conversations (from the clinic's public page) a month; null is unlimited. */
  guestConversationsPerMonth: integer('guest_conversations_per_month'),
});
