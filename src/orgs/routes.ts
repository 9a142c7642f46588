import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { plans, privileges, roles } from './rules.js';
import { AfterHoursTranslations, ClinicBody, ClinicChangesBody, Name, OpeningHoursSchema, Privilege, UserBody, UserChangesBody } from './inputs.js';
import { updateOrgLocale } from './locale.js';
import { languages } from '../i18n/index.js';
import { createClinic, updateClinic, createInbox, createUser, listClinics, listInboxes, listUsers, renameInbox, requireTwoFactor, updateUser } from './service.js';

const Role = Type.Union(roles.map((r) => Type.Literal(r)));
export const LanguageSchema = Type.Union(languages.map((l) => Type.Literal(l)), { description: 'a language the app speaks' });

export const Clinic = Type.Object({
  id: Type.String(),
  name: Type.String(),
  slug: Type.String({ description: 'the address of its public page: /c/{slug}' }),
  timezone: Type.String(),
  phone: Nullable(Type.String()),
  address: Nullable(Type.String()),
  hours: Nullable(Type.String({ description: 'openingHours as the public page shows them ("Mon–Fri 8:00–17:00; Sat 9:00–13:00"); read-only, null when never open' })),
  guestEmailPreview: Type.Boolean({ description: 'whether reply emails to guests may quote the first words of the reply' }),
  openingHours: OpeningHoursSchema,
  afterHoursReply: Nullable(Type.String({ description: 'sent once a night to a patient who writes while the clinic is closed; null is off' })),
  afterHoursReplyTranslations: AfterHoursTranslations,
  createdAt: Timestamp,
});

export const Inbox = Type.Object({ id: Type.String(), name: Type.String(), createdAt: Timestamp });

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  email: Type.String(),
  role: Role,
  privileges: Type.Array(Privilege),
  clinicIds: Type.Array(Type.String(), { description: 'clinics a non-admin works at; admins see all' }),
  active: Type.Boolean(),
  createdAt: Timestamp,
});

export const Me = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Role,
    language: Nullable(LanguageSchema),
  }),
  role: Role,
  privileges: Type.Array(Privilege),
  organization: Type.Object({ id: Type.String(), name: Type.String(), currency: Type.String({ description: 'ISO 4217: the currency the app shows amounts in' }) }),
  plan: Type.Union(plans.map((p) => Type.Literal(p))),
  clinics: Type.Array(Clinic),
  csrfToken: Nullable(Type.String({ description: 'send as X-CSRF-Token on cookie-authenticated writes' })),
  sessionIdleMinutes: Type.Integer({ description: 'a session ends after this long without a request' }),
  defaultCountry: Type.String({ description: "the organization's country (ISO 3166 alpha-2): a number without +country code is read in it; the app shows its numbers in national format, others in international" }),
  currency: Type.String({ description: 'ISO 4217: the currency of charges, cards and amounts' }),
  simulator: Type.Boolean({ description: 'whether the offline simulator routes are on' }),
  security: Type.Object({
    twoFactorEnabled: Type.Boolean(),
    organizationRequiresTwoFactor: Type.Boolean(),
    mustEnrolTwoFactor: Type.Boolean({ description: 'true: every other route answers 403 two_factor_enrolment_required until enrolment' }),
  }),
});

export function orgRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/clinics',
    { schema: { tags: ['organization'], summary: 'Clinics the user works at (all of them for admins)', response: responses({ 200: Type.Object({ items: Type.Array(Clinic) }) }) } },
    async (request) => ({ items: await listClinics(deps, actorOf(request)) }),
  );

  app.post(
    '/api/v1/clinics',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: 'Add a clinic (location)',
        body: ClinicBody,
        response: responses({ 201: Clinic }, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await createClinic(deps, actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/clinics/:id',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: "Edit a clinic: its public page's details and guest email previews",
        params: IdParams,
        body: ClinicChangesBody,
        response: responses({ 200: Clinic }, 404),
      },
    },
    async (request) => updateClinic(deps, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/inboxes',
    { schema: { tags: ['organization'], summary: 'Inboxes (per team or workflow)', response: responses({ 200: Type.Object({ items: Type.Array(Inbox) }) }) } },
    async (request) => ({ items: await listInboxes(deps, actorOf(request)) }),
  );

  app.post(
    '/api/v1/inboxes',
    {
      config: { access: { role: 'admin' } },
      schema: { tags: ['organization'], summary: 'Create an inbox', body: Type.Object({ name: Name }), response: responses({ 201: Inbox }, 409) },
    },
    async (request, reply) => reply.code(201).send(await createInbox(deps, actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/inboxes/:id',
    {
      config: { access: { role: 'admin' } },
      schema: { tags: ['organization'], summary: 'Rename an inbox', params: IdParams, body: Type.Object({ name: Name }), response: responses({ 200: Inbox }, 404, 409) },
    },
    async (request) => renameInbox(deps, actorOf(request), request.params.id, request.body),
  );

  app.put(
    '/api/v1/organization/two-factor',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: 'Require two-factor sign-in for every staff member (admin); those without it may only enrol until they do',
        body: Type.Object({ required: Type.Boolean() }),
        response: responses({ 200: Type.Object({ required: Type.Boolean() }) }),
      },
    },
    async (request) => ({ required: await requireTwoFactor(deps, actorOf(request), request.body.required) }),
  );

  app.patch(
    '/api/v1/organization',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: "The organization's country (how numbers typed without +country code are read, which numbers the SMS number search offers) and currency (charges, cards, amounts)",
        body: Type.Object(
          {
            country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', description: 'ISO 3166 alpha-2, e.g. MX' })),
            currency: Type.Optional(Type.String({ pattern: '^[A-Za-z]{3}$', description: 'ISO 4217, e.g. MXN' })),
          },
          { minProperties: 1, additionalProperties: false },
        ),
        response: responses({ 200: Type.Object({ country: Type.String(), currency: Type.String() }) }),
      },
    },
    async (request) => updateOrgLocale(deps, actorOf(request), request.body),
  );

  app.get(
    '/api/v1/users',
    { schema: { tags: ['organization'], summary: 'The active team members (for assignment)', response: responses({ 200: Type.Object({ items: Type.Array(User) }) }) } },
    async (request) => ({ items: await listUsers(deps, actorOf(request)) }),
  );

  app.post(
    '/api/v1/users',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: 'Add a team member with a role, privileges and clinic access',
        body: UserBody,
        response: responses({ 201: User }, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await createUser(deps, actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/users/:id',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['organization'],
        summary: "Change a team member's name, role, privileges, clinics, or deactivate them",
        params: IdParams,
        body: UserChangesBody,
        response: responses({ 200: User }, 404),
      },
    },
    async (request) => updateUser(deps, actorOf(request), request.params.id, request.body),
  );
}
