import { Type, type Static } from 'typebox';
import { literals, Nullable } from '../http/schemas.js';
import { languages, type Language } from '../i18n/index.js';
import { weekdays, type OpeningHours } from './hours.js';
import { privileges, roles, type Role } from './rules.js';

const staffRoles = roles.filter((r): r is Exclude<Role, 'main_admin'> => r !== 'main_admin');

/** Clinics and team members as the routes take them; the service's input types are derived from these. */
export const Name = Type.String({ minLength: 1, maxLength: 200 });
export const StaffRole = literals(staffRoles);
export const Privilege = literals(privileges);

const Interval = Type.Object({ open: Type.String({ pattern: '^\\d\\d:\\d\\d$' }), close: Type.String({ pattern: '^\\d\\d:\\d\\d$' }) });
export const OpeningHoursSchema = Type.Object(Object.fromEntries(weekdays.map((d) => [d, Type.Optional(Type.Array(Interval, { maxItems: 4 }))])), {
  additionalProperties: false,
  description: 'B2: open intervals per weekday (sun…sat) in the clinic’s time zone; a missing day is closed',
});

export const AfterHoursTranslations = Type.Object(Object.fromEntries(languages.map((l) => [l, Type.Optional(Type.String({ minLength: 1, maxLength: 1000 }))])), {
  additionalProperties: false,
  description: 'the after-hours reply in other languages, by language code: a patient whose preferred language is here gets it, others get afterHoursReply',
});

export const ClinicBody = Type.Object({
  name: Name,
  slug: Type.Optional(Type.String({ pattern: '^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$' })),
  timezone: Type.Optional(Type.String({ maxLength: 64 })),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  address: Type.Optional(Type.String({ maxLength: 500 })),
});
export type ClinicInput = Static<typeof ClinicBody>;

export const ClinicChangesBody = Type.Object(
  {
    name: Type.Optional(Name),
    timezone: Type.Optional(Type.String({ maxLength: 64 })),
    phone: Type.Optional(Nullable(Type.String({ maxLength: 40 }))),
    address: Type.Optional(Nullable(Type.String({ maxLength: 500 }))),
    guestEmailPreview: Type.Optional(Type.Boolean()),
    openingHours: Type.Optional(OpeningHoursSchema),
    afterHoursReply: Type.Optional(Nullable(Type.String({ minLength: 1, maxLength: 1000 }))),
    afterHoursReplyTranslations: Type.Optional(AfterHoursTranslations),
  },
  { minProperties: 1 },
);
/** The two objects built from lists (weekdays, languages) come out of Static as any-key records: named by their keys here. */
export type ClinicChanges = Omit<Static<typeof ClinicChangesBody>, 'openingHours' | 'afterHoursReplyTranslations'> & {
  openingHours?: OpeningHours;
  afterHoursReplyTranslations?: Partial<Record<Language, string>>;
};

export const UserBody = Type.Object({
  name: Name,
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 200 }),
  role: StaffRole,
  privileges: Type.Array(Privilege, { maxItems: 3, default: [] }),
  clinicIds: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500, default: [] }),
});
export type UserInput = Static<typeof UserBody>;

export const UserChangesBody = Type.Object({
  name: Type.Optional(Name),
  role: Type.Optional(StaffRole),
  privileges: Type.Optional(Type.Array(Privilege, { maxItems: 3 })),
  clinicIds: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500 })),
  active: Type.Optional(Type.Boolean()),
});
export type UserChanges = Static<typeof UserChangesBody>;
