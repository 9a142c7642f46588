/**
 * What makes /openapi.json usable by client generators: an operationId on every operation, the one
 * Problem schema as a component that every error answer refers to (as application/problem+json),
 * the server's address, and the outgoing webhooks under `webhooks`.
 */
import { webhookEvents } from '../hooks/rules.js';
import { Problem } from './schemas.js';

const words = (segment: string) => segment.split(/[^A-Za-z0-9]+/).filter(Boolean);
const capital = (word: string) => word[0].toUpperCase() + word.slice(1);

/** `GET /api/v1/conversations/:id/messages` → `getConversationsByIdMessages`; unique per method and path. */
export function operationIdFor(method: string, url: string): string {
  const parts = url
    .replace(/^\/api\/v1(?=\/|$)/, '')
    .split('/')
    .filter(Boolean)
    .flatMap((segment) => (segment.startsWith(':') ? ['By', ...words(segment.slice(1)).map(capital)] : words(segment).map(capital)));
  return method.toLowerCase() + (parts.join('') || 'Root');
}

type Json = Record<string, any>;

const problemRef = { $ref: '#/components/schemas/Problem' };

/** Error answers (4xx and 5xx) as application/problem+json referring to the one Problem component. */
function problemResponses(doc: Json): void {
  for (const operations of Object.values<Json>(doc.paths ?? {})) {
    for (const operation of Object.values<Json>(operations)) {
      for (const [status, response] of Object.entries<Json>(operation.responses ?? {})) {
        if (Number(status) >= 400) operation.responses[status] = { description: response.description ?? 'Problem details (RFC 9457)', content: { 'application/problem+json': { schema: problemRef } } };
      }
    }
  }
}

const WebhookPayload = {
  type: 'object',
  required: ['event', 'occurredAt', 'data'],
  properties: {
    event: { type: 'string', enum: [...webhookEvents] },
    occurredAt: { type: 'string', format: 'date-time' },
    data: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'identifiers only: conversationId, messageId, status, bookingId…' },
  },
};

/** The events Frontdesk POSTs to an organization's endpoints, signed as Standard Webhooks specifies. */
function outgoingWebhooks(): Json {
  const headers = Object.fromEntries(
    ['webhook-id', 'webhook-timestamp', 'webhook-signature'].map((name) => [name, { in: 'header', name, required: true, schema: { type: 'string' } }]),
  );
  return Object.fromEntries(
    webhookEvents.map((event) => [
      event,
      {
        post: {
          operationId: `webhook${event.split('.').map(capital).join('')}`,
          summary: `${event}, as sent to a webhook endpoint`,
          parameters: Object.values(headers),
          requestBody: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookPayload' } } } },
          responses: { '2XX': { description: 'taken; any other answer is retried with doubling waits, 8 tries in all' } },
        },
      },
    ]),
  );
}

export function refineOpenApi(doc: Json, publicUrl: string): Json {
  problemResponses(doc);
  doc.servers = [{ url: publicUrl, description: 'this installation (PUBLIC_URL)' }];
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem, WebhookPayload } };
  doc.webhooks = outgoingWebhooks();
  return doc;
}
