/** B3: outgoing webhooks — endpoints, and delivering their events with signatures, retries and a log. */
import { newRowId, openFor, openOptional, sealFor } from '../encryption/columns.js';
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import type { Config } from '../config.js';
import type { Db, DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { requestIdEntry } from '../ops/context.js';
import { canRedeliver, defaultRotationOverlapHours, maxWebhookAttempts, newWebhookSecret, retryDelayMs, signatureHeaderValue, signingSecrets, webhookUrlProblem, type WebhookEvent } from './rules.js';
import { webhookDeliverTask } from './queue.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema.js';

type EndpointRow = typeof webhookEndpoints.$inferSelect;

/** The endpoint's signing secrets, opened with its row. */
const openSecrets = (e: EndpointRow) => ({ secret: openFor(e, e.secret), previousSecret: openOptional(e, e.previousSecret), previousSecretExpiresAt: e.previousSecretExpiresAt });

const endpointJson = (e: EndpointRow) => ({ id: e.id, url: e.url, events: e.events, active: e.disabledAt === null, createdAt: e.createdAt.toISOString() });

export async function createEndpoint(deps: Deps, actor: Actor, input: { url: string; events: WebhookEvent[] }) {
  const problem = webhookUrlProblem(input.url);
  if (problem) throw new AppError('invalid_input', `url ${problem}`, { errors: [{ field: 'body.url', message: problem }] });
  const secret = newWebhookSecret();
  const id = newRowId();
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ id, orgId: actor.orgId, url: input.url, secret: sealFor(webhookEndpoints.secret, { id, orgId: actor.orgId }, secret), events: [...new Set(input.events)], createdBy: actor.userId, createdAt: deps.clock.now() })
      .returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'webhook.create', subject: { type: 'webhook', id: row.id }, details: { events: row.events } });
    return { ...endpointJson(row), secret };
  });
}

export async function listEndpoints(deps: Deps, actor: Actor) {
  const rows = await deps.db.select().from(webhookEndpoints).where(eq(webhookEndpoints.orgId, actor.orgId)).orderBy(asc(webhookEndpoints.createdAt));
  return rows.map(endpointJson);
}

async function endpointInOrg(db: Db, orgId: string, id: string): Promise<EndpointRow> {
  const [row] = await db.select().from(webhookEndpoints).where(and(eq(webhookEndpoints.id, id), eq(webhookEndpoints.orgId, orgId)));
  if (!row) throw notFound('webhook');
  return row;
}

export async function disableEndpoint(deps: Deps, actor: Actor, id: string) {
  await endpointInOrg(deps.db, actor.orgId, id);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.update(webhookEndpoints).set({ disabledAt: deps.clock.now() }).where(and(eq(webhookEndpoints.id, id), isNull(webhookEndpoints.disabledAt))).returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'webhook.disable', subject: { type: 'webhook', id } });
    return endpointJson(row ?? (await endpointInOrg(deps.db, actor.orgId, id)));
  });
}

/** The delivery log of an endpoint, newest first, each with its tries. */
export async function listDeliveries(deps: Deps, actor: Actor, id: string) {
  await endpointInOrg(deps.db, actor.orgId, id);
  const deliveries = await deps.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.endpointId, id)).orderBy(desc(webhookDeliveries.createdAt)).limit(100);
  const tries = deliveries.length
    ? await deps.db
        .select()
        .from(webhookAttempts)
        .where(sql`${webhookAttempts.deliveryId} in (${sql.join(deliveries.map((d) => sql`${d.id}::uuid`), sql`, `)})`)
        .orderBy(asc(webhookAttempts.attempt))
    : [];
  return deliveries.map((d) => ({
    id: d.id,
    event: d.event,
    status: d.status,
    attempts: tries
      .filter((t) => t.deliveryId === d.id)
      .map((t) => ({ attempt: t.attempt, statusCode: t.statusCode, error: t.error, durationMs: t.durationMs, at: t.at.toISOString() })),
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  }));
}

