/**
 * The delivery worker (graphile-worker). Each worker beats in worker_heartbeats; any worker hands
 * back the jobs of one whose beat went stale (a crashed process), so a message whose sender died
 * mid-send is tried again in seconds, not in graphile-worker's default four hours.
 */
import { inArray, sql } from 'drizzle-orm';
import { EventEmitter } from 'node:events';
import { makeWorkerUtils, run, type Runner, type Task, type WorkerEvents, type WorkerUtils } from 'graphile-worker';
import type pg from 'pg';
import { processInboundEvent } from '../channels/process-inbound.js';
import type { Deps } from '../deps.js';
import { deliverTask, inboundTask } from './queue.js';
import { notifyGuest } from '../guest/notify.js';
import { notifyGuestTask } from '../channels/web/adapter.js';
import { maintenanceTask, runMaintenance } from '../maintenance.js';
import { webhookDeliverTask } from '../hooks/queue.js';
import { deliverWebhook } from '../hooks/service.js';
import { pushTask, sendPushes } from '../notifications/push.js';
import { remindersTask, sendWaitReminders } from '../notifications/reminders.js';
import { runDueCampaigns } from '../campaigns/service.js';
import { withRequestId } from '../ops/context.js';
import { workerLogger, type Logger } from '../ops/log.js';
import { workerHeartbeats } from './schema.js';
import { deliverMessage, type DeliveryResult } from './service.js';

const campaignsTask = 'campaigns';

export interface DeliveryWorker {
  stop(): Promise<void>;
  /** Hands back jobs locked by workers whose heartbeat is older than the configured limit. */
  sweep(): Promise<string[]>;
}

/** A job's outcome as its task reports it: done, or a failure the logs and metrics name. */
type JobOutcome = { outcome: 'done' } | { outcome: 'retry' | 'failed'; code: string; reason: string };

/**
 * Each job's end is logged (failures at warn/error) and counted by task and outcome, with the id of
 * the request that enqueued it. A thrown error is a retry until the queue's last try.
 */
function observed(deps: Deps, logger: Logger, task: string, body: (payload: Record<string, unknown>, lastTry: boolean) => Promise<JobOutcome | void>): Task {
  return async (payload, helpers) => {
    const fields = payload as Record<string, unknown>;
    const job = helpers.job;
    const log = logger.child({ task, jobId: job.id, attempt: job.attempts, maxAttempts: job.max_attempts, requestId: fields.requestId ?? null });
    const lastTry = job.attempts >= job.max_attempts;
    const timer = deps.metrics.jobDuration.startTimer({ task });
    let result: JobOutcome;
    let thrown = false;
    try {
      result = (await withRequestId(typeof fields.requestId === 'string' ? fields.requestId : null, () => body(fields, lastTry))) ?? { outcome: 'done' };
    } catch (e) {
      thrown = true;
      result = { outcome: lastTry ? 'failed' : 'retry', code: 'error', reason: (e as Error).message };
    } finally {
      timer();
    }
    deps.metrics.jobs.inc({ task, outcome: result.outcome });
    if (result.outcome === 'done') {
      log.debug('job done');
      return;
    }
    log[result.outcome === 'failed' ? 'error' : 'warn']({ code: result.code, reason: result.reason }, result.outcome === 'failed' ? 'job failed' : 'job failed; it will be tried again');
    // The queue keeps a job that threw (it tries again, or holds it as failed after its last try).
    if (thrown || result.outcome === 'retry') throw new Error(`${result.code}: ${result.reason}`);
  };
}

const fromDelivery = (result: DeliveryResult): JobOutcome =>
  result === 'done' ? { outcome: 'done' } : 'retry' in result ? { outcome: 'retry', ...result.retry } : { outcome: 'failed', ...result.failed };

export async function startWorker(deps: Deps, pool: pg.Pool, log: (message: string) => void, logger: Logger): Promise<DeliveryWorker> {
  const deliver = async (payload: Record<string, unknown>, lastTry: boolean) => fromDelivery(await deliverMessage(deps, payload.messageId as string, { lastTry }));
  // graphile-worker 0.17 locks jobs and queues in the name of the worker *pool* (`pool-…`), not of
  // each worker: the pool's id is what beats, and what a sweep must never mistake for a dead one.
  const workerIds = new Set<string>();
  const events: WorkerEvents = new EventEmitter();
  events.on('pool:create', ({ workerPool }) => {
    workerIds.add(workerPool.id);
    void beat();
  });
  events.on('pool:release', ({ workerPool }) => workerIds.delete(workerPool.id));
  const queueLogger = workerLogger(logger);
  const utils: WorkerUtils = await makeWorkerUtils({ pgPool: pool, logger: queueLogger });
  const runner: Runner = await run({
    pgPool: pool,
    events,
    concurrency: deps.config.worker.concurrency,
    noHandleSignals: true,
    // New jobs are announced (LISTEN/NOTIFY) and a worker takes the next one as it finishes: polling only catches what was missed.
    pollInterval: deps.config.worker.pollMs,
    logger: queueLogger,
    preset: {
      worker: {
        // A burst of inbound texts is thousands of short jobs: fetch a few at once and mark them done
        // together, instead of two round trips of the queue's own for each.
        localQueue: { size: deps.config.worker.concurrency * 2 },
        completeJobBatchDelay: 0,
      },
    },
    taskList: {
      [deliverTask]: observed(deps, logger, deliverTask, deliver),
      [inboundTask]: observed(deps, logger, inboundTask, (p, lastTry) => processInboundEvent(deps, p as { eventId: string }, { lastTry })),
      [notifyGuestTask]: observed(deps, logger, notifyGuestTask, async (p) => {
        if ((await notifyGuest(deps, p.linkId as string, p.messageId as string)) === 'retry') throw new Error('the mail server failed for now; the queue will try again');
      }),
      [webhookDeliverTask]: observed(deps, logger, webhookDeliverTask, (p) => deliverWebhook(deps, p.deliveryId as string)),
      [remindersTask]: observed(deps, logger, remindersTask, async () => {
        await sendWaitReminders(deps);
      }),
      [pushTask]: observed(deps, logger, pushTask, async (p) => {
        await sendPushes(deps, p.orgId as string, p.messageId as string);
      }),
      [campaignsTask]: observed(deps, logger, campaignsTask, async () => {
        const sent = await runDueCampaigns(deps);
        if (sent) log(`campaigns: ${sent} message(s) queued`);
      }),
      [maintenanceTask]: observed(deps, logger, maintenanceTask, async () => {
        const done = await runMaintenance(deps);
        if (done.archived || done.released) log(`maintenance: archived ${done.archived} idle conversation(s), released ${done.released} held one(s)`);
      }),
    },
    crontab: [`0 * * * * ${maintenanceTask}`, `*/5 * * * * ${campaignsTask}`, `*/5 * * * * ${remindersTask}`].join('\n'),
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
