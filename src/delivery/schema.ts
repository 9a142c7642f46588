import { index, integer, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { messages } from '../conversations/schema.js';

export const attemptOutcomeEnum = pgEnum('attempt_outcome', ['sent', 'retry', 'failed']);

const at = (name: string) => timestamp(name, { withTimezone: true, precision: 3 });

/**
 * S3: one row per try at handing a message to its provider, written (and committed) before the
 * provider is called. A try is made once per row; a row left without an outcome is a try that a
 * crash interrupted, and the next try gets a row of its own.
 */
export const deliveryAttempts = pgTable(
  'delivery_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    messageId: uuid('message_id').notNull().references(() => messages.id),
    attempt: integer('attempt').notNull(),
    provider: text('provider').notNull(),
    startedAt: at('started_at').notNull(),
    finishedAt: at('finished_at'),
    outcome: attemptOutcomeEnum('outcome'),
    providerMessageId: text('provider_message_id'),
    errorCode: text('error_code'),
    errorMessage: text('error_message'),
  },
  (t) => [uniqueIndex('delivery_attempts_message_attempt').on(t.messageId, t.attempt), index('delivery_attempts_provider_idx').on(t.provider, t.startedAt)],
);

/** Live worker processes; jobs locked by a worker that stopped beating are handed back to the queue. */
export const workerHeartbeats = pgTable('worker_heartbeats', {
  workerId: text('worker_id').primaryKey(),
  lastSeenAt: at('last_seen_at').notNull(),
});
