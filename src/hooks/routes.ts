import { Type } from 'typebox';
import type { Deps } from '../deps.js';
import { Id, IdParams, Nullable, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { defaultRotationOverlapHours, webhookEvents } from './rules.js';
import { createEndpoint, disableEndpoint, listDeliveries, listEndpoints, redeliver, rotateSecret } from './service.js';

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
        description:
          'Each event is POSTed as JSON {event, occurredAt, data} (identifiers only, no message text), signed as Standard Webhooks specifies: webhook-id (the delivery, the same on every retry), webhook-timestamp (unix seconds) and webhook-signature: v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>"> under the secret (whsec_ + base64), so the reference libraries verify it. A non-2xx answer is retried with doubling waits, 8 tries in all.',
        body: Type.Object({ url: Type.String({ minLength: 8, maxLength: 2000 }), events: Type.Array(Event, { minItems: 1, maxItems: webhookEvents.length }) }),
        response: responses({ 201: Type.Intersect([Endpoint, Type.Object({ secret: Type.String() })]) }),
      },
    },
    async (request, reply) => reply.code(201).send(await createEndpoint(deps, actorOf(request), request.body)),
  );

  app.post(
    '/api/v1/webhooks/:id/rotate-secret',
    {
      config: admin,
      schema: {
        tags,
        summary: 'A new signing secret, shown once; the old one keeps signing beside it during the overlap',
        description: `During the overlap webhook-signature carries two signatures, one per secret, so the receiver can switch without refusing a delivery. overlapHours defaults to ${defaultRotationOverlapHours}; 0 retires the old secret at once.`,
        params: IdParams,
        body: Type.Object({ overlapHours: Type.Optional(Type.Integer({ minimum: 0, maximum: 168 })) }),
        response: responses({ 200: Type.Intersect([Endpoint, Type.Object({ secret: Type.String(), previousSecretExpiresAt: Nullable(Timestamp) })]) }, 404),
      },
    },
    async (request) => rotateSecret(deps, actorOf(request), request.params.id, request.body),
  );

  app.post(
    '/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver',
    {
      config: admin,
      schema: {
        tags,
        summary: 'Send a delivered or failed delivery again, under the same webhook-id',
        params: Type.Object({ id: Id, deliveryId: Id }),
        response: responses({ 202: Type.Object({ id: Type.String(), status: Type.Literal('pending') }) }, 404, 409),
      },
    },
    async (request, reply) => reply.code(202).send(await redeliver(deps, actorOf(request), request.params.id, request.params.deliveryId)),
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
