/**
 * S1: the two-way SMS inbox. The main admin buys a number by area code (Accelerator plan, $5 a
 * month on the ledger); all texts go out from it and replies come back to it. Disabling releases
 * the number and hides the old texts from everyone, keeping them for the record.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Actor } from '../../auth/actor.js';
import { recordAudit, auditActor } from '../../audit/service.js';
import { smsInboxMonthlyCents } from '../../billing/rules.js';
import { addCharge, endCharge, requireFeature } from '../../billing/service.js';
import { normalizePhone } from '../../contacts/rules.js';
import { conversations, messages } from '../../conversations/schema.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { Nullable, responses } from '../../http/schemas.js';
import { actorOf, type App } from '../../http/types.js';
import { channelAccounts } from '../schema.js';

async function activeNumber(deps: Deps, orgId: string) {
  const [row] = await deps.db
    .select()
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, orgId), eq(channelAccounts.channel, 'sms'), isNull(channelAccounts.releasedAt)));
  return row;
}

export async function smsInboxStatus(deps: Deps, actor: Actor) {
  const row = await activeNumber(deps, actor.orgId);
  return { enabled: Boolean(row), phoneNumber: row?.address ?? null, since: row?.createdAt.toISOString() ?? null };
}

export async function availableNumbers(deps: Deps, actor: Actor, areaCode: string) {
  await requireFeature(deps.db, actor.orgId, 'two_way_sms', 'The two-way SMS inbox');
  return deps.channels.numbers.available(areaCode);
}

export async function enableSmsInbox(deps: Deps, actor: Actor, phoneNumber: string) {
  await requireFeature(deps.db, actor.orgId, 'two_way_sms', 'The two-way SMS inbox');
  const parsed = normalizePhone(phoneNumber, deps.config.defaultCountry);
  if (!parsed.ok) throw new AppError('invalid_input', `phoneNumber: ${parsed.reason}`);
  if (await activeNumber(deps, actor.orgId)) throw new AppError('conflict', 'the SMS inbox is already enabled; disable it first to change the number');
  const [usedBefore] = await deps.db
    .select({ id: channelAccounts.id })
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, actor.orgId), eq(channelAccounts.channel, 'sms'), eq(channelAccounts.address, parsed.e164)));
  if (usedBefore) throw new AppError('conflict', 'a released number cannot be taken back; choose a new number');
  const bought = await deps.channels.numbers.buy(parsed.e164, {
    sms: `${deps.config.publicUrl}/webhooks/twilio/sms`,
    status: `${deps.config.publicUrl}/webhooks/twilio/status`,
  });
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      const [account] = await tx
        .insert(channelAccounts)
        .values({ orgId: actor.orgId, channel: 'sms', provider: deps.channels.numbers.provider, address: bought.phoneNumber, externalId: bought.externalId, createdAt: now })
        .returning();
      await addCharge(tx, { orgId: actor.orgId, description: `Two-way SMS inbox ${bought.phoneNumber}`, amountCents: smsInboxMonthlyCents, interval: 'month', source: `sms_inbox:${account.id}`, at: now });
      await recordAudit(tx, { ...auditActor(actor), action: 'sms_inbox.enable', subject: { type: 'channel_account', id: account.id }, details: { phoneNumber: bought.phoneNumber } });
    });
  } catch (e) {
    // We bought a number we could not record (another admin won the race): give it back.
    await deps.channels.numbers.release(bought.externalId).catch(() => {});
    throw e;
  }
  return smsInboxStatus(deps, actor);
}

export async function disableSmsInbox(deps: Deps, actor: Actor) {
  const account = await activeNumber(deps, actor.orgId);
  if (!account) throw new AppError('conflict', 'the SMS inbox is not enabled');
  if (account.externalId) await deps.channels.numbers.release(account.externalId);
  const now = deps.clock.now();
  await deps.db.transaction(async (tx) => {
    await tx.update(channelAccounts).set({ releasedAt: now }).where(eq(channelAccounts.id, account.id));
    await endCharge(tx, actor.orgId, `sms_inbox:${account.id}`, now);
    const hiddenMessages = await tx
      .update(messages)
      .set({ hidden: true })
      .where(and(eq(messages.orgId, actor.orgId), eq(messages.channel, 'sms'), eq(messages.hidden, false)))
      .returning({ id: messages.id });
    // A thread with nothing left to show is hidden (and closed, so new texts start a new one).
    const hiddenThreads = await tx
      .update(conversations)
      .set({ hiddenAt: now, status: 'closed' })
      .where(
        and(
          eq(conversations.orgId, actor.orgId),
          isNull(conversations.hiddenAt),
          sql`not exists (select 1 from ${messages} m where m.conversation_id = ${conversations.id} and not m.hidden)`,
        ),
      )
      .returning({ id: conversations.id });
    await recordAudit(tx, {
      ...auditActor(actor),
      action: 'sms_inbox.disable',
      subject: { type: 'channel_account', id: account.id },
      details: { phoneNumber: account.address, hiddenMessages: hiddenMessages.length, hiddenConversations: hiddenThreads.length },
    });
  });
  return smsInboxStatus(deps, actor);
}

const Status = Type.Object({ enabled: Type.Boolean(), phoneNumber: Nullable(Type.String()), since: Nullable(Type.String()) });

export function smsInboxRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/sms-inbox',
    { config: { access: { privileges: ['inbox'] } }, schema: { tags: ['sms inbox'], summary: 'Whether the two-way SMS inbox is on, and its number', response: responses({ 200: Status }) } },
    async (request) => smsInboxStatus(deps, actorOf(request)),
  );

  app.get(
    '/api/v1/sms-inbox/available-numbers',
    {
      config: { access: { role: 'main_admin' } },
      schema: {
        tags: ['sms inbox'],
        summary: 'Numbers the provider offers in an area code (main admin, Accelerator plan)',
        querystring: Type.Object({ areaCode: Type.String({ pattern: '^[2-9][0-9]{2}$', description: 'a three-digit US/Canada area code' }) }),
        response: responses({ 200: Type.Object({ items: Type.Array(Type.Object({ phoneNumber: Type.String(), locality: Type.String() })) }) }, 402),
      },
    },
    async (request) => ({ items: await availableNumbers(deps, actorOf(request), request.query.areaCode) }),
  );

  app.post(
    '/api/v1/sms-inbox',
    {
      config: { access: { role: 'main_admin' } },
      schema: {
        tags: ['sms inbox'],
        summary: 'Buy a number and turn on the two-way SMS inbox ($5/month; main admin, Accelerator plan)',
        body: Type.Object({ phoneNumber: Type.String({ minLength: 4, maxLength: 20 }) }),
        response: responses({ 201: Status }, 402, 409),
      },
    },
    async (request, reply) => reply.code(201).send(await enableSmsInbox(deps, actorOf(request), request.body.phoneNumber)),
  );

  app.post(
    '/api/v1/sms-inbox/disable',
    {
      config: { access: { role: 'main_admin' } },
      schema: {
        tags: ['sms inbox'],
        summary: 'Release the number and hide the old texts (kept for the record); needs {confirm: true}',
        body: Type.Object({ confirm: Type.Literal(true, { description: 'must be true: disabling cannot be undone, a new number is needed to enable again' }) }),
        response: responses({ 200: Status }, 409),
      },
    },
    async (request) => disableSmsInbox(deps, actorOf(request)),
  );
}
