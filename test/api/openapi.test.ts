/**
 * Issue 19: /openapi.json as client generators need it — linted by Redocly's linter with no errors,
 * and a client's types generated from it by openapi-typescript compile with the usage below.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

describe('/openapi.json for generators', () => {
  it('shares the schemas integrators meet again and again as components instead of inlined copies', () => {
    for (const name of ['Conversation', 'Message', 'Contact', 'Clinic', 'Attachment', 'Booking']) expect(doc.components.schemas[name], name).toMatchObject({ type: 'object' });
    const text = JSON.stringify(doc.paths);
    const refs = (name: string) => text.split(`"#/components/schemas/${name}"`).length - 1;
    expect(refs('Conversation')).toBeGreaterThanOrEqual(10);
    expect(refs('Message')).toBeGreaterThanOrEqual(8);
    expect(refs('Contact')).toBeGreaterThanOrEqual(5);
    // No inlined copy is left: the Message's own description of its sender appears only in the component.
    expect(text).not.toContain("the team member's name, the campaign's name, or the patient's");
    const list = doc.paths['/api/v1/conversations'].get.responses['200'].content['application/json'].schema;
    expect(list.properties.items.items).toEqual({ $ref: '#/components/schemas/Conversation' });
  });

  it('describes the multipart uploads\' bodies', () => {
    const upload = doc.paths['/api/v1/attachments'].post.requestBody;
    expect(upload.required).toBe(true);
    expect(upload.content['multipart/form-data'].schema).toMatchObject({ type: 'object', required: ['file'], properties: { file: { type: 'string', contentMediaType: 'application/octet-stream' } } });
    const importBody = doc.paths['/api/v1/contacts/import'].post.requestBody.content['multipart/form-data'].schema;
    expect(Object.keys(importBody.properties)).toEqual(['mapping', 'kind', 'dryRun', 'file']);
  });

  it('has examples on the main operations', () => {
    const media = (where: string, method: string, status?: string) => {
      const op = doc.paths[where][method];
      return status ? op.responses[status].content['application/json'] : op.requestBody.content['application/json'];
    };
    expect(media('/api/v1/conversations', 'get', '200').example.items[0]).toMatchObject({ channel: 'sms', status: 'open' });
    expect(media('/api/v1/conversations/{id}/messages', 'post').example).toEqual({ body: expect.any(String) });
    expect(media('/api/v1/conversations/{id}/messages', 'post', '202').example).toMatchObject({ status: 'queued' });
    expect(media('/api/v1/contacts', 'post', '201').example).toMatchObject({ name: 'Maria Lopez' });
  });

  it('passes the Redocly linter (recommended rules, examples checked against their schemas) with no errors', async () => {
    const config = await createConfig({ extends: ['recommended'], rules: { 'no-invalid-media-type-examples': { severity: 'error', allowAdditionalProperties: false } } });
    const problems = await lintFromString({ source: JSON.stringify(doc), absoluteRef: 'openapi.json', config });
    const errors = problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId}: ${p.message} at ${p.location[0]?.pointer}`);
    expect(errors).toEqual([]);
  }, 60_000);

  describe('a client generated from it', () => {
    let dir: string;
    beforeAll(async () => {
      dir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-openapi-'));
    });
    afterAll(() => fs.rm(dir, { recursive: true, force: true }));

    it('compiles, with the types a caller expects', async () => {
      await fs.writeFile(path.join(dir, 'frontdesk.ts'), astToString(await openapiTS(doc)));
      // What an integrator writes against the generated types; the @ts-expect-error lines must be refused.
      await fs.writeFile(
        path.join(dir, 'usage.ts'),
        `import type { components, operations, paths, webhooks } from './frontdesk';
type Conversation = components['schemas']['Conversation'];
type Message = components['schemas']['Message'];
type Problem = components['schemas']['Problem'];
type Inbox = operations['getConversations']['responses'][200]['content']['application/json'];
type Reply = paths['/api/v1/conversations/{id}/messages']['post']['requestBody'];
type Sent = operations['postConversationsByIdMessages']['responses'][202]['content']['application/json'];
type Refused = operations['postConversationsByIdMessages']['responses'][409]['content']['application/problem+json'];
type Upload = NonNullable<paths['/api/v1/attachments']['post']['requestBody']>['content']['multipart/form-data'];
type Created = webhooks['message.created']['post']['requestBody']['content']['application/json'];

export const reply: NonNullable<Reply>['content']['application/json'] = { body: 'See you at 3' };
export const upload: Upload = { file: 'referral.pdf' };
export function firstUnread(list: Inbox): Conversation | undefined {
  return list.items.find((c) => c.unread && c.status === 'open');
}
export function explain(problem: Refused): string {
  const p: Problem = problem;
  return p.code + ': ' + p.detail;
}
export const senderOf = (m: Sent | Message): string => m.sender.name;
export const eventOf = (e: Created): string => e.event;
// @ts-expect-error a conversation is open or closed
export const wrong: Conversation['status'] = 'pending';
// @ts-expect-error a reply needs no such field
export const extra: NonNullable<Reply>['content']['application/json'] = { text: 'hi' };
`,
      );
      const program = ts.createProgram([path.join(dir, 'usage.ts')], { strict: true, noEmit: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, skipLibCheck: true });
      const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
      expect(diagnostics).toEqual([]);
    }, 120_000);
  });
});
