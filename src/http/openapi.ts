/**
 * What makes /openapi.json usable by client generators: an operationId on every operation, the one
 * Problem schema as a component that every error answer refers to (as application/problem+json),
 * the shared schemas (Conversation, Message, Contact, …) as components that every copy refers to,
 * the multipart uploads' bodies, examples on the main operations, the server's address, and the
 * outgoing webhooks under `webhooks`.
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

/** What the routes' schemas alone do not say (`src/api-document.ts`). */
export interface ApiDocument {
  /** Component name → the schema every structurally equal copy in the document becomes a reference to. */
  shared: Record<string, object>;
  /** `POST /path` → the multipart/form-data body the route reads itself (no body schema: Fastify would validate one). */
  uploads: Record<string, object>;
  /** operationId → an example request body and example answers by status. */
  examples: Record<string, { request?: unknown; responses?: Record<string, unknown> }>;
}

/** @fastify/swagger writes `const: x` as `enum: [x]`; the shared schemas are compared and published the same way. */
function asSwaggerWrites(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(asSwaggerWrites);
  if (!schema || typeof schema !== 'object') return schema;
  return Object.fromEntries(Object.entries(schema).map(([key, value]) => (key === 'const' ? ['enum', [value]] : [key, asSwaggerWrites(value)])));
}

/** A key-order-independent text of a JSON value, to find equal copies. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonical((value as Json)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Replaces every copy of a shared schema under `node` (not `node` itself) with a reference to its component. */
function referToShared(node: unknown, byText: Map<string, string>): unknown {
  const swap = (value: unknown) => {
    const name = value && typeof value === 'object' ? byText.get(canonical(value)) : undefined;
    return name ? { $ref: `#/components/schemas/${name}` } : referToShared(value, byText);
  };
  if (Array.isArray(node)) return node.map(swap);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, swap(value)]));
}

function shareSchemas(doc: Json, shared: ApiDocument['shared']): Json {
  const published = Object.entries(shared).map(([name, schema]) => [name, asSwaggerWrites(JSON.parse(JSON.stringify(schema)))] as const);
  const byText = new Map(published.map(([name, schema]) => [canonical(schema), name]));
  doc.paths = referToShared(doc.paths, byText);
  return Object.fromEntries(published.map(([name, schema]) => [name, referToShared(schema, byText)]));
}

function operations(doc: Json): [string, Json][] {
  return Object.entries<Json>(doc.paths ?? {}).flatMap(([path, ops]) => Object.entries<Json>(ops).map(([method, op]) => [`${method.toUpperCase()} ${path}`, op] as [string, Json]));
}

function describeUploads(doc: Json, uploads: ApiDocument['uploads']): void {
  for (const [where, operation] of operations(doc)) {
    const schema = uploads[where];
    if (schema) operation.requestBody = { required: true, content: { 'multipart/form-data': { schema: JSON.parse(JSON.stringify(schema)) } } };
  }
}

function addExamples(doc: Json, examples: ApiDocument['examples']): void {
  for (const [, operation] of operations(doc)) {
    const example = examples[operation.operationId];
    if (!example) continue;
    const json = (content: Json | undefined) => content?.['application/json'];
    if (example.request !== undefined && json(operation.requestBody?.content)) json(operation.requestBody.content).example = example.request;
    for (const [status, body] of Object.entries(example.responses ?? {})) {
      const media = json(operation.responses?.[status]?.content);
      if (media) media.example = body;
    }
  }
}

export function refineOpenApi(doc: Json, publicUrl: string, extra: ApiDocument = { shared: {}, uploads: {}, examples: {} }): Json {
  problemResponses(doc);
  const shared = shareSchemas(doc, extra.shared);
  describeUploads(doc, extra.uploads);
  addExamples(doc, extra.examples);
  doc.servers = [{ url: publicUrl, description: 'this installation (PUBLIC_URL)' }];
  doc.components = { ...doc.components, schemas: { ...doc.components?.schemas, Problem, WebhookPayload, ...shared } };
  doc.webhooks = outgoingWebhooks();
  return doc;
}
