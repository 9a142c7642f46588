import { describe, expect, it } from 'vitest';
import { operationIdFor, refineOpenApi } from './openapi.js';

describe('operation ids', () => {
  it.each([
    ['GET', '/api/v1/conversations', 'getConversations'],
    ['POST', '/api/v1/conversations/:id/messages', 'postConversationsByIdMessages'],
    ['POST', '/api/v1/webhooks/:id/deliveries/:deliveryId/redeliver', 'postWebhooksByIdDeliveriesByDeliveryIdRedeliver'],
    ['GET', '/fhir/R4/Communication/:id', 'getFhirR4CommunicationById'],
    ['GET', '/livez', 'getLivez'],
    ['POST', '/api/v1/two-factor/enrol', 'postTwoFactorEnrol'],
  ])('%s %s is %s', (method, url, id) => expect(operationIdFor(method, url)).toBe(id));
});

describe('the refined document', () => {
  it('answers errors as problem+json referring to one Problem component, names its server and its webhooks', () => {
    const doc = refineOpenApi({ paths: { '/x': { get: { responses: { 200: { description: 'ok' }, 404: { description: 'gone', content: { 'application/json': { schema: { type: 'object' } } } } } } } } }, 'https://fd.example');
    expect(doc.paths['/x'].get.responses[404]).toEqual({ description: 'gone', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } });
    expect(doc.paths['/x'].get.responses[200]).toEqual({ description: 'ok' });
    expect(doc.servers).toEqual([{ url: 'https://fd.example', description: expect.any(String) }]);
    expect(Object.keys(doc.webhooks)).toEqual(['message.created', 'message.status', 'conversation.closed', 'booking.created']);
    expect(doc.components.schemas.Problem.properties.code).toBeDefined();
  });
});

describe('shared schemas', () => {
  const Thing = { type: 'object', required: ['kind'], properties: { kind: { const: 'thing' }, tags: { type: 'array', items: { type: 'string' } } } };
  // As @fastify/swagger writes it: const as enum, keys in another order.
  const written = () => ({ properties: { tags: { items: { type: 'string' }, type: 'array' }, kind: { enum: ['thing'] } }, required: ['kind'], type: 'object' });

  it('turns every equal copy, in objects and in arrays, into a reference to one component', () => {
    const doc = refineOpenApi(
      { paths: { '/x': { get: { responses: { 200: { content: { 'application/json': { schema: { anyOf: [written(), { type: 'null' }] } } } } } } }, '/y': { get: { responses: { 200: { content: { 'application/json': { schema: written() } } } } } } } },
      'https://fd.example',
      { shared: { Thing, Wrapper: { type: 'object', properties: { thing: Thing } } }, uploads: {}, examples: {} },
    );
    expect(doc.paths['/x'].get.responses[200].content['application/json'].schema.anyOf[0]).toEqual({ $ref: '#/components/schemas/Thing' });
    expect(doc.paths['/y'].get.responses[200].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Thing' });
    expect(doc.components.schemas.Thing.properties.kind).toEqual({ enum: ['thing'] });
    expect(doc.components.schemas.Wrapper.properties.thing).toEqual({ $ref: '#/components/schemas/Thing' });
  });

  it('leaves a schema that differs in anything inline', () => {
    const other = { ...written(), description: 'another thing' };
    const doc = refineOpenApi({ paths: { '/x': { get: { responses: { 200: { content: { 'application/json': { schema: other } } } } } } } }, 'https://fd.example', { shared: { Thing }, uploads: {}, examples: {} });
    expect(doc.paths['/x'].get.responses[200].content['application/json'].schema).toEqual(other);
  });
});
