/**
 * The delivery worker (graphile-worker). Each worker beats in worker_heartbeats; any worker hands
 * back the jobs of one whose beat went stale (a crashed process), so a message whose sender died
 * mid-send is tried again in seconds, not in graphile-worker's default four hours.
 */
import { inArray, sql } from 'drizzle-orm';
import { EventEmitter } from 'node:events';
import { Logger, makeWorkerUtils, run, type Runner, type Task, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import { processInboundEvent } from '../channels/process-inbound.js';
import type { Deps } from '../deps.js';
import { deliverTask, inboundTask } from './queue.js';
import { notifyGuest } from '../guest/notify.js';
import { notifyGuestTask } from '../channels/web/adapter.js';
import { maintenanceTask, runMaintenance } from '../maintenance.js';
import { webhookDeliverTask } from '../hooks/queue.js';
import { deliverWebhook } from '../hooks/service.js';
import { runDueCampaigns } from '../campaigns/service.js';

const campaignsTask = 'campaigns';
import { workerHeartbeats } from './schema.js';
import { deliverMessage } from './service.js';

const quiet = new Logger(() => () => {});

export interface DeliveryWorker {
  stop(): Promise<void>;
  /** Hands back jobs locked by workers whose heartbeat is older than the configured limit. */
  sweep(): Promise<string[]>;
}

export async function startWorker(deps: Deps, pool: pg.Pool, log: (message: string) => void = () => {}): Promise<DeliveryWorker> {
  const deliver: Task = async (payload, helpers) => {
    const { messageId } = payload as { messageId: string };
    const lastTry = helpers.job.attempts >= helpers.job.max_attempts;
    const result = await deliverMessage(deps, messageId, { lastTry });
    if (result === 'retry') throw new Error('the provider failed for now; the queue will try again');
  };
  // graphile-worker 0.17 locks jobs and queues in the name of the worker *pool* (`pool-…`), not of
  // each worker: the pool's id is what beats, and what a sweep must never mistake for a dead one.
  const workerIds = new Set<string>();
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }) => {
    workerIds.add(workerPool.id);
    void beat();
  });
  events.on('pool:release', ({ workerPool }) => workerIds.delete(workerPool.id));
  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: pool, logger: quiet });
  const runner: Runner = await run({
    pgPool: pool,
    events,
    concurrency: deps.config.worker.concurrency,
    noHandleSignals: true,
    pollInterval: 1000,
    logger: quiet,
    taskList: {
      [deliverTask]: deliver,
      [inboundTask]: async (payload) => processInboundEvent(deps, (payload as { eventId: string }).eventId),
      [notifyGuestTask]: async (payload) => {
        const { linkId, messageId } = payload as { linkId: string; messageId: string };
        if ((await notifyGuest(deps, linkId, messageId)) === 'retry') throw new Error('the mail server failed for now; the queue will try again');
      },
      [webhookDeliverTask]: async (payload) => deliverWebhook(deps, (payload as { deliveryId: string }).deliveryId),
      [campaignsTask]: async () => {
        const sent = await runDueCampaigns(deps);
        if (sent) log(`campaigns: ${sent} message(s) queued`);
      },
      [maintenanceTask]: async () => {
        const done = await runMaintenance(deps);
        if (done.archived || done.released) log(`maintenance: archived ${done.archived} idle conversation(s), released ${done.released} held one(s)`);
      },
    },
    crontab: [`0 * * * * ${maintenanceTask}`, `*/5 * * * * ${campaignsTask}`].join('\n'),
  });

  const stale = deps.config.worker.staleSeconds;
  async function beat(): Promise<void> {
    const ids = [...workerIds];
    if (!ids.length) return;
    await deps.db
      .insert(workerHeartbeats)
      .values(ids.map((workerId) => ({ workerId, lastSeenAt: sql`now()` })))
      .onConflictDoUpdate({ target: workerHeartbeats.workerId, set: { lastSeenAt: sql`excluded.last_seen_at` } });
  }
  async function sweep(): Promise<string[]> {
    const { rows } = await deps.db.execute<{ locked_by: string }>(sql`
      select distinct j.locked_by from graphile_worker.jobs j
      where j.locked_by is not null
        and not exists (select 1 from worker_heartbeats h where h.worker_id = j.locked_by and h.last_seen_at > now() - make_interval(secs => ${stale}))`);
    const dead = rows.map((r) => r.locked_by).filter((id) => !workerIds.has(id));
    if (dead.length) {
      await utils.forceUnlockWorkers(dead);
      log(`handed back the jobs of ${dead.length} stopped worker(s)`);
    }
    await deps.db.execute(sql`delete from worker_heartbeats where last_seen_at < now() - make_interval(secs => ${stale * 10})`);
    return dead;
  }
  const timer = setInterval(
    () => {
      beat()
        .then(sweep)
        .catch((e) => log(`worker heartbeat failed: ${(e as Error).message}`));
    },
    Math.max(500, (stale * 1000) / 3),
  );
  timer.unref();
  await beat();
  await sweep().catch(() => []);
  // Housekeeping runs hourly by cron; once at start too, so a long-stopped install catches up.
  await utils.addJob(maintenanceTask, {}, { jobKey: maintenanceTask });
  return {
    sweep,
    async stop() {
      clearInterval(timer);
      await runner.stop();
      if (workerIds.size) await deps.db.delete(workerHeartbeats).where(inArray(workerHeartbeats.workerId, [...workerIds])).catch(() => {});
      await utils.release();
    },
  };
}
