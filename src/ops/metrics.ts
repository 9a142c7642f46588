/**
 * Prometheus metrics (GET /metrics). Counters and histograms are this process's; the queue's
 * gauges are read from the database at each scrape, so any process answers them for the install.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Db } from '../db/client.js';

export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  jobs: Counter<'task' | 'outcome'>;
  jobDuration: Histogram<'task'>;
  inboundFilingLag: Histogram;
  /** Inbound events filed, by how: `together` (a batch of plain texts), `alone` (one at a time), `fallback` (a batch that failed, filed alone). */
  inboundFiled: Counter<'how'>;
  openStreams: Gauge;
}

export interface QueueStats {
  due: number;
  running: number;
  scheduled: number;
  failed: number;
  oldestDueSeconds: number | null;
}

/** The job queue as graphile-worker keeps it: jobs due and unlocked, running, waiting for their time, given up. */
export async function queueStats(db: Db): Promise<QueueStats> {
  const { rows } = await db.execute<{ due: number; running: number; scheduled: number; failed: number; oldest: string | null }>(sql`
    select count(*) filter (where locked_at is null and run_at <= now() and attempts < max_attempts) as due,
           count(*) filter (where locked_at is not null) as running,
           count(*) filter (where locked_at is null and run_at > now() and attempts < max_attempts) as scheduled,
           count(*) filter (where attempts >= max_attempts) as failed,
           extract(epoch from now() - min(run_at) filter (where locked_at is null and run_at <= now() and attempts < max_attempts)) as oldest
    from graphile_worker.jobs`);
  const r = rows[0];
  return { due: r.due, running: r.running, scheduled: r.scheduled, failed: r.failed, oldestDueSeconds: r.oldest === null ? null : Number(r.oldest) };
}

export function createMetrics(sources: { db: Db; pool: pg.Pool; statements?: () => number }): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'frontdesk_' });
  const registers = [registry];
  new Gauge({
    name: 'frontdesk_db_pool_connections',
    help: 'Database pool connections of this process, by state',
    labelNames: ['state'],
    registers,
    collect() {
      this.set({ state: 'total' }, sources.pool.totalCount);
      this.set({ state: 'idle' }, sources.pool.idleCount);
      this.set({ state: 'waiting' }, sources.pool.waitingCount);
    },
  });
  new Counter({
    name: 'frontdesk_db_statements_total',
    help: 'Statements this process sent to the database (its queries, transactions and the queue\'s)',
    registers,
    collect() {
      this.reset();
      this.inc(sources.statements?.() ?? 0);
    },
  });
  // One query per scrape feeds both queue gauges, whichever of them is collected first.
  let reading: { at: number; stats: Promise<QueueStats> } | null = null;
  const stats = () => {
    if (!reading || Date.now() - reading.at > 1000) reading = { at: Date.now(), stats: queueStats(sources.db) };
    return reading.stats;
  };
  new Gauge({
    name: 'frontdesk_queue_jobs',
    help: 'Jobs in the queue, by state (due, running, scheduled, failed)',
    labelNames: ['state'],
    registers,
    async collect() {
      const now = await stats();
      for (const state of ['due', 'running', 'scheduled', 'failed'] as const) this.set({ state }, now[state]);
    },
  });
  new Gauge({
    name: 'frontdesk_queue_oldest_due_job_seconds',
    help: 'How long the oldest due job has waited to be picked up (0 when none waits)',
    registers,
    async collect() {
      this.set((await stats()).oldestDueSeconds ?? 0);
    },
  });
  return {
    registry,
    httpDuration: new Histogram({ name: 'frontdesk_http_request_duration_seconds', help: 'HTTP request duration by route and status', labelNames: ['method', 'route', 'status'], buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    jobs: new Counter({ name: 'frontdesk_jobs_total', help: 'Jobs run by this process, by task and outcome (done, retry, failed)', labelNames: ['task', 'outcome'], registers }),
    jobDuration: new Histogram({ name: 'frontdesk_job_duration_seconds', help: 'Job run time by task', labelNames: ['task'], buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 30], registers }),
    inboundFilingLag: new Histogram({ name: 'frontdesk_inbound_filing_lag_seconds', help: 'From a provider webhook accepted to its message filed in a conversation', buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300], registers }),
    inboundFiled: new Counter({ name: 'frontdesk_inbound_filed_total', help: 'Inbound events filed into conversations, by how: together (a batch of plain texts), alone, or fallback (a batch that failed, filed alone)', labelNames: ['how'], registers }),
    openStreams: new Gauge({ name: 'frontdesk_event_streams_open', help: 'Live event streams (GET /api/v1/events) open on this process', registers }),
  };
}
