/**
 * `npm run api-types`: writes web/src/shared/api-types.ts, the web app's types, from the server's
 * own /openapi.json — so a route's TypeBox schema is the one source of what the browser reads. The
 * document is built by the app itself, in this process, without a database: routes are registered,
 * none is called. test/api/api-types.test.ts fails when the committed file is stale.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';

export const apiTypesFile = fileURLToPath(new URL('../web/src/shared/api-types.ts', import.meta.url));

const banner = `/**
 * Generated from the server's /openapi.json by \`npm run api-types\` (scripts/api-types.ts): do not
 * edit. The web app's types (shared/types.ts) are taken from here; a test fails when this is stale.
 */
/* eslint-disable */
`;

/** The generated module's text for an OpenAPI document. */
export async function apiTypesSource(document: object): Promise<string> {
  // The servers list names the install's address: not part of the types.
  const { servers: _servers, ...rest } = document as Record<string, unknown>;
  const ast = await openapiTS(rest as unknown as Parameters<typeof openapiTS>[0], { alphabetize: true, exportType: true });
  return banner + astToString(ast);
}

/** The app's document, built without a database (no query runs to describe the routes). */
async function appDocument(): Promise<object> {
  const { loadConfig } = await import('../src/config.js');
  const { openDatabase } = await import('../src/db/client.js');
  const { buildApp } = await import('../src/server.js');
  const { buildChannels } = await import('../src/channels/registry.js');
  const { createMetrics } = await import('../src/ops/metrics.js');
  const { primaryReads } = await import('../src/db/read-routing.js');
  const config = loadConfig({ DATABASE_URL: 'postgres://127.0.0.1:1/unused', DATA_DIR: path.join(process.cwd(), 'data'), ENCRYPTION_KEY: Buffer.alloc(32).toString('base64') });
  const database = openDatabase(config.databaseUrl!, { max: 1 });
  const channels = buildChannels(config, database.db);
  // What registering routes reads; a request would need the rest (events, storage, keys).
  const deps = { db: database.db, reads: primaryReads(database.db), config, channels, metrics: createMetrics(database), clock: { now: () => new Date() } };
  const app = await buildApp(deps as unknown as Parameters<typeof buildApp>[0]);
  const res = await app.inject({ method: 'GET', url: '/openapi.json' });
  await app.close();
  channels.close();
  await database.close();
  return res.json();
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const source = await apiTypesSource(await appDocument());
  await fs.writeFile(apiTypesFile, source);
  console.log(`wrote ${path.relative(process.cwd(), apiTypesFile)} (${source.length} characters)`);
}
