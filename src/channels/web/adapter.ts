/**
 * P1: web replies. The message is delivered by being stored — the patient reads it on their guest
 * page — and the adapter's send tells them there is something to read: it queues the guest
 * notification (guest/notify.ts), an email with a fresh key to their link.
 */
import { sql } from 'drizzle-orm';
import { requestIdEntry } from '../../ops/context.js';
import type { ChannelAdapter, SqlRunner } from '../types.js';

export const notifyGuestTask = 'notify_guest';

/** Queued with the reply's delivery; the job key folds quick successive replies into one job. */
export async function enqueueGuestNotification(tx: SqlRunner, linkId: string, messageId: string): Promise<void> {
  await tx.execute(sql`select graphile_worker.add_job(
    ${notifyGuestTask}, json_build_object('linkId', ${linkId}::text, 'messageId', ${messageId}::text, ${requestIdEntry()}),
    job_key := ${`notify:${linkId}`}, max_attempts := 8)`);
}

/** `to` is the guest link the reply goes to. */
export function webAdapter(db: SqlRunner): ChannelAdapter {
  return {
    channel: 'web',
    addressing: { to: 'guestLink', from: 'none' },
    provider: 'frontdesk',
    inApp: true,
    async send(envelope) {
      if (envelope.to) await enqueueGuestNotification(db, envelope.to, envelope.messageId);
      return { kind: 'sent', providerMessageId: envelope.messageId };
    },
  };
}
