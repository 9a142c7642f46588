import { boolean, pgEnum, pgTable, smallint, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { organizations, users } from '../orgs/schema.js';
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
  updatedAt: updatedAt(),
});

/** The organization's rule for what a notification may say about the patient. */
export const notificationOrgSettings = pgTable('notification_org_settings', {
  orgId: uuid('org_id').primaryKey().references(() => organizations.id),
  /** Off: "New message · Riverside Downtown". On: the patient's first name is added. */
  showFirstName: boolean('show_first_name').notNull().default(false),
  updatedAt: updatedAt(),
});
