import type { FastifyReply, FastifyRequest } from 'fastify';
import { pickLanguage, translator, type Language } from '../i18n/index.js';
import { browserAsksFor, patientLanguage } from '../i18n/patient-language.js';
import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Nullable, Timestamp } from '../http/schemas.js';
import { clientOrigin, type App } from '../http/types.js';
import { sendStoredFile, SignedLinkQuery } from '../attachments/routes.js';
import { PatientCard } from '../artifacts/routes.js';
import { clinicBySlug, guestAttachment, postFromPublicPage, readGuestThread, replyAsGuest, type GuestPost, type GuestThread } from './service.js';
import { notFoundPage, pageCsp, privateHeaders, publicCss } from '../http/html.js';
import { clinicPage, guestJs, guestPage, type FormState } from './pages.js';
import { guestPath } from './rules.js';
import { defaultOpeningHours, hoursText } from '../orgs/hours.js';

const publicAccess = { access: { public: true } } as const;
/** Patients' pages: open without signing in, refused as HTML pages. */
const pageAccess = { ...publicAccess, page: true } as const;
const tags = ['patients (public)'];

const SlugParams = Type.Object({ clinicSlug: Type.String({ minLength: 1, maxLength: 80 }) });
const TokenParams = Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }) });
const Text = Type.String({ minLength: 1, maxLength: 5000, description: 'plain text' });
const PostBody = Type.Object({
  name: Type.String({ minLength: 1, maxLength: 200 }),
  email: Type.String({ minLength: 3, maxLength: 254 }),
  phone: Type.Optional(Type.String({ maxLength: 40 })),
  body: Text,
  website: Type.Optional(Type.String({ maxLength: 500, description: 'honeypot: people leave it empty' })),
});

const GuestMessage = Type.Object({
  id: Type.String(),
  card: Nullable(PatientCard),
  attachments: Type.Array(Type.Object({ id: Type.String(), filename: Type.String(), contentType: Type.String(), size: Type.Integer(), url: Type.String({ description: 'signed; works for a day' }) }), {
    description: 'files the clinic sent, each at its signed url',
  }),
  direction: Type.Union([Type.Literal('inbound'), Type.Literal('outbound')], { description: 'inbound: written by the patient' }),
  body: Type.String(),
  from: Type.String(),
  createdAt: Timestamp,
  status: Type.String({ description: "the patient's messages: delivered or read (seen by the clinic)" }),
});
const GuestThread = Type.Object({
  clinic: Type.Object({ name: Type.String(), phone: Nullable(Type.String()), address: Nullable(Type.String()), hours: Nullable(Type.String()), slug: Type.String() }),
  patientName: Type.String(),
  held: Type.Boolean({ description: 'the message waits for the clinic’s plan to allow it' }),
  messages: Type.Array(GuestMessage),
});
const ClinicProfile = Type.Object({ name: Type.String(), slug: Type.String(), phone: Nullable(Type.String()), address: Nullable(Type.String()), hours: Nullable(Type.String()) });
const problem = (description: string) => Type.Object({ code: Type.String(), detail: Type.String() }, { additionalProperties: true, description });


const html = (reply: FastifyReply, status: number, body: string) => privateHeaders(reply).code(status).type('text/html; charset=utf-8').send(body);

/** A form post's fields (urlencoded), as strings, whatever a client sent. */
function formFields(body: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (body && typeof body === 'object') for (const [k, v] of Object.entries(body)) if (typeof v === 'string') out[k] = v.slice(0, 6000);
  return out;
}

/** The form's own checks, so a person without JavaScript sees what to fix next to the field. */
function checkForm(f: Record<string, string>, fields: ('name' | 'email' | 'body')[], language: Language): Record<string, string> {
  const t = translator(language);
  const errors: Record<string, string> = {};
  const missing = { name: t('patient:form.enterName'), email: t('patient:form.enterEmail'), body: t('patient:form.enterMessage') };
  for (const name of fields) if (!f[name]?.trim()) errors[name] = missing[name];
  if (f.body && f.body.length > 5000) errors.body = t('patient:form.tooLong');
  return errors;
}

/** A visitor of the public page: whatever their browser asks for. */
const visitorLanguage = (request: FastifyRequest) => pickLanguage(request.headers['accept-language']);
/** A guest on their thread: the language the clinic knows for them, else their browser's. */
const guestLanguage = (request: FastifyRequest, thread: GuestThread) => patientLanguage(thread.preferredLanguage, request.headers['accept-language']);