/** One try at one delivery (the webhook_deliver task); a failure schedules the next try, until the last. */
export async function deliverWebhook(deps: { db: Db; clock: Deps['clock']; config: Config }, deliveryId: string): Promise<void> {
  const [row] = await deps.db
    .select({ d: webhookDeliveries, e: webhookEndpoints })
    .from(webhookDeliveries)
    .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
    .where(eq(webhookDeliveries.id, deliveryId));
  if (!row || row.d.status !== 'pending') return;
  if (row.e.disabledAt) {
    await deps.db.update(webhookDeliveries).set({ status: 'failed' }).where(eq(webhookDeliveries.id, deliveryId));
    return;
  }
  const body = JSON.stringify(row.d.payload);
  const attempt = row.d.attempts + 1;
  const started = Date.now();
  const timestamp = Math.floor(deps.clock.now().getTime() / 1000);
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(row.e.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Frontdesk-Webhooks/1',
        'frontdesk-event': row.d.event,
        // Standard Webhooks: the id stays the same across retries and redeliveries (receivers
        // deduplicate by it); the timestamp is the app's clock (deps.clock), which receivers check against theirs.
        'webhook-id': row.d.id,
        'webhook-timestamp': String(timestamp),
        'webhook-signature': signatureHeaderValue(signingSecrets(openSecrets(row.e), deps.clock.now()), row.d.id, timestamp, body),
      },
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    statusCode = res.status;
    await res.body?.cancel();
  } catch (e) {
    error = (e as Error).message.slice(0, 500);
  }
  const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
  const last = attempt >= maxWebhookAttempts;
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.insert(webhookAttempts).values({ deliveryId, attempt, statusCode, error: error ?? (ok ? null : `the receiver answered ${statusCode}`), durationMs: Date.now() - started, at: now });
    await tx
      .update(webhookDeliveries)
      .set({ attempts: attempt, status: ok ? 'delivered' : last ? 'failed' : 'pending', deliveredAt: ok ? now : null })
      .where(eq(webhookDeliveries.id, deliveryId));
    if (!ok && !last) {
      const delay = retryDelayMs(attempt, deps.config.webhookRetryBaseMs);
      await enqueueTry(tx, deliveryId, delay);
    }
  });
}

async function enqueueTry(db: DbOrTx, deliveryId: string, delayMs = 0): Promise<void> {
  await db.execute(sql`select graphile_worker.add_job(${webhookDeliverTask}, json_build_object('deliveryId', ${deliveryId}::text, ${requestIdEntry()}),
    run_at := now() + make_interval(secs => ${delayMs / 1000}))`);
}

/**
 * A new signing secret, shown once. The old one keeps signing beside it for `overlapHours`, so the
 * receiver can switch at its own pace without refusing a single delivery.
 */
export async function rotateSecret(deps: Deps, actor: Actor, id: string, input: { overlapHours?: number }) {
  const current = await endpointInOrg(deps.db, actor.orgId, id);
  const now = deps.clock.now();
  const overlapHours = input.overlapHours ?? defaultRotationOverlapHours;
  const secret = newWebhookSecret();
  const previousSecretExpiresAt = new Date(now.getTime() + overlapHours * 3_600_000);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(webhookEndpoints)
      .set({
        secret: sealFor(webhookEndpoints.secret, current, secret),
        // Sealed again for its new column: a value is bound to the column it is stored in.
        previousSecret: overlapHours > 0 ? sealFor(webhookEndpoints.previousSecret, current, openFor(current, current.secret)) : null, previousSecretExpiresAt: overlapHours > 0 ? previousSecretExpiresAt : null })
      .where(eq(webhookEndpoints.id, id))
      .returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'webhook.rotate_secret', subject: { type: 'webhook', id }, details: { overlapHours } });
    return { ...endpointJson(row), secret, previousSecretExpiresAt: overlapHours > 0 ? previousSecretExpiresAt.toISOString() : null };
  });
}

/** Sends a finished delivery again, as it was and under the same webhook-id, on the admin's word. */
export async function redeliver(deps: Deps, actor: Actor, endpointId: string, deliveryId: string) {
  const endpoint = await endpointInOrg(deps.db, actor.orgId, endpointId);
  if (endpoint.disabledAt) throw new AppError('conflict', 'this webhook is stopped; nothing is sent to it');
  const [delivery] = await deps.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.endpointId, endpointId)));
  if (!delivery) throw notFound('delivery');
  if (!canRedeliver(delivery.status)) throw new AppError('conflict', 'this delivery is still being tried');
  return deps.db.transaction(async (tx) => {
    await tx.update(webhookDeliveries).set({ status: 'pending', deliveredAt: null }).where(eq(webhookDeliveries.id, deliveryId));
    await enqueueTry(tx, deliveryId);
    await recordAudit(tx, { ...auditActor(actor), action: 'webhook.redeliver', subject: { type: 'webhook', id: endpointId }, details: { deliveryId } });
    return { id: deliveryId, status: 'pending' as const };
  });
}
