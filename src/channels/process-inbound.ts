import { and, asc, eq, isNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { receiveInboundIn, receiveReaction } from './inbound.js';
import { collectMedia } from './media.js';
import { inboundEvents, type InboundPayload } from './schema.js';

type InboundEventRow = typeof inboundEvents.$inferSelect;

/** The advisory lock class of the inbound lanes (pg_advisory_xact_lock(class, lane)). */
const laneLockClass = 2101;

/**
 * The process_inbound task: files an accepted webhook event into its conversation, once, then drops
 * its text. A lane's events are filed one at a time under the lane's lock, always the earliest one
 * not yet filed, so a sender's STOP and START keep their order however many workers run; a job whose
 * event an earlier job filed already finds nothing to do. No job waits for another to be released,
 * so a backlog in one lane drains as fast as its events can be written.
 */
export async function processInboundEvent(deps: Deps, job: { eventId: string; lane?: number; seq?: number }, opts: { lastTry?: boolean } = {}): Promise<void> {
  const { eventId } = job;
  const event = job.lane !== undefined && job.seq !== undefined ? { lane: job.lane, seq: job.seq } : await laneOf(deps, eventId);
  if (!event) return;
  const failedEarlier: string[] = [];
  for (;;) {
    let current: string | undefined;
    try {
      const filed = await deps.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${laneLockClass}, ${event.lane})`);
        const next = await earliestPending(tx, event, failedEarlier);
        if (!next) return null;
        current = next.id;
        // Only this job's own event is on its last try: an earlier one has a job (and tries) of its own.
        await fileEvent(deps, tx, next, next.id === eventId && (opts.lastTry ?? false));
        return next;
      });
      if (filed) deps.metrics.inboundFilingLag.observe((deps.clock.now().getTime() - filed.receivedAt.getTime()) / 1000);
      if (!filed || filed.id === eventId) return;
    } catch (e) {
      if (current === undefined || current === eventId) throw e;
      // An earlier event of the lane failed: its own job tries it again (and is logged); this one does not wait on it.
      failedEarlier.push(current);
    }
  }
}

/** A job queued before its payload carried the lane. */
async function laneOf(deps: Deps, eventId: string): Promise<{ lane: number; seq: number } | undefined> {
  const [row] = await deps.db.select({ lane: inboundEvents.lane, seq: inboundEvents.seq }).from(inboundEvents).where(eq(inboundEvents.id, eventId));
  return row;
}

async function earliestPending(tx: Tx, upTo: { lane: number; seq: number }, skip: string[]): Promise<InboundEventRow | undefined> {
  const [row] = await tx
    .select()
    .from(inboundEvents)
    .where(
      and(
        eq(inboundEvents.lane, upTo.lane),
        isNull(inboundEvents.processedAt),
        lte(inboundEvents.seq, upTo.seq),
        skip.length ? notInArray(inboundEvents.id, skip) : undefined,
      ),
    )
    .orderBy(asc(inboundEvents.seq))
    .limit(1);
  return row;
}

/**
 * Files the event and marks it filed in the same transaction. The row stays, with the provider's id,
 * so a retried webhook is still a no-op. A provider that cannot hand a file over yet makes this throw
 * before anything is filed, so the queue tries again with backoff; the last try files the message
 * with a note in the file's place.
 */
async function fileEvent(deps: Deps, tx: Tx, event: InboundEventRow, lastTry: boolean): Promise<void> {
  if (event.payload) {
    const payload = JSON.parse(event.payload) as InboundPayload;
    if (payload.reaction) await receiveReaction(deps, event.channel, event.orgId, payload.from, payload.reaction);
    else {
      const { files, notes } = await collectMedia(deps.channels.adapter(event.channel), payload.media ?? [], lastTry);
      await receiveInboundIn(
        deps,
        tx,
        event.channel,
        {
          providerMessageId: event.providerMessageId,
          from: payload.from,
          to: payload.to,
          body: payload.body,
          name: payload.name,
          at: payload.at ? new Date(payload.at) : undefined,
          attachments: files,
          notes,
          keyword: payload.keyword,
        },
        { orgId: event.orgId },
      );
    }
  }
  await tx.update(inboundEvents).set({ processedAt: deps.clock.now(), payload: null }).where(eq(inboundEvents.id, event.id));
}
