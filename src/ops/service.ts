import { readFileSync } from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { migrationsFolder } from '../db/client.js';
import type { Deps } from '../deps.js';
import { queueStats } from './metrics.js';
import type { ReadinessObservation } from './rules.js';

const migrationsInBuild = (): number => (JSON.parse(readFileSync(path.join(migrationsFolder, 'meta', '_journal.json'), 'utf8')) as { entries: unknown[] }).entries.length;

async function scalar(deps: Deps, query: ReturnType<typeof sql>): Promise<number | null> {
  const { rows } = await deps.db.execute<{ value: string | number | null }>(query);
  const value = rows[0]?.value;
  return value === null || value === undefined ? null : Number(value);
}

/** What /readyz decides from; a database that does not answer makes every other reading moot. */
export async function observeReadiness(deps: Deps): Promise<ReadinessObservation> {
  try {
    await deps.db.execute(sql`select 1`);
  } catch {
    return { database: false, pendingMigrations: migrationsInBuild(), heartbeatAgeSeconds: null, oldestDueJobSeconds: null };
  }
  const applied = await scalar(deps, sql`select count(*) as value from drizzle.__drizzle_migrations`).catch(() => 0);
  const heartbeatAgeSeconds = await scalar(deps, sql`select extract(epoch from now() - max(last_seen_at)) as value from worker_heartbeats`);
  const queue = await queueStats(deps.db);
  return { database: true, pendingMigrations: Math.max(0, migrationsInBuild() - (applied ?? 0)), heartbeatAgeSeconds, oldestDueJobSeconds: queue.oldestDueSeconds };
}
