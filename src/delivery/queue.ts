import { sql } from 'drizzle-orm';
import type { InboundPayload } from '../channels/schema.js';
import type { DbOrTx } from '../db/client.js';
import type { ProviderChannel } from '../channels/registry.js';
import { sealForColumn } from '../encryption/columns.js';
import { requestIdEntry } from '../ops/context.js';

export const deliverTask = 'deliver_message';
/** Tries per message before it is marked failed; graphile-worker waits exp(n) seconds between them. */
export const maxDeliveryTries = 10;

/**
 * A sender's inbound texts are filed in the order they came (STOP then START must not swap): each
 * event gets the lane of a hash of its sender, and the worker files a lane's events one at a time
 * in arrival order (channels/process-inbound.ts). Lanes are many, so senders rarely wait on each
 * other, and no queue is serial: a job never waits for the one before it to be released.
 */
export const inboundLanes = 4096;
const laneOf = (sender: string) => sql`(hashtext(${sender}) & ${sql.raw(String(inboundLanes - 1))})`;

/**
 * S3: the delivery job is written in the caller's transaction, with the message: both or neither.
 * The job key makes a second enqueue of the same message a no-op.
 */
export async function enqueueDelivery(tx: DbOrTx, messageId: string): Promise<void> {
  await tx.execute(sql`select graphile_worker.add_job(
    ${deliverTask}, json_build_object('messageId', ${messageId}::text, ${requestIdEntry()}),
    job_key := ${`deliver:${messageId}`}, max_attempts := ${maxDeliveryTries})`);
}

export const inboundTask = 'process_inbound';

/**
 * Filing comes before sending (graphile-worker takes lower numbers first; everything else is 0): a
 * campaign's thousands of queued deliveries must not keep its replies from the inbox. Filing is
 * batched, so a burst of replies holds the sends back seconds, not minutes.
 */
export const inboundPriority = -1;

/**
 * S3: accepts a provider's inbound message in one statement: finds the organization that owns the
 * address it was sent to, stores the raw event with its processing job — or nothing, when no one
 * owns the address or the provider already delivered this id — so the webhook answers at once.
 * Returns whether it was taken.
 */
export async function acceptInbound(
  db: DbOrTx,
  event: {
    channel: ProviderChannel;
    /** Our address it was sent to: the SMS number, or the WhatsApp phone number id. */
    account: { address: string } | { externalId: string };
    providerMessageId: string;
    payload: InboundPayload;
  },
): Promise<boolean> {
  const owner = 'address' in event.account ? sql`a.address = ${event.account.address}` : sql`a.external_id = ${event.account.externalId}`;
  const { rows } = await db.execute<{ id: string }>(sql`
    with accepted as (
      insert into inbound_events (org_id, channel, provider_message_id, payload, lane)
      select a.org_id, ${event.channel}, ${event.providerMessageId}, ${sealForColumn('inbound_events', 'payload', JSON.stringify(event.payload))}, ${laneOf(event.payload.from)}
      from channel_accounts a
      where a.channel = ${event.channel} and a.released_at is null and ${owner}
      on conflict (channel, provider_message_id) do nothing
      returning id)
    select id, graphile_worker.add_job(${inboundTask}, json_build_object('eventId', id, ${requestIdEntry()}), max_attempts := ${maxDeliveryTries}, priority := ${inboundPriority}) from accepted`);
  return rows.length > 0;
}
