/** Builds the Fastify app from the modules. No logic of its own; it never listens (main.ts does). */
import fastifyCookie from '@fastify/cookie';
import fastifyHelmet from '@fastify/helmet';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { apiDocument } from './api-document.js';
import { attachmentRoutes } from './attachments/routes.js';
import { auditRoutes } from './audit/routes.js';
import { auditActor, recordIntegrityFailure, type Reader } from './audit/service.js';
import { emergencyRoutes } from './emergency/routes.js';
import { registerAuth } from './auth/plugin.js';
import { authRoutes } from './auth/routes.js';
import { simulatorRoutes } from './channels/simulator/routes.js';
import { smsInboxRoutes } from './channels/sms/inbox.js';
import { channelAccountRoutes } from './channels/accounts.js';
import { webhookRoutes } from './channels/webhooks.js';
import { billingRoutes } from './billing/routes.js';
import { guestAllowance } from './guest/allowance.js';
import { templateRoutes } from './templates/routes.js';
import { notificationRoutes } from './notifications/routes.js';
import { guestRoutes } from './guest/routes.js';
import { bookingRoutes } from './bookings/routes.js';
import { portalRoutes } from './portal/routes.js';
import { patientReader } from './portal/service.js';
import { fhirRoutes } from './fhir/routes.js';
import { hookRoutes } from './hooks/routes.js';
import { campaignRoutes } from './campaigns/routes.js';
import { artifactRoutes } from './artifacts/routes.js';
import { reportRoutes } from './reports/routes.js';
import { importRoutes } from './imports/routes.js';
import { exportRoutes } from './exports/routes.js';
import { contactRoutes } from './contacts/routes.js';
import { contactPageRoutes } from './pages/contact.js';
import { threadPageRoutes } from './pages/thread.js';
import { conversationRoutes } from './conversations/routes.js';
import type { Deps } from './deps.js';
import { registerErrorHandling } from './http/errors.js';
import { operationIdFor, refineOpenApi } from './http/openapi.js';
import { strictBody } from './http/schemas.js';
import type { App } from './http/types.js';
import { orgRoutes } from './orgs/routes.js';
import { genRequestId, opsRoutes, registerRequestContext, registerRequestMetrics } from './ops/routes.js';
import { realtimeRoutes } from './realtime/routes.js';
import { webRoutes } from './web.js';

/** Request logs name the method and path only: query strings can hold a patient's name or phone. */
const logSerializers = {
  req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, path: redactPath(req.url.split('?')[0]), ip: req.ip }),
};

/** Guest links are keys: a log line names the route, never the token. */
export const redactPath = (path: string) => path.replace(/^\/g\/[^/]+/, '/g/:token').replace(/^\/l\/[^/]+/, '/l/:token').replace(/^(\/api\/v1\/public\/threads\/)[^/]+/, '$1:token');

export async function buildApp(deps: Deps, opts: { logger?: FastifyServerOptions['logger'] } = {}): Promise<App> {
  const app = Fastify({
    logger: opts.logger === undefined ? false : opts.logger === false ? false : { level: deps.config.logLevel, serializers: logSerializers },
    trustProxy: deps.config.trustProxy,
    genReqId: genRequestId,
    bodyLimit: 1024 * 1024,
    // Live event streams never go idle; on shutdown they are closed rather than waited for.
    forceCloseConnections: true,
    // Unknown fields are refused (strictBody below), not silently dropped: the caller learns what was wrong.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Every route, as registered: tests check each one is documented and walled off by organization.
  const routeTable: { method: string; url: string; hidden: boolean }[] = [];
  app.addHook('onRoute', (route) => {
    if (route.schema?.body) route.schema.body = strictBody(route.schema.body as Parameters<typeof strictBody>[0], { atLeastOne: route.method === 'PATCH' });
    if (route.schema && !route.schema.hide && !(route.schema as { operationId?: string }).operationId) (route.schema as { operationId?: string }).operationId = operationIdFor([route.method].flat()[0], route.url);
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routeTable.push({ method, url: route.url, hidden: Boolean(route.schema?.hide) });
    }
  });
  app.decorate('routeTable', routeTable);

  registerRequestContext(app);
  registerRequestMetrics(app, deps);
  await app.register(fastifyCookie);
  // Transmission and browser safeguards on every answer: HSTS, a CSP without inline scripts, no
  // framing, no referrer leaving the site (a thread's URL names a conversation), no MIME sniffing.
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        // https: for the remote images of a patient's HTML mail, which the thread loads only when staff
        // click "Load images" (the sanitiser parks them in data-remote-src).
        imgSrc: ["'self'", 'data:', 'blob:', 'https:'],
        mediaSrc: ["'self'", 'blob:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'no-referrer' },
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Frontdesk API',
        version: '1',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
        description:
          'The shared patient inbox. Staff sign in with a session cookie (writes send X-CSRF-Token); integrations send Authorization: Bearer <token>. Errors are RFC 9457 problem details with a stable `code`.',
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'fd_session' },
          bearer: { type: 'http', scheme: 'bearer' },
          portalSession: { type: 'apiKey', in: 'cookie', name: 'fd_portal', description: 'a patient signed in to the portal' },
          metricsToken: { type: 'http', scheme: 'bearer', description: 'METRICS_TOKEN, when the operator set one' },
        },
      },
      security: [{ session: [] }, { bearer: [] }],
    },
    transformObject: (document) => refineOpenApi((document as { openapiObject: Record<string, unknown> }).openapiObject, deps.config.publicUrl, apiDocument),
  });
  // The API explorer's page has inline styles of its own; it reads no patient data.
  await app.register(fastifySwaggerUi, { routePrefix: '/docs', staticCSP: true });

  const pageFallback = await webRoutes(app);
  // Whoever was reading: staff or a token, a patient in the portal, or the reader the code that read named (a guest's link).
  registerErrorHandling(app, pageFallback, async (request, error) => {
    const reader = request.actor ? auditActor(request.actor) : request.patient ? patientReader(request.patient) : (error.reader as Reader | undefined);
    if (reader) await recordIntegrityFailure(deps.db, reader, request.routeOptions.url ?? null, error);
  });
  registerAuth(app, deps);

  opsRoutes(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  authRoutes(app, deps);
  orgRoutes(app, deps);
  contactRoutes(app, deps);
  contactPageRoutes(app, deps);
  importRoutes(app, deps);
  exportRoutes(app, deps);
  conversationRoutes(app, deps);
  threadPageRoutes(app, deps);
  auditRoutes(app, deps);
  emergencyRoutes(app, deps);
  await attachmentRoutes(app, deps);
  realtimeRoutes(app, deps);
  billingRoutes(app, deps, guestAllowance);
  templateRoutes(app, deps);
  notificationRoutes(app, deps);
  guestRoutes(app, deps);
  bookingRoutes(app, deps);
  portalRoutes(app, deps);
  fhirRoutes(app, deps);
  hookRoutes(app, deps);
  campaignRoutes(app, deps);
  artifactRoutes(app, deps);
  reportRoutes(app, deps);
  smsInboxRoutes(app, deps);
  channelAccountRoutes(app, deps);
  webhookRoutes(app, deps);
  if (deps.config.simulator) simulatorRoutes(app, deps);

  return app;
}
