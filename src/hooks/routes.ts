import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { signatureHeader, webhookEvents } from './rules.js';
import { createEndpoint, disableEndpoint, listDeliveries, listEndpoints } from './service.js';

const tags = ['webhooks'];
const admin = { access: { role: 'admin' as const } };
const Event = Type.Union(webhookEvents.map((e) => Type.Literal(e)));
const Endpoint = Type.Object({ id: Type.String(), url: Type.String(), events: Type.Array(Type.String()), active: Type.Boolean(), createdAt: Timestamp });

export function hookRoutes(app: App, deps: Deps): void {
  app.get('/api/v1/webhooks', { config: admin, schema: { tags, summary: "The organization's outgoing webhooks", response: responses({ 200: Type.Object({ items: Type.Array(Endpoint) }) }) } }, async (request) => ({
    items: await listEndpoints(deps, actorOf(request)),
  }));

  app.post(
    '/api/v1/webhooks',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Add an outgoing webhook; the signing secret is shown once',
        description: `Each event is POSTed as JSON {event, occurredAt, data} (identifiers only, no message text) with headers Frontdesk-Event, Frontdesk-Delivery and ${signatureHeader}: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>. A non-2xx answer is retried with doubling waits, 8 tries in all.`,
        body: Type.Object({ url: Type.String({ minLength: 8, maxLength: 2000 }), events: Type.Array(Event, { minItems: 1, maxItems: webhookEvents.length }) }),
        response: responses({ 201: Type.Intersect([Endpoint, Type.Object({ secret: Type.String() })]) }),
      },
    },
    async (request, reply) => reply.code(201).send(await createEndpoint(deps, actorOf(request), request.body)),
  );

  app.post('/api/v1/webhooks/:id/disable', { config: admin, schema: { tags, summary: 'Stop an outgoing webhook', params: IdParams, response: responses({ 200: Endpoint }, 404) } }, async (request) =>
    disableEndpoint(deps, actorOf(request), request.params.id),
  );

  app.get(
    '/api/v1/webhooks/:id/deliveries',
    {
      config: admin,
      schema: {
        tags,
        summary: "An outgoing webhook's delivery log, newest first, with every try",
        params: IdParams,
        response: responses(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  id: Type.String(),
                  event: Type.String(),
                  status: Type.String(),
                  attempts: Type.Array(Type.Object({ attempt: Type.Integer(), statusCode: Nullable(Type.Integer()), error: Nullable(Type.String()), durationMs: Type.Integer(), at: Timestamp })),
                  createdAt: Timestamp,
                  deliveredAt: Nullable(Timestamp),
                }),
              ),
            }),
          },
          404,
        ),
      },
    },
    async (request) => ({ items: await listDeliveries(deps, actorOf(request), request.params.id) }),
  );
}
