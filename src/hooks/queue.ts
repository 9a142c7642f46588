import { sql } from 'drizzle-orm';
import type { DbOrTx } from '../db/client.js';
import { requestIdEntry } from '../ops/context.js';
import type { WebhookEvent } from './rules.js';

export const webhookDeliverTask = 'webhook_deliver';

/**
 * B3: an event for the organization's webhooks, written in the caller's transaction — one delivery
 * row and one job per subscribed endpoint, in one statement, or nothing when no endpoint wants it.
 * Payloads carry identifiers, never message text: receivers fetch what they need with the API.
 */
export async function emitWebhookEvent(db: DbOrTx, orgId: string, event: WebhookEvent, data: Record<string, string | null>, at: Date): Promise<void> {
  const payload = JSON.stringify({ event, occurredAt: at.toISOString(), data });
  await db.execute(sql`
    with delivery as (
      insert into webhook_deliveries (endpoint_id, org_id, event, payload, status, created_at)
      select e.id, e.org_id, ${event}, ${payload}::jsonb, 'pending', ${at.toISOString()}::timestamptz
      from webhook_endpoints e
      where e.org_id = ${orgId} and e.disabled_at is null and ${event} = any(e.events)
      returning id)
    select graphile_worker.add_job(${webhookDeliverTask}, json_build_object('deliveryId', id, ${requestIdEntry()})) from delivery`);
}

/** Many events at once (a batch of filed texts): emitWebhookEvent's rows and jobs, in one statement, in order. */
export async function emitWebhookEvents(db: DbOrTx, events: { orgId: string; event: WebhookEvent; data: Record<string, string | null> }[], at: Date): Promise<void> {
  if (events.length === 1) return emitWebhookEvent(db, events[0].orgId, events[0].event, events[0].data, at);
  if (!events.length) return;
  const payloads = events.map((e) => JSON.stringify({ event: e.event, occurredAt: at.toISOString(), data: e.data }));
  await db.execute(sql`
    with wanted as (
      select * from unnest(${sql.param(events.map((e) => e.orgId))}::uuid[], ${sql.param(events.map((e) => e.event))}::text[], ${sql.param(payloads)}::jsonb[]) with ordinality as w(org_id, event, payload, n)),
    delivery as (
      insert into webhook_deliveries (endpoint_id, org_id, event, payload, status, created_at)
      select e.id, e.org_id, w.event, w.payload, 'pending', ${at.toISOString()}::timestamptz
      from wanted w join webhook_endpoints e on e.org_id = w.org_id and e.disabled_at is null and w.event = any(e.events)
      order by w.n, e.id
      returning id)
    select graphile_worker.add_job(${webhookDeliverTask}, json_build_object('deliveryId', id, ${requestIdEntry()})) from delivery`);
}
