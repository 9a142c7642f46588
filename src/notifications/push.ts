/**
 * Web Push while the app is closed: the server's VAPID keys, each user's subscribed devices, and
 * the worker's job that tells them a patient wrote — decided by the same rule as the live stream,
 * saying no more than it does. A subscription its push service calls gone (404/410) is removed.
 */
import { and, eq, sql } from 'drizzle-orm';
import webpush from 'web-push';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { userClinicIds, users } from '../orgs/schema.js';
import { requestIdEntry } from '../ops/context.js';
import { mayReceive } from '../realtime/rules.js';
import { eventFacts } from '../realtime/service.js';
import { audienceFor, newMessage, notificationFor } from './service.js';
import { pushKeys, pushSubscriptions } from './schema.js';

export const pushTask = 'push_notify';
/** How long a push service keeps a push for a device that is offline: after an hour the news is stale. */
const pushTtlSeconds = 3600;

/** The install's key pair, made once: two processes starting together agree on the first one stored. */
export async function vapidKeys(db: DbOrTx): Promise<{ publicKey: string; privateKey: string }> {
  const [found] = await db.select().from(pushKeys).where(eq(pushKeys.id, 1));
  if (found) return found;
  const made = webpush.generateVAPIDKeys();
  await db.insert(pushKeys).values({ id: 1, ...made }).onConflictDoNothing();
  const [stored] = await db.select().from(pushKeys).where(eq(pushKeys.id, 1));
  return stored!;
}

export async function subscribe(deps: Deps, actor: Actor, input: { endpoint: string; keys: { p256dh: string; auth: string } }) {
  const values = { orgId: actor.orgId, userId: actor.userId, endpoint: input.endpoint, p256dh: input.keys.p256dh, auth: input.keys.auth };
  return deps.db.transaction(async (tx) => {
    // A device that subscribes again (another user signed in on it) belongs to whoever subscribed last.
    const [row] = await tx.insert(pushSubscriptions).values(values).onConflictDoUpdate({ target: pushSubscriptions.endpoint, set: values }).returning({ id: pushSubscriptions.id });
    await recordAudit(tx, { ...auditActor(actor), action: 'push_subscription.create', subject: { type: 'push_subscription', id: row!.id } });
    return { id: row!.id };
  });
}

export async function unsubscribe(deps: Deps, actor: Actor, id: string): Promise<void> {
  await deps.db.transaction(async (tx) => {
    const gone = await tx.delete(pushSubscriptions).where(and(eq(pushSubscriptions.id, id), eq(pushSubscriptions.userId, actor.userId))).returning({ id: pushSubscriptions.id });
    if (!gone.length) throw notFound('push subscription');
    await recordAudit(tx, { ...auditActor(actor), action: 'push_subscription.delete', subject: { type: 'push_subscription', id } });
  });
}

/**
 * Queued with a patient's message, in its transaction: the worker of any process sends the pushes.
 * An organization with no subscribed device queues nothing — most never turn push on, and a job per
 * inbound message would be work for the queue and nothing else.
 */
export async function queuePush(tx: DbOrTx, orgId: string, messageIds: string[]): Promise<void> {
  if (!messageIds.length) return;
  await tx.execute(
    sql`select graphile_worker.add_job(${pushTask}, json_build_object('orgId', ${orgId}::text, 'messageId', m, ${requestIdEntry()}), job_key := 'push:' || m, max_attempts := 3)
        from unnest(${sql.param(messageIds)}::text[]) with ordinality as u(m, n)
        where exists (select 1 from ${pushSubscriptions} where ${pushSubscriptions.orgId} = ${orgId})
        order by n`,
  );
}

/** The worker's job: every subscribed device of every user the rule tells, once. */
export async function sendPushes(deps: Pick<Deps, 'db' | 'clock' | 'config'>, orgId: string, messageId: string): Promise<{ sent: number; removed: number }> {
  const message = await newMessage(deps.db, orgId, messageId);
  if (!message) return { sent: 0, removed: 0 };
  const facts = await eventFacts(deps.db, { type: 'message.created', orgId, clinicId: '', conversationId: message.conversationId, messageId });
  const devices = await deps.db
    .select({ id: pushSubscriptions.id, endpoint: pushSubscriptions.endpoint, p256dh: pushSubscriptions.p256dh, auth: pushSubscriptions.auth, userId: users.id, language: users.language, role: users.role, privileges: users.privileges, clinicIds: userClinicIds })
    .from(pushSubscriptions)
    .innerJoin(users, eq(users.id, pushSubscriptions.userId))
    .where(and(eq(pushSubscriptions.orgId, orgId), sql`${users.deactivatedAt} is null`, sql`'send_messages' = any(${users.privileges})`));
  const keys = await vapidKeys(deps.db);
  let sent = 0;
  let removed = 0;
  const told = new Map<string, boolean>();
  const audience = await audienceFor(deps.db, orgId, message);
  for (const device of devices) {
    if (!told.has(device.userId)) {
      const may = mayReceive(device, facts) && notificationFor(audience, device.userId, message, deps.clock.now()) !== null;
      told.set(device.userId, may);
    }
    if (!told.get(device.userId)) continue;
    const payload = JSON.stringify({ ...message.textIn(device.language), conversationId: message.conversationId, url: `/?c=${message.conversationId}` });
    try {
      await webpush.sendNotification({ endpoint: device.endpoint, keys: { p256dh: device.p256dh, auth: device.auth } }, payload, {
        TTL: pushTtlSeconds,
        urgency: 'high',
        vapidDetails: { subject: deps.config.publicUrl.startsWith('https:') ? deps.config.publicUrl : 'mailto:push@frontdesk.invalid', publicKey: keys.publicKey, privateKey: keys.privateKey },
      });
      sent++;
    } catch (e) {
      const status = (e as { statusCode?: number }).statusCode;
      if (status === 404 || status === 410) {
        await deps.db.delete(pushSubscriptions).where(eq(pushSubscriptions.id, device.id));
        removed++;
      }
      // Any other refusal is the push service's moment: the live stream and the inbox still show the message.
    }
  }
  return { sent, removed };
}
