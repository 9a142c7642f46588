/** Operators' probes: what makes an instance ready to take traffic, decided from what was observed. */

export interface ReadinessObservation {
  /** Whether `select 1` answered. */
  database: boolean;
  /** Migrations in this build that the database has not applied. */
  pendingMigrations: number;
  /** Seconds since the most recent worker heartbeat of any process; null when no worker ever beat. */
  heartbeatAgeSeconds: number | null;
  /** Seconds the oldest due, unlocked job has waited; null when none waits. */
  oldestDueJobSeconds: number | null;
}

export interface ReadinessLimits {
  /** A heartbeat older than this means no worker is running (WORKER_STALE_SECONDS). */
  heartbeatStaleSeconds: number;
  /** A due job waiting longer than this means the queue is stuck (READY_QUEUE_STUCK_SECONDS). */
  queueStuckSeconds: number;
}

export type CheckName = 'database' | 'migrations' | 'worker' | 'queue';
export type Checks = Record<CheckName, { ok: boolean; detail: string }>;

export function readiness(seen: ReadinessObservation, limits: ReadinessLimits): { ready: boolean; checks: Checks } {
  const checks: Checks = {
    database: seen.database ? { ok: true, detail: 'answers' } : { ok: false, detail: 'does not answer' },
    migrations: migrationCheck(seen),
    worker: workerCheck(seen.heartbeatAgeSeconds, limits.heartbeatStaleSeconds),
    queue: queueCheck(seen.oldestDueJobSeconds, limits.queueStuckSeconds),
  };
  return { ready: Object.values(checks).every((c) => c.ok), checks };
}

function migrationCheck(seen: ReadinessObservation): Checks['migrations'] {
  if (!seen.database) return { ok: false, detail: 'unknown: the database does not answer' };
  return seen.pendingMigrations === 0 ? { ok: true, detail: 'all applied' } : { ok: false, detail: `${seen.pendingMigrations} not applied` };
}

function workerCheck(age: number | null, stale: number): Checks['worker'] {
  if (age === null) return { ok: false, detail: 'no worker has beaten' };
  return age <= stale ? { ok: true, detail: `last heartbeat ${Math.round(age)} s ago` } : { ok: false, detail: `last heartbeat ${Math.round(age)} s ago (limit ${stale} s)` };
}

function queueCheck(oldest: number | null, stuck: number): Checks['queue'] {
  if (oldest === null || oldest <= stuck) return { ok: true, detail: oldest === null ? 'no job waiting' : `oldest due job waiting ${Math.round(oldest)} s` };
  return { ok: false, detail: `oldest due job waiting ${Math.round(oldest)} s (limit ${stuck} s)` };
}

/** `Authorization: Bearer <token>` matches the configured metrics token; no token configured lets everyone in. */
export function metricsAuthorized(expected: string | null, authorization: string | undefined, equal: (a: string, b: string) => boolean): boolean {
  if (expected === null) return true;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match !== null && equal(match[1], expected);
}

/** An incoming x-request-id is kept when it is a plain token (a proxy's id); anything else is replaced. */
export const acceptableRequestId = (value: unknown): value is string => typeof value === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(value);
