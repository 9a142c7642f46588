import { OptOutsSchema } from './opt-outs.js';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, Page, pageOf, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { preferredChannels } from './rules.js';
import { ContactChanges, ContactFields, ContactType, LanguageSchema } from './inputs.js';
import { addNote, createContact, listContacts, listOptOuts, setBlocked, updateContact } from './service.js';

export const Contact = Type.Object({
  id: Type.String(),
  type: ContactType,
  name: Type.String(),
  phone: Nullable(Type.String({ description: 'E.164' })),
  email: Nullable(Type.String()),
  dateOfBirth: Nullable(Type.String({ format: 'date' })),
  externalId: Nullable(Type.String({ description: 'the id in the practice-management system' })),
  portalAccount: Type.Boolean(),
  chatOptIn: Type.Boolean(),
  optedOut: OptOutsSchema(),
  emailBounce: Nullable(Type.Object({ at: Timestamp, reason: Type.String() }, { description: 'The mail system returned mail to this address (a bounce); cleared when the address changes' })),
  blocked: Type.Boolean(),
  preferredChannel: Nullable(Type.Union(preferredChannels.map((c) => Type.Literal(c)), { description: 'how the patient asked to be reached (from their practice system)' })),
  preferredLanguage: Nullable(LanguageSchema),
  availableChannels: Type.Array(Type.String(), { description: 'channels a message to this contact can go out on' }),
  createdAt: Timestamp,
});

const OptedOutContact = Type.Intersect([
  Contact,
  Type.Object({
    optOutSources: Type.Array(
      Type.Object({
        channel: Type.Union([Type.Literal('sms'), Type.Literal('email'), Type.Literal('whatsapp')]),
        source: Type.Union([Type.Literal('import'), Type.Literal('patient_or_carrier')], { description: 'import: a CSV import set it; otherwise the patient (STOP) or the carrier did' }),
        importId: Nullable(Type.String()),
        importedBy: Nullable(Type.String({ description: 'who ran the import' })),
        at: Nullable(Timestamp),
      }),
    ),
  }),
]);

export const Note = Type.Object({
  id: Type.String(),
  body: Type.String(),
  author: Type.Object({ id: Type.String(), name: Type.String() }),
  createdAt: Timestamp,
});

const crm = { privileges: ['contacts' as const] };
/** Finding a patient to message is part of the hub too, so senders may look contacts up and block them. */
const crmOrHub = { privileges: ['contacts' as const, 'send_messages' as const] };
/** C3: the contacts list, the contact page and private notes are the CRM, a Pro-plan feature (402 on Free). */
const crmFeature = { name: 'crm' as const, what: 'The patient contacts CRM' };
/** The contact page's access (contact-page/routes.ts), the same as the list's. */
export const contactAccess = { crmOrHubWithFeature: { ...crmOrHub, feature: crmFeature } };

export function contactRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/contacts',
    {
      config: { access: { ...crmOrHub, feature: crmFeature } },
      schema: {
        tags: ['contacts'],
        summary: 'Contacts, newest first; q searches name, email and phone (any format)',
        querystring: Type.Intersect([
          Page,
          Type.Object({ q: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), type: Type.Optional(ContactType), blocked: Type.Optional(Type.Boolean()) }),
        ]),
        response: responses({ 200: pageOf(Contact) }),
      },
    },
    async (request) => listContacts(deps, actorOf(request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.post(
    '/api/v1/contacts',
    {
      config: { access: crm },
      schema: {
        tags: ['contacts'],
        summary: 'Add a contact by hand (most are added automatically when they book or write)',
        body: Type.Object({ name: Type.String({ minLength: 1, maxLength: 200 }), ...ContactFields }),
        response: responses({ 201: Contact }, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await createContact(deps, actorOf(request), request.body)),
  );

  app.patch(
    '/api/v1/contacts/:id',
    {
      config: { access: crm },
      schema: {
        tags: ['contacts'],
        summary: "Change a contact's details",
        params: IdParams,
        body: ContactChanges,
        response: responses({ 200: Contact }, 404, 409),
      },
    },
    async (request) => updateContact(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/contacts/:id/notes',
    {
      config: { access: { ...crm, feature: crmFeature } },
      schema: {
        tags: ['contacts'],
        summary: 'Add a private note (staff only, never shown to the patient)',
        params: IdParams,
        body: Type.Object({ body: Type.String({ minLength: 1, maxLength: 10_000 }) }),
        response: responses({ 201: Note }, 404),
      },
    },
    async (request, reply) => reply.code(201).send(await addNote(deps, actorOf(request), request.params.id, request.body.body)),
  );

  for (const action of ['block', 'unblock'] as const) {
    app.post(
      `/api/v1/contacts/:id/${action}`,
      {
        config: { access: crmOrHub },
        schema: {
          tags: ['contacts'],
          summary: action === 'block' ? 'Block a contact: nothing can be sent to them until unblocked' : 'Unblock a contact',
          params: IdParams,
          response: responses({ 200: Contact }, 404),
        },
      },
      async (request) => setBlocked(deps, actorOf(request), request.params.id, action === 'block'),
    );
  }

  app.get(
    '/api/v1/opt-outs',
    {
      config: { access: crmOrHub },
      schema: { tags: ['contacts'], summary: 'Contacts who opted out of SMS, email or WhatsApp, and where each opt-out came from', response: responses({ 200: Type.Object({ items: Type.Array(OptedOutContact) }) }) },
    },
    async (request) => ({ items: await listOptOuts(deps, actorOf(request)) }),
  );
}
