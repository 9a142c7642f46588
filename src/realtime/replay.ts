/**
 * I19: a stream that reconnects with `Last-Event-ID` is sent what it missed, out of `live_events`
 * (shared by every process, as the events themselves are): within a bounded window, else `resync`.
 * Whoever receives a replayed event is decided as for a live one, by what they may read now.
 */
import { and, desc, eq, gte, lt, sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import type { ChangeEvent, NumberedEvent } from './events.js';
import { liveEvents } from './schema.js';

/** How far back a reconnecting stream is replayed; older ids get `resync`. */
export const replayWindowMs = 10 * 60_000;
/** More missed events than this is cheaper refetched than replayed: `resync`. */
export const replayLimit = 1000;

export type Resume =
  /** No `Last-Event-ID`: a first connection, or one that never saw an id; the client fetches afresh. */
  | { kind: 'fresh' }
  | { kind: 'replay'; events: NumberedEvent[] }
  /** An id that is malformed, unknown, another organization's, or older than the window. */
  | { kind: 'resync' };

/** What a stream of the organization resuming from `lastEventId` missed, in the order to send it. */
export async function resumeFrom(db: DbOrTx, orgId: string, lastEventId: string | string[] | undefined, now: Date): Promise<Resume> {
  if (lastEventId === undefined || lastEventId === '') return { kind: 'fresh' };
  if (typeof lastEventId !== 'string' || !/^\d{1,15}$/.test(lastEventId)) return { kind: 'resync' };
  const since = new Date(now.getTime() - replayWindowMs);
  const anchor = Number(lastEventId);
  const [known] = await db
    .select({ id: liveEvents.id })
    .from(liveEvents)
    .where(and(eq(liveEvents.id, anchor), eq(liveEvents.orgId, orgId), gte(liveEvents.createdAt, since)));
  if (!known) return { kind: 'resync' };
  // After the anchor: every later id. Before it: the ids whose transaction had not committed when the
  // anchor was written (not visible in its snapshot), which may have committed after the client saw it.
  const rows = await db.execute<{ id: number; event: ChangeEvent }>(sql`
    select e.id, e.event from ${liveEvents} e, ${liveEvents} a
    where a.id = ${anchor} and e.org_id = ${orgId} and e.created_at >= ${since}
      and (e.id > a.id or (e.id < a.id and e.xid <> a.xid and not pg_visible_in_snapshot(e.xid, a.snapshot)))
    order by e.id limit ${replayLimit + 1}`);
  if (rows.rows.length > replayLimit) return { kind: 'resync' };
  return { kind: 'replay', events: rows.rows.map((r) => ({ ...r.event, id: Number(r.id) })) };
}

/** The organization's newest event in the window: a new stream's starting point, so even its first reconnect can resume. */
export async function latestEventId(db: DbOrTx, orgId: string, now: Date): Promise<number | null> {
  const [row] = await db
    .select({ id: liveEvents.id })
    .from(liveEvents)
    .where(and(eq(liveEvents.orgId, orgId), gte(liveEvents.createdAt, new Date(now.getTime() - replayWindowMs))))
    .orderBy(desc(liveEvents.id))
    .limit(1);
  return row?.id ?? null;
}

/** The maintenance job's: events no stream can resume from any more. */
export async function pruneLiveEvents(db: DbOrTx, now: Date): Promise<void> {
  await db.delete(liveEvents).where(lt(liveEvents.createdAt, new Date(now.getTime() - replayWindowMs)));
}
