import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { PatientCard } from '../artifacts/routes.js';
import { sendStoredFile } from '../attachments/routes.js';
import { passwordMaxLength } from '../auth/rules.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Id, IdParams, Nullable, Ok, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App, clientOrigin } from '../http/types.js';
import { portalLifetimeMs } from './rules.js';
import { LanguageSchema } from '../orgs/routes.js';
import {
  activate,
  invitePatient,
  markPortalThreadRead,
  patientFromSession,
  portalCookie,
  portalCsrfMatches,
  portalInbox,
  portalLogin,
  portalLogout,
  portalMe,
  portalPost,
  portalSensitiveMessage,
  portalAttachment,
  portalThread,
  reauthenticate,
  setPreferences,
  type Patient,
  type PortalFile,
} from './service.js';

declare module 'fastify' {
  interface FastifyRequest {
    patient: Patient | null;
  }
}

const tags = ['patient portal'];
const portal = { access: { portal: true as const } };
const Password = Type.String({ minLength: 1, maxLength: passwordMaxLength });
const maxBodyLength = 5000;
const Text = Type.String({ minLength: 1, maxLength: maxBodyLength });
const security = [{ portalSession: [] }];


function patientOf(request: FastifyRequest): Patient {
  if (!request.patient) throw new Error('portal route reached without a patient');
  return request.patient;
}

/** The patient's multipart message: one file, and the text written with it (before or after the file). */
async function portalUpload(request: FastifyRequest): Promise<{ file: PortalFile; body: string }> {
  if (!request.isMultipart()) throw new AppError('invalid_input', 'send the file as multipart/form-data in a field named "file"');
  let file: PortalFile | null = null;
  let body = '';
  for await (const part of request.parts()) {
    if (part.type === 'file' && part.fieldname === 'file') file = { filename: part.filename, bytes: await part.toBuffer() };
    else if (part.type === 'file') await part.toBuffer();
    else if (part.fieldname === 'body') body = String(part.value).trim();
  }
  if (!file) throw new AppError('invalid_input', 'no file in the upload; send it in a field named "file"');
  if (!file.bytes.length) throw new AppError('invalid_input', 'the file is empty');
  if (body.length > maxBodyLength) throw new AppError('invalid_input', `the message is longer than ${maxBodyLength} characters`);
  return { file, body };
}

/** The clinic a thread is with; its zone is the one the portal shows the thread's times in (defect 8). */
const PortalClinic = Type.Object({ id: Type.String(), name: Type.String(), timezone: Type.String({ description: 'IANA zone, e.g. America/Los_Angeles' }) });

const PortalMe = Type.Object({
  name: Type.String(),
  email: Nullable(Type.String()),
  chatOptIn: Type.Boolean(),
  language: Nullable({ ...LanguageSchema, description: 'the language the clinic writes to this patient in; null: not known (the portal follows the browser)' }),
  clinics: Type.Array(Type.Object({ id: Type.String(), name: Type.String(), slug: Type.String() })),
  csrfToken: Type.String({ description: 'send as X-CSRF-Token on writes' }),
  sensitiveUnlocked: Type.Boolean({ description: 'whether sensitive messages show now (password entered in the last 5 minutes)' }),
});


const PortalMessage = Type.Object({
  id: Type.String(),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], { description: 'inbound: written by the patient' }),
  from: Type.String(),
  body: Nullable(Type.String({ description: 'null while a sensitive message is locked' })),
  sensitive: Type.Boolean(),
  locked: Type.Boolean(),
  status: Type.String({ description: 'the clinic’s messages: sent, delivered, read; the patient’s: delivered, read (seen by the team)' }),
  createdAt: Timestamp,
  attachments: Type.Array(Type.Object({ id: Type.String(), filename: Type.String(), contentType: Type.String(), size: Type.Integer() }), { description: 'GET /api/v1/portal/attachments/{id}; empty while locked' }),
  card: Nullable(PatientCard),
});

