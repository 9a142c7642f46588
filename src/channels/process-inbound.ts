import { and, asc, eq, isNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { receiveInboundIn, receiveReaction } from './inbound.js';
import { collectMedia } from './media.js';
import { inboundEvents, type InboundPayload } from './schema.js';

type InboundEventRow = typeof inboundEvents.$inferSelect;

/** The advisory lock class of the inbound lanes (pg_advisory_xact_lock(class, lane)). */
const laneLockClass = 2101;

/** The most events of one lane filed in one transaction (one lock, one commit). */
const laneBatch = 32;

type Collected = Awaited<ReturnType<typeof collectMedia>>;

/**
 * The process_inbound task: files an accepted webhook event into its conversation, once, then drops
 * its text. A lane's events are filed under the lane's lock in arrival order, always from the
 * earliest one not yet filed, so a sender's STOP and START keep their order however many workers
 * run; a job whose event an earlier job filed already finds nothing to do. The lane's pending run
 * (up to this job's event) is filed in one transaction, each event in a savepoint of its own, so a
 * backlog costs one commit per batch rather than one per text. A provider's files are fetched with
 * no lock held and no transaction open: the batch stops before an event whose files are not in
 * hand, they are fetched, and the next batch files it.
 */
export async function processInboundEvent(deps: Deps, job: { eventId: string; lane?: number; seq?: number }, opts: { lastTry?: boolean } = {}): Promise<void> {
  const { eventId } = job;
  const event = job.lane !== undefined && job.seq !== undefined ? { lane: job.lane, seq: job.seq } : await laneOf(deps, eventId);
  if (!event) return;
  const failedEarlier: string[] = [];
  const fetched = new Map<string, Collected>();
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      await tx.execute(sql`select pg_advisory_xact_lock(${laneLockClass}, ${event.lane})`);
      return fileLaneBatch(deps, tx, { id: eventId, ...event }, fetched, failedEarlier);
    });
    const now = deps.clock.now().getTime();
    for (const filed of batch.filed) deps.metrics.inboundFilingLag.observe((now - filed.receivedAt.getTime()) / 1000);
    if (batch.ownError !== undefined) throw batch.ownError;
    if (batch.done) return;
    if (batch.needsMedia) {
      const own = batch.needsMedia.id === eventId;
      try {
        fetched.set(batch.needsMedia.id, await collectMedia(deps.channels.adapter(batch.needsMedia.channel), mediaOf(batch.needsMedia), own && (opts.lastTry ?? false)));
      } catch (e) {
        if (own) throw e;
        // An earlier event's provider is not ready: its own job tries it again; this one does not wait on it.
        failedEarlier.push(batch.needsMedia.id);
      }
    }
  }
}

interface LaneBatch {
  filed: InboundEventRow[];
  /** This job's own event failed: thrown after the batch's earlier events are committed. */
  ownError?: unknown;
  /** The batch stopped before this event: its files are to be fetched first. */
  needsMedia?: InboundEventRow;
  /** This job's event is filed (or was already): nothing more to do. */
  done: boolean;
}

async function fileLaneBatch(deps: Deps, tx: Tx, own: { id: string; lane: number; seq: number }, fetched: Map<string, Collected>, failedEarlier: string[]): Promise<LaneBatch> {
  const rows = await pendingUpTo(tx, own, failedEarlier);
  const filed: InboundEventRow[] = [];
  for (const row of rows) {
    if (mediaOf(row).length && !fetched.has(row.id)) return { filed, needsMedia: row, done: false };
    try {
      await tx.transaction((savepoint) => fileEvent(deps, savepoint, row, fetched.get(row.id)));
      filed.push(row);
      if (row.id === own.id) return { filed, done: true };
    } catch (e) {
      if (row.id === own.id) return { filed, ownError: e, done: false };
      // An earlier event of the lane failed: its own job tries it again (and is logged); this one does not wait on it.
      failedEarlier.push(row.id);
    }
  }
  // Nothing left up to this job's event: an earlier job filed it. A full batch that stopped short of it goes on.
  return { filed, done: rows.length < laneBatch };
}

const mediaOf = (event: InboundEventRow) => {
  if (!event.payload) return [];
  const payload = JSON.parse(event.payload) as InboundPayload;
  return payload.reaction ? [] : (payload.media ?? []);
};

/** A job queued before its payload carried the lane. */
async function laneOf(deps: Deps, eventId: string): Promise<{ lane: number; seq: number } | undefined> {
  const [row] = await deps.db.select({ lane: inboundEvents.lane, seq: inboundEvents.seq }).from(inboundEvents).where(eq(inboundEvents.id, eventId));
  return row;
}

async function pendingUpTo(tx: Tx, upTo: { lane: number; seq: number }, skip: string[]): Promise<InboundEventRow[]> {
  return tx
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
    .limit(laneBatch);
}

/**
 * Files the event and marks it filed in the same transaction. The row stays, with the provider's id,
 * so a retried webhook is still a no-op. Its files come fetched (processInboundEvent): a provider
 * that cannot hand one over yet made the job throw before anything was filed, so the queue tries
 * again with backoff; the last try files the message with a note in the file's place.
 */
async function fileEvent(deps: Deps, tx: Tx, event: InboundEventRow, media: Collected | undefined): Promise<void> {
  if (event.payload) {
    const payload = JSON.parse(event.payload) as InboundPayload;
    if (payload.reaction) await receiveReaction(deps, event.channel, event.orgId, payload.from, payload.reaction);
    else {
      const { files, notes } = media ?? { files: [], notes: [] };
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
