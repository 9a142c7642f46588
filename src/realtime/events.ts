/**
 * B1/M8: change events, published inside the writing transaction with pg_notify, so they reach every
 * server process (LISTEN) exactly when the change commits, and never for a rolled-back one. Events
 * carry ids only: clients fetch what they are allowed to see, and no health information passes
 * through the notification channel.
 */
import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { emitWebhookEvent } from '../hooks/queue.js';
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
  for (const e of events) {
    await db.execute(sql`select pg_notify(${eventChannel}, ${JSON.stringify(await buffered(db, e, at))})`);
    if ((e.type === 'message.created' || e.type === 'message.status') && e.messageId) {
      await emitWebhookEvent(db, e.orgId, e.type, { conversationId: e.conversationId, clinicId: e.clinicId, messageId: e.messageId, status: e.status ?? null }, at);
    }
  }
}
