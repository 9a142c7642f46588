/** Issue 19: /openapi.json as client generators need it. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, setupApp, type TestContext } from '../helpers.js';

let ctx: TestContext;
let doc: any;
beforeAll(async () => {
  ctx = await setupApp({ PUBLIC_URL: 'https://frontdesk.example' });
  doc = (await new Client(ctx.app).get('/openapi.json')).body;
});

const operations = () => Object.entries<any>(doc.paths).flatMap(([path, ops]) => Object.entries<any>(ops).map(([method, op]) => ({ where: `${method.toUpperCase()} ${path}`, op })));

describe('/openapi.json', () => {
  it('gives every operation a unique operationId', () => {
    const ids = operations().map(({ where, op }) => op.operationId ?? `missing on ${where}`);
    expect(ids.filter((id) => id.startsWith('missing'))).toEqual([]);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBeGreaterThan(100);
  });

  it('answers every error as application/problem+json referring to the one Problem component', () => {
    expect(doc.components.schemas.Problem).toMatchObject({ type: 'object', properties: { code: { type: 'string' } } });
    const errors = operations().flatMap(({ where, op }) => Object.entries<any>(op.responses).filter(([status]) => Number(status) >= 400).map(([status, r]) => ({ where: `${where} ${status}`, content: r.content })));
    expect(errors.length).toBeGreaterThan(300);
    expect(errors.filter((e) => JSON.stringify(e.content) !== JSON.stringify({ 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } })).map((e) => e.where)).toEqual([]);
    // No inlined copy of the Problem schema is left anywhere.
    expect(JSON.stringify(doc.paths)).not.toContain('a stable machine-readable word');
  });

  it('names its server and the outgoing webhooks', () => {
    expect(doc.servers).toEqual([{ url: 'https://frontdesk.example', description: expect.any(String) }]);
    expect(Object.keys(doc.webhooks)).toEqual(['message.created', 'message.status', 'conversation.closed', 'booking.created']);
    expect(doc.webhooks['message.created'].post.parameters.map((p: any) => p.name)).toEqual(['webhook-id', 'webhook-timestamp', 'webhook-signature']);
  });
});
