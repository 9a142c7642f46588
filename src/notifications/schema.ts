import { boolean, index, integer, pgEnum, pgTable, smallint, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { encryptedText } from '../encryption/columns.js';
import { clinics, organizations, users } from '../orgs/schema.js';
import { conversations } from '../conversations/schema.js';
import { notifyLevels } from './rules.js';

export const notifyLevelEnum = pgEnum('notify_level', notifyLevels);

const updatedAt = () => timestamp('updated_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();

/** A user's own choice of what tells them a patient wrote; no row means the defaults (rules.ts). */
export const notificationPreferences = pgTable('notification_preferences', {
  userId: uuid('user_id').primaryKey().references(() => users.id),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  level: notifyLevelEnum('level').notNull(),
  sound: boolean('sound').notNull(),
  /** Quiet hours as minutes after midnight in `time_zone`; both null is none. */
  quietStart: smallint('quiet_start'),
  quietEnd: smallint('quiet_end'),
  timeZone: text('time_zone'),
  emailReminders: boolean('email_reminders').notNull().default(true),
  updatedAt: updatedAt(),
});

/** A clinic's limit for a patient's wait (in opening hours) before the team is emailed; no row or null is none. */
export const clinicReminderSettings = pgTable('clinic_reminder_settings', {
  clinicId: uuid('clinic_id').primaryKey().references(() => clinics.id),
  orgId: uuid('org_id').notNull().references(() => organizations.id),
  waitMinutes: integer('wait_minutes'),
  updatedAt: updatedAt(),
});

/** One reminder per waiting period: the thread and the wait it was sent for. */
export const waitReminders = pgTable('wait_reminders', {
  conversationId: uuid('conversation_id').primaryKey().references(() => conversations.id),
  awaitingSince: timestamp('awaiting_since', { withTimezone: true, precision: 3 }).notNull(),
  sentAt: timestamp('sent_at', { withTimezone: true, precision: 3 }).notNull(),
});

/** The organization's rule for what a notification may say about the patient. */
export const notificationOrgSettings = pgTable('notification_org_settings', {
  orgId: uuid('org_id').primaryKey().references(() => organizations.id),
  /** Off: "New message · Riverside Downtown". On: the patient's first name is added. */
  showFirstName: boolean('show_first_name').notNull().default(false),
  updatedAt: updatedAt(),
});

/** The server's VAPID key pair for Web Push (one per install, made on first use); the private key encrypted at rest. */
export const pushKeys = pgTable('push_keys', {
  id: integer('id').primaryKey(),
  publicKey: text('public_key').notNull(),
  privateKey: encryptedText('push_keys', 'private_key').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
});

/** A browser (one user, one device) that asked for Web Push; removed when its push service says it is gone. */
export const pushSubscriptions = pgTable(
  'push_subscriptions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    userId: uuid('user_id').notNull().references(() => users.id),
    endpoint: text('endpoint').notNull(),
    p256dh: text('p256dh').notNull(),
    auth: text('auth').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('push_subscriptions_endpoint_key').on(t.endpoint), index('push_subscriptions_org_idx').on(t.orgId)],
);
