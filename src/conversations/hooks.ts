/**
 * What the conversations core needs from the modules above it, handed in rather than imported:
 * the guest module owns guest links, bookings owns bookings, delivery and notifications own their
 * jobs, and all of them hold conversations, so the core may not read their tables or call them. runtime.ts installs the readers once per process (and so does
 * every test, through it).
 */
import type { DbOrTx, Tx } from '../db/client.js';

export interface ConversationHooks {
  /** P1: the guest link a web reply goes to, or null when the patient has none open. */
  currentGuestLink(db: DbOrTx, conversationId: string): Promise<string | null>;
  /** P1: a spammer's guest links stop working; returns how many were revoked. */
  revokeGuestLinks(tx: Tx, contactId: string, at: Date): Promise<number>;
  /** S3: an outbound message was written; its delivery job goes into the same transaction. */
  queueDelivery(tx: DbOrTx, messageId: string): Promise<void>;
  /** Inbound messages were filed; the staff's push notifications are queued in the same transaction. */
  queuePush(tx: DbOrTx, orgId: string, messageIds: string[]): Promise<void>;
  /** K2: a template's {appointment}: the patient's next booking after `after`. */
  nextBooking(tx: Tx, contactId: string, after: Date): Promise<{ startsAt: Date } | null>;
}

let installed: ConversationHooks | null = null;

export function installConversationHooks(hooks: ConversationHooks): void {
  installed = hooks;
}

export function conversationHooks(): ConversationHooks {
  if (!installed) throw new Error('the conversations hooks are not installed (runtime.ts installs them)');
  return installed;
}
