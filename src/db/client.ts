import { createHash } from 'node:crypto';
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
    const prepared = new Set<string>();
    // The class's query is looked up at each call, so whatever wraps pg.Client (a test's recorder) still sees it.
    const own = Object.getPrototypeOf(client) as { query: (...a: unknown[]) => unknown };
    client.query = function counted(this: pg.PoolClient, ...args: unknown[]) {
      statements++;
      args[0] = preparedOnce(args[0], prepared);
      return own.query.apply(this, args);
    } as typeof client.query;
  });
  const db = drizzle(pool, { schema });
  return { url, db, pool, statements: () => statements, close: () => pool.end() };
}

/**
 * Issue 21: the app's statements are prepared once per connection and then only executed. Planning
 * was most of PostgreSQL's work for the busiest reads (measured on the 300k-conversation bench data:
 * the inbox list planned for 4.5 ms and ran for 3.2 ms; an opened thread planned for 4.6 ms and ran
 * for 0.8 ms), and a prepared statement is parsed and analysed once, and planned once when its
 * generic plan is as good as a custom one. A statement is named after its text (values are always
 * parameters), so each text is prepared at most once per connection. What the server keeps per
 * connection is bounded: at most `maxPreparedPerConnection` statements, and none with more than
 * `maxPreparedParameters` parameters (a batch's `in (…)` of every length would each be a statement
 * of its own). Only plain DML is prepared: DDL (the migrations) and administration run unnamed.
 */
const maxPreparedPerConnection = 500;
const maxPreparedParameters = 64;
const preparable = /^\s*(select|insert|update|delete|with)\b/i;
const customPlanMark = '/* custom plan */';

/**
 * A condition that keeps its statement unprepared, planned for its values each time: searches,
 * whose best plan depends on how many rows the term matches (a generic plan for `name ilike $1`
 * made a search for a word nothing contains go from 144/s to 19/s on the bench data).
 */
export const customPlan = sql.raw(`true ${customPlanMark}`);

/** The names already worked out, so a statement's hash is taken once per process, not once per call. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (!name) {
    name = `fd_${createHash('sha1').update(text).digest('base64url').slice(0, 22)}`;
    if (names.size >= 10_000) names.clear();
    names.set(text, name);
  }
  return name;
}

export function preparedOnce(query: unknown, prepared: Set<string>): unknown {
  // Submittables (a cursor, a query stream) and already named statements go as they are.
  if (!query || typeof query !== 'object' || !('text' in query) || 'submit' in query || (query as { name?: string }).name) return query;
  const text = (query as { text: string }).text;
  if (!preparable.test(text) || text.includes(customPlanMark) || text.includes(`$${maxPreparedParameters + 1}`)) return query;
  const name = statementName(text);
  if (!prepared.has(name)) {
    if (prepared.size >= maxPreparedPerConnection) return query;
    prepared.add(name);
  }
  return { ...query, name };
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

/**
 * `column in (values)` for a batch's exact texts, as a semi-join on one array parameter: one
 * prepared statement whatever the batch's size (an in-list is a new statement for every length, and
 * past 64 values not prepared at all), planned as index lookups one per value.
 */
export const amongTexts = (column: AnyColumn, values: readonly string[]) => sql`${column} in (select unnest(${sql.param(values)}::text[]))`;
