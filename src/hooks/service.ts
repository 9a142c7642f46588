/** B3: outgoing webhooks — endpoints, and delivering their events with signatures, retries and a log. */
import { and, asc, desc, eq, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { newSecret } from '../auth/tokens.js';
import { recordAudit, auditActor } from '../audit/service.js';
import type { Config } from '../config.js';
import type { Db } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { maxWebhookAttempts, retryDelayMs, signatureHeader, signPayload, webhookUrlProblem, type WebhookEvent } from './rules.js';
import { webhookDeliverTask } from './queue.js';
import { webhookAttempts, webhookDeliveries, webhookEndpoints } from './schema.js';

type EndpointRow = typeof webhookEndpoints.$inferSelect;

const endpointJson = (e: EndpointRow) => ({ id: e.id, url: e.url, events: e.events, active: e.disabledAt === null, createdAt: e.createdAt.toISOString() });

export async function createEndpoint(deps: Deps, actor: Actor, input: { url: string; events: WebhookEvent[] }) {
  const problem = webhookUrlProblem(input.url);
  if (problem) throw new AppError('invalid_input', `url ${problem}`, { errors: [{ field: 'body.url', message: problem }] });
  const secret = newSecret('whsec_');
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(webhookEndpoints)
      .values({ orgId: actor.orgId, url: input.url, secret, events: [...new Set(input.events)], createdBy: actor.userId, createdAt: deps.clock.now() })
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
  let statusCode: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(row.e.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Frontdesk-Webhooks/1',
        'frontdesk-event': row.d.event,
        'frontdesk-delivery': row.d.id,
        // Signed with the wall clock: the receiver checks the timestamp against its own.
        [signatureHeader.toLowerCase()]: signPayload(row.e.secret, body, new Date()),
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
      await tx.execute(sql`select graphile_worker.add_job(${webhookDeliverTask}, json_build_object('deliveryId', ${deliveryId}::text),
        run_at := now() + make_interval(secs => ${delay / 1000}))`);
    }
  });
}
