/**
 * The worker's logger: pino, like the server's, in the same JSON lines. Job lines name the task, the
 * job, its try and the request that enqueued it — identifiers only, never a payload or a message.
 */
import { Logger as WorkerLogger } from 'graphile-worker';
import { pino, type Logger } from 'pino';

export type { Logger };

export const createLogger = (level: string, role: string): Logger => pino({ level, base: { role } });

const levels = { error: 'error', warning: 'warn', info: 'info', debug: 'debug' } as const;

/**
 * graphile-worker's own lines (connections, cron, crashes) through pino. Its per-job lines are left
 * out: the task wrapper logs each job's end with the request id those lines cannot know.
 */
export function workerLogger(log: Logger): WorkerLogger {
  return new WorkerLogger((scope) => (level, message) => {
    if (/^(Completed|Failed) task/.test(message)) return;
    log[levels[level as keyof typeof levels] ?? 'info']({ scope: scope.label, task: scope.taskIdentifier, jobId: scope.jobId }, message);
  });
}