export function portalRoutes(app: App, deps: Deps): void {
  app.decorateRequest('patient', null);
  app.addHook('preValidation', async (request) => {
    if (!request.routeOptions.config.access?.portal) return;
    const token = request.cookies[portalCookie];
    request.patient = token ? await patientFromSession(deps, token, clientOrigin(request)) : null;
    if (!request.patient) throw new AppError('not_signed_in', 'sign in to the patient portal first');
    if (request.method !== 'GET' && !portalCsrfMatches(request.patient, request.headers['x-csrf-token'] as string | undefined)) {
      throw new AppError('csrf', 'this write needs the X-CSRF-Token header from sign-in or GET /api/v1/portal/me');
    }
  });

  const setCookie = (reply: FastifyReply, token: string) =>
    reply.setCookie(portalCookie, token, { httpOnly: true, sameSite: 'lax', secure: deps.config.secureCookies, path: '/', maxAge: portalLifetimeMs / 1000 });

  // --- staff ------------------------------------------------------------------------------

  app.post(
    '/api/v1/contacts/:id/portal-invitation',
    {
      config: { access: { privileges: ['send_messages', 'contacts'] } },
      schema: {
        tags,
        summary: 'Invite a patient to the portal: a one-time link (7 days) emailed to them and shown here once',
        params: IdParams,
        response: responses({ 201: Type.Object({ inviteUrl: Type.String(), expiresAt: Timestamp, emailed: Type.Boolean() }) }, 404, 422),
      },
    },
    async (request, reply) => reply.code(201).send(await invitePatient(deps, actorOf(request), request.params.id)),
  );

  // --- signing in -------------------------------------------------------------------------

  app.post(
    '/api/v1/portal/activate',
    {
      config: { access: { public: true } },
      schema: { tags, summary: 'Set the portal password from an invitation, and sign in', security: [], body: Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }), password: Password }), response: responses({ 200: PortalMe }, 404) },
    },
    async (request, reply) => {
      const session = await activate(deps, request.body, clientOrigin(request));
      setCookie(reply, session.token);
      return portalMe(deps, (await patientFromSession(deps, session.token, clientOrigin(request)))!);
    },
  );

  app.post(
    '/api/v1/portal/login',
    {
      config: { access: { public: true } },
      schema: {
        tags,
        summary: "Sign in to a clinic's patient portal (separate from staff sign-in)",
        security: [],
        body: Type.Object({ clinicSlug: Type.String({ minLength: 1, maxLength: 80 }), email: Type.String({ minLength: 3, maxLength: 254 }), password: Password }),
        response: responses({ 200: PortalMe }, 429),
      },
    },
    async (request, reply) => {
      const session = await portalLogin(deps, request.body, clientOrigin(request));
      setCookie(reply, session.token);
      return portalMe(deps, (await patientFromSession(deps, session.token, clientOrigin(request)))!);
    },
  );

  app.post('/api/v1/portal/logout', { config: portal, schema: { tags, summary: 'Sign out of the portal', security, response: responses({ 200: Ok }) } }, async (request, reply) => {
    await portalLogout(deps, patientOf(request));
    reply.clearCookie(portalCookie, { path: '/' });
    return { ok: true };
  });

  app.get('/api/v1/portal/me', { config: portal, schema: { tags, summary: 'The signed-in patient', security, response: responses({ 200: PortalMe }) } }, async (request) =>
    portalMe(deps, patientOf(request)),
  );

  app.put(
    '/api/v1/portal/preferences',
    { config: portal, schema: { tags, summary: 'Communication preferences: opt in to (or out of) portal chat', security, body: Type.Object({ chatOptIn: Type.Boolean() }), response: responses({ 200: PortalMe }) } },
    async (request) => setPreferences(deps, patientOf(request), request.body),
  );

  app.post(
    '/api/v1/portal/reauth',
    {
      config: portal,
      schema: { tags, summary: 'Enter the password again: sensitive messages show for 5 minutes (M12)', security, body: Type.Object({ password: Password }), response: responses({ 200: Type.Object({ sensitiveVisibleUntil: Timestamp }) }) },
    },
    async (request) => reauthenticate(deps, patientOf(request), request.body.password),
  );

  // --- the inbox --------------------------------------------------------------------------

  app.get(
    '/api/v1/portal/conversations',
    {
      config: portal,
      schema: {
        tags,
        summary: "The patient's portal inbox; fetching it marks the clinic's new messages delivered",
        security,
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({
                id: Type.String(),
                clinic: PortalClinic,
                unread: Type.Integer(),
                lastMessage: Type.Object({ preview: Type.String(), direction: Type.String(), sensitive: Type.Boolean(), createdAt: Timestamp }),
                lastActivityAt: Timestamp,
              }),
            ),
          }),
        }),
      },
    },
    async (request) => portalInbox(deps, patientOf(request), request.headers['accept-language']),
  );

  app.post(
    '/api/v1/portal/conversations',
    {
      config: portal,
      schema: {
        tags,
        summary: 'Write to a clinic (joins the active conversation there); needs chat opt-in',
        security,
        body: Type.Object({ clinicId: Id, body: Text }),
        response: responses({ 201: Type.Object({ conversationId: Type.String(), message: PortalMessage }) }, 404, 422),
      },
    },
    async (request, reply) => reply.code(201).send(await portalPost(deps, patientOf(request), { clinicId: request.body.clinicId }, request.body.body)),
  );

  app.get(
    '/api/v1/portal/conversations/:id',
    {
      config: portal,
      schema: {
        tags,
        summary: 'A conversation’s portal messages; sensitive ones are locked (body null) unless the password was entered in the last 5 minutes',
        security,
        params: IdParams,
        response: responses({ 200: Type.Object({ id: Type.String(), clinic: PortalClinic, sensitiveUnlocked: Type.Boolean(), messages: Type.Array(PortalMessage) }) }, 404),
      },
    },
    async (request) => portalThread(deps, patientOf(request), request.params.id, request.headers['accept-language']),
  );

  app.post(
    '/api/v1/portal/conversations/:id/read',
    { config: portal, schema: { tags, summary: 'The patient opened the thread: the clinic’s messages they can see are read', security, params: IdParams, response: responses({ 200: Type.Object({ read: Type.Integer() }) }, 404) } },
    async (request) => markPortalThreadRead(deps, patientOf(request), request.params.id),
  );

  app.post(
    '/api/v1/portal/conversations/:id/messages',
    {
      config: portal,
      schema: { tags, summary: 'The patient writes in a conversation; needs chat opt-in', security, params: IdParams, body: Type.Object({ body: Text }), response: responses({ 201: PortalMessage }, 404, 422) },
    },
    async (request, reply) => reply.code(201).send((await portalPost(deps, patientOf(request), { conversationId: request.params.id }, request.body.body)).message),
  );

  app.post(
    '/api/v1/portal/conversations/:id/attachments',
    {
      config: portal,
      schema: {
        tags,
        summary: 'The patient writes with a file (multipart/form-data: field "file", a photo or PDF of at most 25 MB, its type read from the bytes; optional field "body"); needs chat opt-in',
        security,
        params: IdParams,
        consumes: ['multipart/form-data'],
        response: responses({ 201: PortalMessage }, 404, 413, 422),
      },
    },
    async (request, reply) => {
      const { file, body } = await portalUpload(request);
      return reply.code(201).send((await portalPost(deps, patientOf(request), { conversationId: request.params.id }, body, file)).message);
    },
  );

  app.get(
    '/api/v1/portal/messages/:id',
    {
      config: portal,
      schema: { tags, summary: 'One message; a sensitive one needs the password entered in the last 5 minutes (403 reauth_required)', security, params: IdParams, response: responses({ 200: Type.Object({ id: Type.String(), body: Type.String(), sensitive: Type.Boolean(), createdAt: Timestamp }) }, 404) },
    },
    async (request) => portalSensitiveMessage(deps, patientOf(request), request.params.id),
  );

  app.get(
    '/api/v1/portal/attachments/:id',
    {
      config: portal,
      schema: { tags, summary: 'A file on one of the patient’s portal messages (a sensitive one needs the password entered in the last 5 minutes)', security, params: IdParams, response: responses({ 200: { type: 'string', format: 'binary' } as never }, 404) },
    },
    async (request, reply) => {
      const { attachment, bytes } = await portalAttachment(deps, patientOf(request), request.params.id);
      return sendStoredFile(reply, attachment, bytes);
    },
  );
}
