/** One LISTEN connection per process, fanning committed change events out to this process's SSE streams. */
import pg from 'pg';
import { eventChannel, eventTypes, type AccessChanged, type ChangeEvent, type NumberedEvent } from './events.js';

export type HubEvent = NumberedEvent | AccessChanged | { type: 'resync' };
export type Subscriber = (event: HubEvent) => void;

export interface EventHub {
  subscribe(orgId: string, subscriber: Subscriber): () => void;
  close(): Promise<void>;
}

function parseEvent(payload: string | undefined): ChangeEvent | AccessChanged | null {
  try {
    const value = JSON.parse(payload ?? '') as ChangeEvent | AccessChanged;
    const known = value.type === 'access.changed' || eventTypes.includes(value.type);
    return known && typeof value.orgId === 'string' ? value : null;
  } catch {
    return null;
  }
}

export async function startEventHub(url: string, log: (message: string) => void = () => {}): Promise<EventHub> {
  const byOrg = new Map<string, Set<Subscriber>>();
  let client: pg.Client | null = null;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const broadcast = (orgId: string | null, event: HubEvent) => {
    const targets = orgId ? [byOrg.get(orgId) ?? []] : byOrg.values();
    for (const set of targets) for (const subscriber of set) subscriber(event);
  };

  async function connect(attempt = 0): Promise<void> {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => {
      const event = parseEvent(message.payload);
      if (event) broadcast(event.orgId, event);
    });
    next.on('error', () => reconnect());
    next.on('end', () => reconnect());
    try {
      await next.connect();
      await next.query(`listen ${eventChannel}`);
      client = next;
      // Whatever happened while we were not listening is unknown: every stream refetches.
      if (attempt > 0) broadcast(null, { type: 'resync' });
    } catch (e) {
      await next.end().catch(() => {});
      if (attempt === 0) throw e;
      reconnect(attempt);
    }
  }

  function reconnect(attempt = 0): void {
    if (closed || retry) return;
    const old = client;
    client = null;
    void old?.end().catch(() => {});
    const delay = Math.min(30_000, 500 * 2 ** attempt);
    log(`event listener lost its connection; reconnecting in ${delay} ms`);
    retry = setTimeout(() => {
      retry = undefined;
      void connect(attempt + 1);
    }, delay);
  }

  await connect();
  return {
    subscribe(orgId, subscriber) {
      const set = byOrg.get(orgId) ?? new Set();
      set.add(subscriber);
      byOrg.set(orgId, set);
      return () => {
        set.delete(subscriber);
        if (!set.size) byOrg.delete(orgId);
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      await client?.end().catch(() => {});
    },
  };
}
