import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';

export const deliverTask = 'deliver_message';
/** Tries per message before it is marked failed; graphile-worker waits exp(n) seconds between them. */
export const maxDeliveryTries = 10;

/**
 * S3: the delivery job is written in the caller's transaction, with the message: both or neither.
 * The job key makes a second enqueue of the same message a no-op.
 */
export async function enqueueDelivery(tx: DbOrTx, messageId: string): Promise<void> {
  await tx.execute(sql`select graphile_worker.add_job(
    ${deliverTask}, json_build_object('messageId', ${messageId}::text),
    job_key := ${`deliver:${messageId}`}, max_attempts := ${maxDeliveryTries})`);
}