function fieldOfError(e: AppError): string | null {
  if (e.code === 'invalid_phone') return 'phone';
  if (e.code === 'invalid_input' && /email/.test(e.detail)) return 'email';
  return null;
}

export function guestRoutes(app: App, deps: Deps): void {
  app.get('/public/guest.css', { schema: { hide: true } }, async (_request, reply) => reply.header('Cache-Control', 'public, max-age=3600').type('text/css').send(publicCss));
  app.get('/public/guest.js', { schema: { hide: true } }, async (_request, reply) => reply.header('Cache-Control', 'public, max-age=3600').type('text/javascript').send(guestJs));

  // --- the pages --------------------------------------------------------------------------

  app.get(
    '/c/:clinicSlug',
    { config: pageAccess, schema: { tags, summary: "The clinic's public profile page with its message form (HTML)", params: SlugParams } },
    async (request, reply) => {
      const language = visitorLanguage(request);
      const clinic = await clinicBySlug(deps.db, request.params.clinicSlug).catch(() => null);
      if (!clinic) return html(reply, 404, notFoundPage(language));
      return reply
        .header('Cache-Control', 'public, max-age=60')
        .header('Vary', 'Accept-Language')
        .header('Content-Security-Policy', pageCsp)
        .type('text/html; charset=utf-8')
        .send(clinicPage(clinic, {}, language));
    },
  );

  app.post(
    '/c/:clinicSlug',
    { config: pageAccess, schema: { tags, summary: 'The message form posted without JavaScript: redirects to the private link (HTML)', params: SlugParams } },
    async (request, reply) => {
      const language = visitorLanguage(request);
      const clinic = await clinicBySlug(deps.db, request.params.clinicSlug).catch(() => null);
      if (!clinic) return html(reply, 404, notFoundPage(language));
      const f = formFields(request.body);
      const state: FormState = { values: { name: f.name, email: f.email, phone: f.phone, body: f.body } };
      const fieldErrors = checkForm(f, ['name', 'email', 'body'], language);
      if (Object.keys(fieldErrors).length) return html(reply, 400, clinicPage(clinic, { ...state, fieldErrors, error: translator(language)('patient:form.checkFields') }, language));
      try {
        const post: GuestPost = { name: f.name.slice(0, 200), email: f.email.slice(0, 254), phone: f.phone || undefined, body: f.body, website: f.website, language: browserAsksFor(request.headers['accept-language']) };
        const { token } = await postFromPublicPage(deps, clinic.slug, post, clientOrigin(request));
        return privateHeaders(reply).redirect(guestPath(token), 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        if (e.code === 'plan_required' && typeof e.extra.guestUrl === 'string') return privateHeaders(reply).redirect(new URL(e.extra.guestUrl).pathname, 303);
        if (e.status === 429) reply.header('Retry-After', String(e.extra.retryAfterSeconds));
        const field = fieldOfError(e);
        return html(reply, e.status, clinicPage(clinic, { ...state, error: e.detail, fieldErrors: field ? { [field]: e.detail } : undefined }, language));
      }
    },
  );

  app.get(
    '/g/:token',
    { config: pageAccess, schema: { tags, summary: "The guest's private thread (HTML; readable without JavaScript)", params: TokenParams } },
    async (request, reply) => {
      const thread = await readGuestThread(deps, request.params.token, clientOrigin(request), request.headers['accept-language']).catch((e) => {
        if (e instanceof AppError && e.status === 404) return null;
        throw e;
      });
      if (!thread) return html(reply, 404, notFoundPage(visitorLanguage(request)));
      return html(reply, 200, guestPage(request.params.token, thread, {}, guestLanguage(request, thread)));
    },
  );

  app.post(
    '/g/:token',
    { config: pageAccess, schema: { tags, summary: 'A guest reply posted without JavaScript: back to the thread (HTML)', params: TokenParams } },
    async (request, reply) => {
      const f = formFields(request.body);
      const token = request.params.token;
      try {
        if (!f.body?.trim()) throw new AppError('invalid_input', translator(visitorLanguage(request))('patient:form.writeReplyFirst'));
        await replyAsGuest(deps, token, f.body.slice(0, 5000), clientOrigin(request));
        return privateHeaders(reply).redirect(guestPath(token), 303);
      } catch (e) {
        if (!(e instanceof AppError)) throw e;
        if (e.status === 404) return html(reply, 404, notFoundPage(visitorLanguage(request)));
        if (e.status === 429) reply.header('Retry-After', String(e.extra.retryAfterSeconds));
        const thread = await readGuestThread(deps, token, clientOrigin(request), request.headers['accept-language']);
        return html(reply, e.status, guestPage(token, thread, { values: { body: f.body }, error: e.detail }, guestLanguage(request, thread)));
      }
    },
  );

  // --- the API ----------------------------------------------------------------------------

  app.get(
    '/api/v1/public/clinics/:clinicSlug',
    { config: publicAccess, schema: { tags, summary: "A clinic's public profile", security: [], params: SlugParams, response: { 200: ClinicProfile, 404: problem('no such clinic') } } },
    async (request) => {
      const c = await clinicBySlug(deps.db, request.params.clinicSlug);
      return { name: c.name, slug: c.slug, phone: c.phone, address: c.address, hours: hoursText(c.openingHours ?? defaultOpeningHours) };
    },
  );

  app.post(
    '/api/v1/public/clinics/:clinicSlug/messages',
    {
      config: publicAccess,
      schema: {
        tags,
        summary: 'A message from the clinic page, no account needed: creates or reuses the lead and a web conversation; answers with the private link',
        description:
          'Rate limited per client address and per email (429 with Retry-After); the same message again within 10 minutes is 409 duplicate_message; a filled-in honeypot field `website` is 400 spam_suspected. Over the Free plan\'s monthly limit the message is kept (held until the plan allows) and the answer is 402 with `guestUrl`.',
        security: [],
        params: SlugParams,
        body: PostBody,
        response: {
          201: Type.Object({ guestUrl: Type.String({ description: 'the private link: the only key to the thread' }) }),
          400: problem('invalid input or spam'),
          402: problem('over the plan limit; the message is kept and `guestUrl` is included'),
          403: problem('the sender is blocked'),
          404: problem('no such clinic'),
          409: problem('duplicate_message'),
          429: problem('rate limited'),
        },
      },
    },
    async (request, reply) => {
      const post = { ...request.body, language: browserAsksFor(request.headers['accept-language']) };
      const { guestUrl } = await postFromPublicPage(deps, request.params.clinicSlug, post, clientOrigin(request));
      return privateHeaders(reply).code(201).send({ guestUrl });
    },
  );

  app.get(
    '/api/v1/public/threads/:token/messages',
    {
      config: publicAccess,
      schema: { tags, summary: "The guest's thread (the token is the only key; a wrong or revoked one is 404)", security: [], params: TokenParams, response: { 200: GuestThread, 404: problem('unknown or revoked link') } },
    },
    async (request, reply) => privateHeaders(reply).send(await readGuestThread(deps, request.params.token, clientOrigin(request), request.headers['accept-language'])),
  );

  app.post(
    '/api/v1/public/threads/:token/messages',
    {
      config: publicAccess,
      schema: {
        tags,
        summary: 'The guest writes back',
        security: [],
        params: TokenParams,
        body: Type.Object({ body: Text }),
        response: { 201: GuestMessage, 400: problem('invalid input'), 404: problem('unknown or revoked link'), 409: problem('duplicate_message'), 429: problem('rate limited') },
      },
    },
    async (request, reply) => privateHeaders(reply).code(201).send(await replyAsGuest(deps, request.params.token, request.body.body, clientOrigin(request))),
  );

  app.get(
    '/api/v1/public/threads/:token/attachments/:id',
    {
      config: publicAccess,
      schema: {
        tags,
        summary: 'A file the clinic sent on this private link',
        security: [],
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 100 }), id: Type.String({ format: 'uuid' }) }),
        querystring: SignedLinkQuery,
        response: { 200: { type: 'string', format: 'binary' } as never, 403: problem('link altered'), 404: problem('unknown link or file'), 410: problem('link expired') },
      },
    },
    async (request, reply) => {
      const { attachment, bytes } = await guestAttachment(deps, request.params.token, request.params.id, request.query, clientOrigin(request));
      return sendStoredFile(privateHeaders(reply), attachment, bytes);
    },
  );
}
