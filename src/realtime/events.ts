/**
 * B1/M8: change events, published inside the writing transaction with pg_notify, so they reach every
 * server process (LISTEN) exactly when the change commits, and never for a rolled-back one. Events
 * carry ids only: clients fetch what they are allowed to see, and no health information passes
 * through the notification channel.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { emitWebhookEvents } from '../hooks/queue.js';
import { liveEvents } from './schema.js';

export const eventTypes = ['message.created', 'message.status', 'conversation.updated', 'conversation.typing'] as const;
export type EventType = (typeof eventTypes)[number];

export interface ChangeEvent {
  type: EventType;
  orgId: string;
  clinicId: string;
  conversationId: string;
  messageId?: string;
  /** message.status: the status it moved to. */
  status?: string;
  /** conversation.typing: who is writing a reply (a name, no content). */
  user?: { id: string; name: string };
}

/**
 * A user's sign-in or permissions changed (sign-out, sign-out everywhere, deactivation, a new role,
 * privileges or clinics): their open streams check at once whether they may go on.
 */
export interface AccessChanged {
  type: 'access.changed';
  orgId: string;
  userId: string;
}

export const eventChannel = 'frontdesk_events';

/** A change event as streams receive it: with the id a reconnecting stream resumes from (`Last-Event-ID`). */
export type NumberedEvent = ChangeEvent & { id?: number };

/**
 * Kept for a reconnecting stream's replay (I19) and numbered. "X is replying…" is not: it means
 * nothing a moment later, so it is neither kept nor numbered.
 */
async function buffered(db: DbOrTx, event: ChangeEvent, at: Date): Promise<NumberedEvent> {
  if (event.type === 'conversation.typing') return event;
  const [row] = await db.insert(liveEvents).values({ orgId: event.orgId, event, createdAt: at }).returning({ id: liveEvents.id });
  return { ...event, id: row!.id };
}

/** Published in the transaction that changes the access, so every event committed after it finds the stream checked. */
export async function publishAccessChanged(db: DbOrTx, orgId: string, userId: string): Promise<void> {
  const event: AccessChanged = { type: 'access.changed', orgId, userId };
  await db.execute(sql`select pg_notify(${eventChannel}, ${JSON.stringify(event)})`);
}

/** Tells every open screen (pg_notify) and, for message events, the organization's webhooks (B3), as having happened `at` (the caller's clock). */
export async function publish(db: DbOrTx, event: ChangeEvent | ChangeEvent[], at: Date): Promise<void> {
  const events = Array.isArray(event) ? event : [event];
  if (events.length === 1) await db.execute(sql`select pg_notify(${eventChannel}, ${JSON.stringify(await buffered(db, events[0], at))})`);
  else if (events.length > 1) await publishMany(db, events, at);
  const forWebhooks = events.flatMap((e) =>
    (e.type === 'message.created' || e.type === 'message.status') && e.messageId
      ? [{ orgId: e.orgId, event: e.type, data: { conversationId: e.conversationId, clinicId: e.clinicId, messageId: e.messageId, status: e.status ?? null } }]
      : [],
  );
  await emitWebhookEvents(db, forWebhooks, at);
}

/** Many at once (a batch of archived conversations): kept in one insert and notified in one statement, in order. */
async function publishMany(db: DbOrTx, events: ChangeEvent[], at: Date): Promise<void> {
  const kept = events.filter((e) => e.type !== 'conversation.typing');
  const ids = kept.length ? await db.insert(liveEvents).values(kept.map((e) => ({ orgId: e.orgId, event: e, createdAt: at }))).returning({ id: liveEvents.id }) : [];
  const numbered = new Map(kept.map((e, i) => [e, ids[i]!.id]));
  const payloads = events.map((e) => JSON.stringify(numbered.has(e) ? { ...e, id: numbered.get(e) } : e));
  await db.execute(sql`select pg_notify(${eventChannel}, p) from unnest(${sql.param(payloads)}::text[]) with ordinality as u(p, n) order by n`);
}
