import type { Actor } from '../auth/actor.js';
import { credentialOf, currentActors } from '../auth/service.js';
import { unreadBuckets } from '../conversations/service.js';
import { unreadFor, type UnreadBuckets } from '../conversations/rules.js';
import type { Deps } from '../deps.js';
import { responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import type { ChangeEvent } from './events.js';
import type { HubEvent } from './hub.js';
import { mayContinue, mayReceive, type EventFacts } from './rules.js';
import { latestEventId, resumeFrom } from './replay.js';
import { eventFacts } from './service.js';
import { audienceFor, newMessage, notificationFor, type Audience, type NewMessage } from '../notifications/service.js';
import { notificationLine } from '../notifications/rules.js';
import { users } from '../orgs/schema.js';
import { eq } from 'drizzle-orm';

const heartbeatMs = 25_000;
const unreadDebounceMs = 150;
/** How often every open stream's sign-in is checked again (idle expiry, anything not announced). */
const recheckMs = 500;

/** An SSE frame; `id` (a live_events id, or '' to forget a stale one) is what a reconnect sends back as Last-Event-ID. */
function frame(event: string, data: unknown, id?: number | ''): string {
  return `${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface OpenStream {
  actor: Actor;
  end(): void;
}

/**
 * The open streams of this process, each ended as soon as its sign-in no longer lets it go on:
 * checked every `recheckMs` in one query for all of them, and at once when its user's access changes.
 */
function streamGuard(deps: Deps, log: (e: unknown) => void) {
  const open = new Set<OpenStream>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | null = null;

  async function check(streams: OpenStream[]): Promise<void> {
    const current = await currentActors(deps, streams.map((s) => s.actor));
    for (const stream of streams) {
      if (!mayContinue(stream.actor, current.get(credentialOf(stream.actor)))) stream.end();
    }
  }
  const sweep = () => {
    running ??= check([...open])
      .catch(log)
      .finally(() => (running = null));
    return running;
  };

  return {
    add(stream: OpenStream): () => void {
      open.add(stream);
      timer ??= setInterval(() => void sweep(), recheckMs).unref();
      return () => {
        open.delete(stream);
        if (!open.size) timer = void clearInterval(timer);
      };
    },
    /** Checks one stream now; false when it was ended. */
    async recheck(stream: OpenStream): Promise<boolean> {
      await check([stream]);
      return open.has(stream);
    },
    close: () => clearInterval(timer),
  };
}

/**
 * GET /api/v1/events: Server-Sent Events for the signed-in user — change events of what they could
 * read through the API, and their unread count whenever it changes. Events name ids; clients fetch.
 * A stream ends with its session, token or user, and when the user's role, privileges or clinics change.
 */
export function realtimeRoutes(app: App, deps: Deps): void {
  // One reading of the organization's kept counts per burst, however many users and screens are
  // open: each stream works out its own user's count from it (unreadFor), so the statements an
  // event costs do not grow with the people online.
  const counting = new Map<string, { at: number; buckets: Promise<UnreadBuckets | null> }>();
  const sharedUnread = async (actor: Actor) => {
    const now = Date.now();
    let hit = counting.get(actor.orgId);
    if (!hit || now - hit.at >= unreadDebounceMs) {
      hit = { at: now, buckets: deps.reads.forOrg(actor.orgId).then((reads) => unreadBuckets(reads, actor.orgId)).catch(() => null) };
      counting.set(actor.orgId, hit);
      if (counting.size > 10_000) counting.clear();
    }
    const buckets = await hit.buckets;
    return buckets && unreadFor(actor, buckets);
  };
  // One reading of an event's thread per process, shared by every stream it reaches.
  const factsOf = new WeakMap<ChangeEvent, Promise<EventFacts | null>>();
  const sharedFacts = (event: ChangeEvent) => {
    let facts = factsOf.get(event);
    if (!facts) {
      facts = eventFacts(deps.db, event).catch(() => null);
      factsOf.set(event, facts);
    }
    return facts;
  };
  // A new message as the notification rule reads it, once per process too.
  // with everyone's preferences for it, so the cost of a message does not grow with the people online.
  const messageOf = new WeakMap<ChangeEvent, Promise<{ message: NewMessage; audience: Audience } | null>>();
  const sharedMessage = (event: ChangeEvent) => {
    let found = messageOf.get(event);
    if (!found) {
      found = newMessage(deps.db, event.orgId, event.messageId!)
        .then(async (message) => (message ? { message, audience: await audienceFor(deps.db, event.orgId, message) } : null))
        .catch(() => null);
      messageOf.set(event, found);
    }
    return found;
  };
  const guard = streamGuard(deps, (e) => app.log.error({ err: e }, 'checking open event streams failed'));
  app.addHook('onClose', async () => guard.close());

  app.get(
    '/api/v1/events',
    {
      config: { access: { privileges: ['send_messages'] } },
      schema: {
        tags: ['realtime'],
        summary: 'Live events (text/event-stream): message.created, message.status, conversation.updated, conversation.typing, unread.count, notification (a patient wrote, by the user\'s preferences; no health data), resync',
        response: responses({ 200: { type: 'string', description: 'an event stream' } as never }),
      },
    },
    async (request, reply) => {
      const actor: Actor = actorOf(request);
      // The language this user's notifications are worded in, read once per stream (a change applies from the next connection).
      const [reader] = await deps.db.select({ language: users.language }).from(users).where(eq(users.id, actor.userId));
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });

      const closed = () => res.destroyed || res.writableEnded;
      const write = (chunk: string) => void (closed() || res.write(chunk));
      let lastUnread: number | null = null;
      let unreadTimer: NodeJS.Timeout | undefined;
      const sendUnread = async () => {
        unreadTimer = undefined;
        const unread = await sharedUnread(actor);
        if (unread !== null && unread !== lastUnread && !closed()) {
          lastUnread = unread;
          write(frame('unread.count', { unread }));
        }
      };
      const scheduleUnread = () => {
        unreadTimer ??= setTimeout(() => void sendUnread(), unreadDebounceMs);
      };

      const stream: OpenStream = { actor, end: () => res.end() };
      /** A patient wrote: the user's own rule says whether this screen shows a notification (no health data in it). */
      const notify = async (event: ChangeEvent) => {
        const found = await sharedMessage(event);
        const message = found?.message;
        const decision = found && notificationFor(found.audience, actor.userId, found.message, deps.clock.now());
        if (message && decision && !closed()) {
          const text = message.textIn(reader?.language ?? null);
          write(frame('notification', { conversationId: message.conversationId, ...text, line: notificationLine(text), sound: decision.sound }));
        }
      };
      const replayed = new Set<number>();
      /** A replayed message was news when it was written; told now, a reconnect would ring for old messages. */
      const deliver = async (event: HubEvent, replaying = false) => {
        if (closed() || ('id' in event && event.id !== undefined && replayed.has(event.id))) return;
        if (event.type === 'access.changed') {
          if (event.userId === actor.userId) await guard.recheck(stream);
          return;
        }
        if (event.type === 'resync') {
          write(frame('resync', {}));
        } else {
          if (event.type === 'conversation.typing' && event.user?.id === actor.userId) return;
          if (!mayReceive(actor, await sharedFacts(event))) return;
          const { orgId: _org, id, ...visible } = event;
          write(frame(event.type, visible, id));
          // Not awaited: the notification's two reads would hold up every event after it on this stream.
          if (event.type === 'message.created' && event.messageId && !replaying) void notify(event).catch((e) => request.log.error({ err: e }, 'a notification failed'));
        }
        if (event.type !== 'conversation.typing') scheduleUnread();
      };
      // `ready`, then what a reconnect missed (I19) through the same rules as live events, then the live
      // ones, one after another in the order they committed: a sign-out is checked before whatever followed it.
      // Subscribed before the replay is read, so nothing falls between; what both bring is sent once.
      const resume = async () => {
        const now = deps.clock.now();
        const from = await resumeFrom(deps.db, actor.orgId, request.headers['last-event-id'], now);
        const head = from.kind === 'replay' ? undefined : ((await latestEventId(deps.db, actor.orgId, now)) ?? '');
        write(frame('ready', { userId: actor.userId, resumed: from.kind === 'replay' }, from.kind === 'fresh' && head === '' ? undefined : head));
        if (from.kind === 'resync') write(frame('resync', {}));
        if (from.kind !== 'replay') return;
        for (const event of from.events) {
          await deliver(event, true);
          replayed.add(event.id!);
        }
      };
      let delivering = resume().catch((e) => {
        request.log.error({ err: e }, 'resuming an event stream failed');
        write(frame('resync', {}));
      });
      const started = delivering;
      const unsubscribe = deps.events.subscribe(actor.orgId, (event) => {
        delivering = delivering.then(() => deliver(event)).catch((e) => request.log.error({ err: e }, 'event delivery failed'));
      });
      const unguard = guard.add(stream);
      const heartbeat = setInterval(() => write(': ping\n\n'), heartbeatMs);
      deps.metrics.openStreams.inc();
      const stop = () => {
        deps.metrics.openStreams.dec();
        clearInterval(heartbeat);
        clearTimeout(unreadTimer);
        unsubscribe();
        unguard();
      };
      res.on('close', stop);
      write('retry: 3000\n\n');
      await started;
      await sendUnread();
    },
  );
}
