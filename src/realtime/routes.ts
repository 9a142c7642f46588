import type { Actor } from '../auth/actor.js';
import { unreadCount } from '../conversations/service.js';
import type { Deps } from '../deps.js';
import { responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { canAccessClinic } from '../orgs/rules.js';
import type { ChangeEvent } from './events.js';

const heartbeatMs = 25_000;
const unreadDebounceMs = 150;

function frame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * GET /api/v1/events: Server-Sent Events for the signed-in user's organization — change events of
 * the clinics they work at, and their unread count whenever it changes. Events name ids; clients fetch.
 */
export function realtimeRoutes(app: App, deps: Deps): void {
  // One count per user per burst, however many of their screens are open.
  const counting = new Map<string, { at: number; count: Promise<number | null> }>();
  const sharedUnread = (actor: Actor) => {
    const now = Date.now();
    const hit = counting.get(actor.userId);
    if (hit && now - hit.at < unreadDebounceMs) return hit.count;
    const count = unreadCount(deps, actor).catch(() => null);
    counting.set(actor.userId, { at: now, count });
    if (counting.size > 10_000) counting.clear();
    return count;
  };

  app.get(
    '/api/v1/events',
    {
      config: { access: { privileges: ['send_messages'] } },
      schema: {
        tags: ['realtime'],
        summary: 'Live events (text/event-stream): message.created, message.status, conversation.updated, conversation.typing, unread.count, resync',
        response: responses({ 200: { type: 'string', description: 'an event stream' } as never }),
      },
    },
    async (request, reply) => {
      const actor: Actor = actorOf(request);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });

      let lastUnread: number | null = null;
      let unreadTimer: NodeJS.Timeout | undefined;
      const sendUnread = async () => {
        unreadTimer = undefined;
        const unread = await sharedUnread(actor);
        if (unread !== null && unread !== lastUnread && !res.destroyed) {
          lastUnread = unread;
          res.write(frame('unread.count', { unread }));
        }
      };
      const scheduleUnread = () => {
        unreadTimer ??= setTimeout(() => void sendUnread(), unreadDebounceMs);
      };

      const unsubscribe = deps.events.subscribe(actor.orgId, (event: ChangeEvent | { type: 'resync' }) => {
        if (res.destroyed) return;
        if (event.type === 'resync') {
          res.write(frame('resync', {}));
        } else {
          if (!canAccessClinic(actor, event.clinicId)) return;
          if (event.type === 'conversation.typing' && event.user?.id === actor.userId) return;
          const { orgId: _org, ...visible } = event;
          res.write(frame(event.type, visible));
        }
        if (event.type !== 'conversation.typing') scheduleUnread();
      });
      const heartbeat = setInterval(() => res.write(': ping\n\n'), heartbeatMs);
      deps.metrics.openStreams.inc();
      const stop = () => {
        deps.metrics.openStreams.dec();
        clearInterval(heartbeat);
        clearTimeout(unreadTimer);
        unsubscribe();
      };
      res.on('close', stop);
      res.write('retry: 3000\n\n');
      res.write(frame('ready', { userId: actor.userId }));
      await sendUnread();
    },
  );
}
