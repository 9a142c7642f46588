/**
 * I19: every change event carries an `id:`; a stream that reconnects with `Last-Event-ID` is sent
 * exactly what it missed (by any process), filtered by what the user may read now, and an id it
 * cannot resume from (unknown, another organization's, malformed, older than the window) gets `resync`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { runMaintenance } from '../../src/maintenance.js';
import { publish } from '../../src/realtime/events.js';
import { replayWindowMs } from '../../src/realtime/replay.js';
import { inbound, setupApp, signupOrg, type Client, type Org, type TestContext } from '../helpers.js';
import { Stream, type Frame } from '../sse.js';

let ctx: TestContext;
let base: string;
let other: TestContext;
let otherBase: string;
beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  // A second server process on the same database, as a load balancer may send a reconnect to.
  other = await setupApp({}, { databaseUrl: ctx.database.url });
  otherBase = await other.app.listen({ port: 0, host: '127.0.0.1' });
});

const streams: Stream[] = [];
afterAll(() => streams.forEach((s) => s.close()));
const open = async (client: Client, lastEventId?: string, at = base) => {
  const s = await Stream.open(at, client, lastEventId);
  streams.push(s);
  return s;
};
const numbered = (frames: readonly Frame[]) => frames.filter((f) => f.id !== undefined && f.event !== 'ready' && f.event !== 'resync');
const created = (messageId: string) => (f: Frame) => f.event === 'message.created' && f.data.messageId === messageId;

describe('resuming the event stream (I19)', () => {
  let org: Org;
  beforeAll(async () => {
    org = await signupOrg(ctx.app);
  });

  it('numbers every change event, and starts a new stream at the newest one', async () => {
    const first = await inbound(org, 'Before anyone listens', '+14155550801');
    const stream = await open(org.owner);
    const ready = await stream.next((f) => f.event === 'ready');
    expect(ready.data).toEqual({ userId: expect.any(String), resumed: false });
    expect(ready.id).toMatch(/^\d+$/);
    const next = await inbound(org, 'Now', '+14155550802', {});
    const frame = await stream.next(created(next.messageId));
    expect(Number(frame.id)).toBeGreaterThan(Number(ready.id));
    expect(stream.seen(created(first.messageId))).toBe(false);
  });

  it.each([
    ['the same process', () => base],
    ['another process', () => otherBase],
  ])('sends a reconnect exactly what it missed, on %s, and then the live events once each', async (_, server) => {
    const watcher = await open(org.owner);
    const dropped = await open(org.owner);
    const seen = await inbound(org, 'Seen before the drop', '+14155550803');
    const anchor = (await dropped.next(created(seen.messageId))).id!;
    dropped.close();

    // While away: a patient writes in a new thread and the old one, a reply goes out, a thread is read.
    const newThread = await inbound(org, 'Missed one', '+14155550804');
    await inbound(org, 'Missed two', '+14155550803');
    expect((await org.owner.post(`/api/v1/conversations/${seen.conversationId}/messages`, { body: 'We will call you back' })).status).toBe(202);
    expect((await org.owner.post(`/api/v1/conversations/${newThread.conversationId}/read`)).status).toBeLessThan(300);
    const last = await inbound(org, 'Missed last', '+14155550805');
    await watcher.next(created(last.messageId));
    const all = numbered(watcher.all);
    const missed = all.slice(all.findIndex((f) => f.id === anchor) + 1);
    expect(missed.length).toBeGreaterThanOrEqual(5);

    const resumed = await open(org.owner, anchor, server());
    expect((await resumed.next((f) => f.event === 'ready')).data.resumed).toBe(true);
    await resumed.next((f) => f.id === missed.at(-1)!.id);
    expect(numbered(resumed.all)).toEqual(missed);

    const live = await inbound(org, 'After the reconnect', '+14155550806');
    await resumed.next(created(live.messageId));
    const ids = numbered(resumed.all).map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(resumed.seen((f) => f.event === 'resync')).toBe(false);
  });

  it('replays what was missed without notifying again: the notification is for news, not for a reconnect', async () => {
    const dropped = await open(org.owner);
    const seen = await inbound(org, 'Seen, and notified', '+14155550841');
    await dropped.next((f) => f.event === 'notification' && f.data.conversationId === seen.conversationId);
    const anchor = (await dropped.next(created(seen.messageId))).id!;
    dropped.close();
    const missed = await inbound(org, 'Written while away', '+14155550842');

    const resumed = await open(org.owner, anchor);
    await resumed.next(created(missed.messageId));
    const live = await inbound(org, 'Written after the reconnect', '+14155550843');
    await resumed.next((f) => f.event === 'notification' && f.data.conversationId === live.conversationId);
    expect(resumed.all.filter((f) => f.event === 'notification').map((f) => f.data.conversationId)).toEqual([live.conversationId]);
  });

  it('replays a lower id whose transaction committed after the id the client saw', async () => {
    const early = await inbound(org, 'Early writer', '+14155550807');
    const late = await inbound(org, 'Late writer', '+14155550808');
    const scope = (c: { conversationId: string }) => ({ type: 'conversation.updated' as const, orgId: org.orgId, clinicId: org.clinicId, conversationId: c.conversationId });
    const dropped = await open(org.owner);
    let written!: () => void;
    let commit!: () => void;
    const isWritten = new Promise<void>((resolve) => (written = resolve));
    const slow = ctx.database.db.transaction(async (tx) => {
      await publish(tx, scope(early), ctx.clock.now());
      written();
      await new Promise<void>((resolve) => (commit = resolve));
    });
    await isWritten;
    await publish(ctx.database.db, scope(late), ctx.clock.now());
    const anchor = (await dropped.next((f) => f.event === 'conversation.updated' && f.data.conversationId === late.conversationId)).id!;
    dropped.close();
    commit();
    await slow;

    const resumed = await open(org.owner, anchor);
    const replayed = await resumed.next((f) => f.event === 'conversation.updated' && f.data.conversationId === early.conversationId);
    expect(Number(replayed.id)).toBeLessThan(Number(anchor));
  });

  it('replays only what the user may read now: their clinics, and no thread held since', async () => {
    const elsewhere = (await org.owner.post('/api/v1/clinics', { name: 'Elsewhere' })).body.id;
    const nurse = await org.addUser('nurse', { clinicIds: [elsewhere] });
    const dropped = await open(nurse.client);
    const seen = await inbound(org, 'Elsewhere, seen', 'pat-0810@example.com', { channel: 'email', clinicId: elsewhere });
    const anchor = (await dropped.next(created(seen.messageId))).id!;
    dropped.close();

    const mainClinic = await inbound(org, 'Main clinic', '+14155550811');
    const heldSince = await inbound(org, 'Elsewhere, held since', 'pat-0812@example.com', { channel: 'email', clinicId: elsewhere });
    const visible = await inbound(org, 'Elsewhere, visible', 'pat-0813@example.com', { channel: 'email', clinicId: elsewhere });
    await ctx.database.db.execute(sql`update conversations set held_at = now() where id = ${heldSince.conversationId}`);

    const resumed = await open(nurse.client, anchor);
    await resumed.next(created(visible.messageId));
    expect(resumed.seen((f) => f.data?.conversationId === mainClinic.conversationId)).toBe(false);
    expect(resumed.seen((f) => f.data?.conversationId === heldSince.conversationId)).toBe(false);
  });

  it.each([
    ['an unknown id', async () => '999999999999'],
    ['a malformed id', async () => 'not-a-number'],
    ['another organization\'s id', async () => {
      const theirs = await signupOrg(ctx.app);
      const stream = await open(theirs.owner);
      const msg = await inbound(theirs, 'Theirs', '+14155550821');
      return (await stream.next(created(msg.messageId))).id!;
    }],
  ])('answers %s with resync, and a fresh id to go on from', async (_, lastEventId) => {
    const id = await lastEventId();
    const stream = await open(org.owner, id);
    expect((await stream.next((f) => f.event === 'ready')).data.resumed).toBe(false);
    const resync = await stream.next((f) => f.event === 'resync');
    expect(resync.id).not.toBe(id);
    const live = await inbound(org, `Live after ${id}`, '+14155550822');
    await stream.next(created(live.messageId));
    expect(stream.seen((f) => f.data?.conversationId && f.id !== undefined && Number(f.id) <= Number(resync.id))).toBe(false);
  });

  // Last in the file: it moves the clock.
  it('answers an id older than the window with resync', async () => {
    const stream = await open(org.owner);
    const msg = await inbound(org, 'Long ago', '+14155550831');
    const anchor = (await stream.next(created(msg.messageId))).id!;
    stream.close();
    ctx.clock.advance(replayWindowMs + 60_000);
    const resumed = await open(org.owner, anchor);
    await resumed.next((f) => f.event === 'resync');
    expect(numbered(resumed.all)).toEqual([]);
    // The maintenance job forgets what no stream can resume from any more.
    await runMaintenance(ctx.deps);
    const left = await ctx.database.db.execute(sql`select count(*)::int as n from live_events where id <= ${Number(anchor)}`);
    expect(left.rows[0]).toEqual({ n: 0 });
  });
});
