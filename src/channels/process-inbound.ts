import { and, asc, eq, inArray, isNull, notInArray, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { receiveInboundIn, receiveReaction } from './inbound.js';
import { fileTexts, isPlainText } from './file-texts.js';
import { collectMedia } from './media.js';
import { inboundEvents, type InboundPayload } from './schema.js';

type InboundEventRow = typeof inboundEvents.$inferSelect;

/** The advisory lock class of the inbound lanes (pg_advisory_xact_lock(class, lane)). */
const laneLockClass = 2101;

/** The most events filed in one transaction (its lanes' locks, one commit). */
const batchSize = 256;

type Collected = Awaited<ReturnType<typeof collectMedia>>;

/**
 * The process_inbound task: files an accepted webhook event into its conversation, once, then drops
 * its text. A lane's events are filed under the lane's lock in arrival order, always from the
 * earliest one not yet filed, so a sender's STOP and START keep their order however many workers
 * run; a job whose event an earlier job filed already finds nothing to do. The job holds its own
 * lane (waiting for it) and takes every other lane with pending events that no one holds (without
 * waiting: a worker only ever waits holding nothing, so two never wait on each other), and files
 * them in one transaction, in rounds: each round files the next event of every lane — the plain
 * texts together (file-texts.ts), the rest one at a time, each in a savepoint of its own. A
 * provider's files are fetched with no lock held and no transaction open: a lane stops before an
 * event whose files are not in hand, they are fetched, and the next transaction files it.
 */
export async function processInboundEvent(deps: Deps, job: { eventId: string }, opts: { lastTry?: boolean } = {}): Promise<void> {
  const { eventId } = job;
  const failedEarlier: string[] = [];
  const fetched = new Map<string, Collected>();
  for (;;) {
    const batch = await oneAtATime(deps.db, async () => {
      // Read after waiting its turn: the transaction before it may have filed this event with its own.
      const [event] = await deps.db.select({ lane: inboundEvents.lane, processedAt: inboundEvents.processedAt }).from(inboundEvents).where(eq(inboundEvents.id, eventId));
      if (!event || event.processedAt) return null;
      return deps.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${laneLockClass}, ${event.lane})`);
        const lanes = [event.lane, ...(await freeLanes(tx, event.lane, failedEarlier))];
        return fileLanes(deps, tx, { id: eventId, lane: event.lane }, lanes, fetched, failedEarlier);
      });
    });
    if (!batch) return;
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

/**
 * A worker's filing transactions, one after another (per database handle, so per worker): jobs that
 * come together would otherwise each open one for their own event and interleave their statements,
 * every one of them slower; waiting, the first takes every lane with pending events and files them
 * together, and the others find theirs filed. Workers in other processes still file beside it,
 * kept apart by the lanes' locks.
 */
const filing = new WeakMap<object, Promise<unknown>>();
function oneAtATime<T>(worker: object, body: () => Promise<T>): Promise<T> {
  const turn = (filing.get(worker) ?? Promise.resolve()).catch(() => {}).then(body);
  filing.set(worker, turn);
  return turn;
}

interface LaneBatch {
  filed: InboundEventRow[];
  /** This job's own event failed: thrown after the batch's other events are committed. */
  ownError?: unknown;
  /** This job's lane stopped before this event: its files are to be fetched first. */
  needsMedia?: InboundEventRow;
  /** This job's event is filed (or was already): nothing more to do. */
  done: boolean;
}

/** The other lanes with pending events, earliest first, that no one holds: taken, without waiting. */
async function freeLanes(tx: Tx, own: number, skip: string[]): Promise<number[]> {
  const { rows } = await tx.execute<{ lane: number }>(sql`
    select lane from (
      select distinct lane from (
        select lane from ${inboundEvents}
        where processed_at is null and lane <> ${own} ${skip.length ? sql`and id <> all(${sql.param(skip)}::uuid[])` : sql``}
        order by seq limit ${batchSize}) pending) lanes
    where pg_try_advisory_xact_lock(${laneLockClass}, lane)`);
  return rows.map((r) => r.lane);
}

async function fileLanes(deps: Deps, tx: Tx, own: { id: string; lane: number }, lanes: number[], fetched: Map<string, Collected>, failedEarlier: string[]): Promise<LaneBatch> {
  const rows = await pendingIn(tx, own.lane, lanes, failedEarlier);
  const queues = new Map<number, InboundEventRow[]>();
  for (const row of rows) queues.set(row.lane, [...(queues.get(row.lane) ?? []), row]);
  const filed: InboundEventRow[] = [];
  const ownPending = rows.some((r) => r.id === own.id);
  let ownFiled = false;
  let needsMedia: InboundEventRow | undefined;
  while (queues.size) {
    const heads: InboundEventRow[] = [];
    for (const [lane, queue] of queues) {
      const head = queue.shift()!;
      if (!queue.length) queues.delete(lane);
      if (mediaOf(head).length && !fetched.has(head.id)) {
        // This lane waits for the files; its later events wait with it.
        queues.delete(lane);
        if (lane === own.lane && !ownFiled) needsMedia = head;
      } else heads.push(head);
    }
    const together = await fileTexts(deps, tx, heads.filter(isPlainText));
    filed.push(...together.filed);
    const alone = new Set(together.filed);
    for (const row of heads.filter((h) => !alone.has(h)).sort((a, b) => a.seq - b.seq)) {
      try {
        await tx.transaction((savepoint) => fileEvent(deps, savepoint, row, fetched.get(row.id)));
        deps.metrics.inboundFiled.inc({ how: 'alone' });
        filed.push(row);
      } catch (e) {
        if (row.id === own.id) return { filed, ownError: e, done: false };
        // Another event failed: its own job tries it again (and is logged); this one does not wait on it.
        failedEarlier.push(row.id);
      }
    }
    if (heads.some((h) => h.id === own.id)) ownFiled = true;
  }
  // Not among them and the batch was not full: an earlier job filed it.
  return { filed, needsMedia, done: ownFiled || (!ownPending && rows.length < batchSize) };
}

const mediaOf = (event: InboundEventRow) => {
  if (!event.payload) return [];
  const payload = JSON.parse(event.payload) as InboundPayload;
  return payload.reaction ? [] : (payload.media ?? []);
};

/** The pending events of the lanes held, the job's own lane's first, filed in arrival order. */
async function pendingIn(tx: Tx, own: number, lanes: number[], skip: string[]): Promise<InboundEventRow[]> {
  const rows = await tx
    .select()
    .from(inboundEvents)
    .where(and(inArray(inboundEvents.lane, lanes), isNull(inboundEvents.processedAt), skip.length ? notInArray(inboundEvents.id, skip) : undefined))
    .orderBy(sql`${inboundEvents.lane} = ${own} desc`, asc(inboundEvents.seq))
    .limit(batchSize);
  return rows.sort((a, b) => a.seq - b.seq);
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
