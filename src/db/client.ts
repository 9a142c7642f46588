import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql, type AnyColumn } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { Logger, runMigrations as runWorkerMigrations } from 'graphile-worker';
import pg from 'pg';
import * as schema from './schema.js';

export type Db = NodePgDatabase<typeof schema>;
/** A transaction handle; services accept either, so a use-case can join its caller's transaction. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type DbOrTx = Db | Tx;

export interface Database {
  url: string;
  db: Db;
  pool: pg.Pool;
  /** Statements this process has sent through the pool (the /metrics counter; the bench reads it per inbound message). */
  statements(): number;
  close(): Promise<void>;
}

// timestamptz arrives as Date; bigint counts (count(*)) as numbers: they never exceed 2^53 here.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => Number(v));

export function openDatabase(url: string, opts: { max?: number } = {}): Database {
  const pool = new pg.Pool({ connectionString: url, max: opts.max ?? 10 });
  // An idle client's error (the server restarting) must not crash the process; the pool replaces it.
  pool.on('error', () => {});
  let statements = 0;
  pool.on('connect', (client) => {
    client.on('error', () => {});
    // The class's query is looked up at each call, so whatever wraps pg.Client (a test's recorder) still sees it.
    const own = Object.getPrototypeOf(client) as { query: (...a: unknown[]) => unknown };
    client.query = function counted(this: pg.PoolClient, ...args: unknown[]) {
      statements++;
      return own.query.apply(this, args);
    } as typeof client.query;
  });
  const db = drizzle(pool, { schema });
  return { url, db, pool, statements: () => statements, close: () => pool.end() };
}

export const migrationsFolder = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');

/** Our schema (drizzle-kit migrations), then the job queue's own (graphile-worker installs and upgrades it). */
export async function migrateDatabase({ url, db, pool }: Pick<Database, 'url' | 'db' | 'pool'>): Promise<void> {
  // Several processes of one install may start at once: one migrates, the others wait and find it
  // done. The lock has a connection of its own, so a pool of one can still migrate.
  const lock = new pg.Client({ connectionString: url });
  await lock.connect();
  try {
    await lock.query('select pg_advisory_lock($1)', [migrationLockKey]);
    await migrate(db, { migrationsFolder });
    await runWorkerMigrations({ pgPool: pool, logger: quietLogger });
  } finally {
    await lock.end().catch(() => {});
  }
}

const migrationLockKey = 4_710_081;

const quietLogger = new Logger(() => () => {});

/**
 * ORDER BY col DESC NULLS LAST: the order drizzle-kit builds DESC index columns in. A bare DESC
 * means NULLS FIRST, which such an index cannot serve.
 */
export const newestFirst = (column: AnyColumn) => sql`${column} desc nulls last`;
