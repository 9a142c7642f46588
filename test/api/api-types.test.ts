/**
 * Issue 16: the web app's types come from the server's schemas. web/src/shared/api-types.ts is
 * generated from /openapi.json by `npm run api-types`; this fails when a route's schema changed and
 * the committed file was not regenerated — the browser would read fields the server no longer sends.
 */
import fs from 'node:fs/promises';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiTypesFile, apiTypesSource } from '../../scripts/api-types.js';
import { Client, setupApp, type TestContext } from '../helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp({ PUBLIC_URL: 'https://frontdesk.example' });
});

describe('web/src/shared/api-types.ts', () => {
  it('is what the running server\'s /openapi.json generates (run `npm run api-types` when this fails)', async () => {
    const doc = (await new Client(ctx.app).get('/openapi.json')).body;
    const committed = await fs.readFile(apiTypesFile, 'utf8');
    const fresh = await apiTypesSource(doc);
    // Compared as lines, so a failure names the first line that differs rather than 400 kB.
    const lines = (text: string) => text.split('\n');
    const first = lines(fresh).findIndex((line, i) => line !== lines(committed)[i]);
    expect(first === -1 ? null : { line: first + 1, generated: lines(fresh)[first], committed: lines(committed)[first] }).toBeNull();
    expect(committed.length).toBe(fresh.length);
  });

  it('describes the documents the web app reads', async () => {
    const committed = await fs.readFile(apiTypesFile, 'utf8');
    for (const name of ['Conversation', 'Message', 'Me', 'Booking']) expect(committed).toContain(`        ${name}: {`);
    expect(committed).toContain('getConversationsById: {');
  });
});
