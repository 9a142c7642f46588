/**
 * The PostgreSQL server the tests make their databases in: the one at TEST_DATABASE_URL (CI's, by
 * default 127.0.0.1:5432), or — when no server answers there, as on a fresh machine — the embedded
 * PostgreSQL that `npm start` uses, in a throw-away folder, and the run says so.
 */
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/db/embedded.js';
import { withDatabase } from './template.js';

export const defaultTestDatabaseUrl = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestPostgres {
  adminUrl: string;
  stop(): Promise<void>;
}

/** Connection errors that mean nothing is there to answer (not a server that answered with a refusal). */
const nobodyThere = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAI_AGAIN', 'ETIMEDOUT']);

/** Whether a PostgreSQL server answers at `url`; a server that answers with an error (a wrong password, no such database) throws it. */
export async function serverAnswers(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if ((code && nobodyThere.has(code)) || /timeout/i.test((e as Error).message)) return false;
    throw e;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** The embedded PostgreSQL of `npm start`, in a throw-away data directory on a free port. */
export async function startTestEmbedded(): Promise<TestPostgres> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-embedded-'));
  // As root the embedded server runs as the `postgres` user, which must reach its folder.
  await fs.chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir, port: await freePort(), log: () => {} });
  return {
    adminUrl: withDatabase(server.url, 'postgres'),
    async stop() {
      await server.stop();
      await fs.rm(dataDir, { recursive: true, force: true });
    },
  };
}

const shown = (url: string) => {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
};

export async function testPostgres(url = process.env.TEST_DATABASE_URL ?? defaultTestDatabaseUrl, log: (line: string) => void = console.log): Promise<TestPostgres> {
  if (await serverAnswers(url)) return { adminUrl: url, stop: async () => {} };
  log(`No PostgreSQL server answers at ${shown(url)} (TEST_DATABASE_URL): these tests run on the embedded PostgreSQL instead.`);
  return startTestEmbedded();
}

/** The smoke tests' setup: they make their own databases on this server (inject('adminUrl')). */
export default async function setup(project: TestProject) {
  const postgres = await testPostgres();
  project.provide('adminUrl', postgres.adminUrl);
  return () => postgres.stop();
}
