import { sql } from 'drizzle-orm';
import { boolean, index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { contacts } from '../contacts/schema.js';
import { clinics, organizations } from '../orgs/schema.js';
import { templates } from '../templates/schema.js';
import { campaignChannels, campaignTriggers } from './rules.js';

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

export const campaignTriggerEnum = pgEnum('campaign_trigger', campaignTriggers);

/**
 * Automatic senders (M10): named so the thread shows who sent a message. A campaign with a trigger
 * also sends on its own (appointment reminders, form invites); one without is a label (keyword replies).
 */
export const campaigns = pgTable('campaigns', {
  id: uuid('id').primaryKey().defaultRandom(),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  name: text('name').notNull(),
  createdAt: at('created_at').notNull().defaultNow(),
  trigger: campaignTriggerEnum('trigger'),
  /** appointment_reminder: how long before the appointment it goes. */
  hoursBefore: integer('hours_before'),
  templateId: uuid('template_id').references(() => templates.id),
  /** The channel to use when the patient can get it; `auto` picks SMS, then email, then portal. */
  channel: text('channel', { enum: campaignChannels }).notNull().default('auto'),
  /** Only this clinic's appointments; null is every clinic. */
  clinicId: uuid('clinic_id').references(() => clinics.id),
  /** Texts only between these minutes of the day, clinic time (default 8:00–21:00); urgent campaigns ignore it. */
  quietStartMinute: integer('quiet_start_minute').notNull().default(21 * 60),
  quietEndMinute: integer('quiet_end_minute').notNull().default(8 * 60),
  urgent: boolean('urgent').notNull().default(false),
  active: boolean('active').notNull().default(true),
});

/** One run of a campaign: what it found due and what became of each. */
export const campaignRuns = pgTable(
  'campaign_runs',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    at: at('at').notNull(),
    sent: integer('sent').notNull().default(0),
    skipped: integer('skipped').notNull().default(0),
    failed: integer('failed').notNull().default(0),
  },
  (t) => [index('campaign_runs_campaign_idx').on(t.campaignId, t.at)],
);

/** Each target of a run (an appointment) and its outcome; a target is sent at most once per campaign. */
export const campaignSends = pgTable(
  'campaign_sends',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    runId: uuid('run_id')
      .notNull()
      .references(() => campaignRuns.id),
    campaignId: uuid('campaign_id')
      .notNull()
      .references(() => campaigns.id),
    targetKey: text('target_key').notNull(),
    contactId: uuid('contact_id').references(() => contacts.id),
    status: text('status', { enum: ['sent', 'skipped', 'failed'] }).notNull(),
    reason: text('reason'),
    messageId: uuid('message_id'),
    at: at('at').notNull(),
  },
  (t) => [
    // M10: never the same reminder twice, however often and however concurrently the campaign runs.
    uniqueIndex('campaign_sends_once').on(t.campaignId, t.targetKey).where(sql`${t.status} = 'sent'`),
    index('campaign_sends_run_idx').on(t.runId),
  ],
);
