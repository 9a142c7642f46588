import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { plans, privileges, roles } from './rules.js';
import type { OpeningHours } from './hours.js';
import { rowBoundText } from '../encryption/columns.js';

export const planEnum = pgEnum('plan', plans);
export const roleEnum = pgEnum('role', roles);
export const privilegeEnum = pgEnum('privilege', privileges);

const createdAt = () => timestamp('created_at', { withTimezone: true, precision: 3 }).notNull().defaultNow();

export const organizations = pgTable('organizations', {
  id: uuid('id').primaryKey().defaultRandom(),
  name: text('name').notNull(),
  plan: planEnum('plan').notNull().default('free'),
  /** Staff must sign in with a second factor (TOTP); those without one may only enrol. */
  requireTwoFactor: boolean('require_two_factor').notNull().default(false),
  /** Issue 18: ISO 3166 alpha-2; how a number typed without +country code is read. Null: the install's DEFAULT_COUNTRY (organizations from before). */
  country: text('country'),
  /** Issue 18: ISO 4217; the currency of charges, cards and amounts. */
  currency: text('currency').notNull().default('USD'),
  createdAt: createdAt(),
});

export const clinics = pgTable(
  'clinics',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    name: text('name').notNull(),
    slug: text('slug').notNull(),
    timezone: text('timezone').notNull().default('America/New_York'),
    phone: text('phone'),
    address: text('address'),
    /** P1: whether the email telling a guest the clinic replied may quote the first words of the reply. */
    guestEmailPreview: boolean('guest_email_preview').notNull().default(false),
    /** B2: when the clinic is open (its time zone); null means Monday to Friday, 8:00–17:00. */
    openingHours: jsonb('opening_hours').$type<OpeningHours>(),
    /** B2: the automatic answer to a message that arrives while the clinic is closed; null is off. */
    afterHoursReply: text('after_hours_reply'),
    /** Issue 18: the after-hours reply in other languages, by language code; a patient whose language has none gets `afterHoursReply`. */
    afterHoursReplyTranslations: jsonb('after_hours_reply_translations').$type<Partial<Record<string, string>>>().notNull().default({}),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('clinics_slug_key').on(t.slug), index('clinics_org_idx').on(t.orgId)],
);

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    name: text('name').notNull(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: roleEnum('role').notNull(),
    privileges: privilegeEnum('privileges').array().notNull().default(sql`'{}'`),
    createdAt: createdAt(),
    deactivatedAt: timestamp('deactivated_at', { withTimezone: true, precision: 3 }),
    /** Wrong passwords or codes in a row; reset by a successful sign-in. */
    failedLogins: integer('failed_logins').notNull().default(0),
    lockedUntil: timestamp('locked_until', { withTimezone: true, precision: 3 }),
    /** TOTP secret (base32): pending until `totpEnabledAt` is set by a first correct code. */
    totpSecret: rowBoundText('users', 'totp_secret'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true, precision: 3 }),
    /** The 30-second step of the last code accepted: a code is good once, even within its window. */
    totpLastStep: integer('totp_last_step'),
    /** SHA-256 of the unused one-time recovery codes. */
    recoveryCodes: text('recovery_codes').array().notNull().default(sql`'{}'`),
    /** The language the user chose for the app and their emails ('en', 'es'); null: the browser's. */
    language: text('language'),
  },
  (t) => [
    uniqueIndex('users_email_key').on(sql`lower(${t.email})`),
    // T2: exactly one owner per organization; the database refuses a second.
    uniqueIndex('users_one_main_admin').on(t.orgId).where(sql`${t.role} = 'main_admin'`),
    index('users_org_idx').on(t.orgId),
  ],
);

/** Which clinics a non-admin user works in. Admins see every clinic and need no rows here. */
export const userClinics = pgTable(
  'user_clinics',
  {
    userId: uuid('user_id').notNull().references(() => users.id),
    clinicId: uuid('clinic_id').notNull().references(() => clinics.id),
  },
  (t) => [primaryKey({ columns: [t.userId, t.clinicId] })],
);

/** The clinics a user works at, as a column of a query on users. */
export const userClinicIds = sql<string[]>`array(select uc.clinic_id::text from user_clinics uc where uc.user_id = ${users.id} order by 1)`;

export const inboxes = pgTable(
  'inboxes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    orgId: uuid('org_id').notNull().references(() => organizations.id),
    name: text('name').notNull(),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('inboxes_org_name_key').on(t.orgId, sql`lower(${t.name})`)],
);
