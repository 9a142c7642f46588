/**
 * S1: the two-way SMS inbox. The main admin buys a number by area code (Accelerator plan, $5 a
 * month on the ledger) or connects one the clinic already has in its Twilio account (issue 22:
 * the number patients know; same plan and charge); all texts go out from it and replies come back
 * to it. Disabling releases a bought number, only detaches a brought one (it stays the clinic's),
 * and hides the old texts from everyone, keeping them for the record.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Actor } from '../../auth/actor.js';
import { recordAudit, auditActor } from '../../audit/service.js';
import { smsInboxMonthlyCents } from '../../billing/rules.js';
import { displayPhone } from '../../contacts/display.js';
import { addCharge, endCharge, requireFeature } from '../../billing/service.js';
import { normalizePhone } from '../../contacts/rules.js';
import { conversations, messages } from '../../conversations/schema.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { isUniqueViolation } from '../../db/errors.js';
import { Nullable, responses } from '../../http/schemas.js';
import { actorOf, type App } from '../../http/types.js';
import { channelAccounts } from '../schema.js';
import { isCountry, orgCountry } from '../../orgs/locale.js';

async function activeNumber(deps: Deps, orgId: string) {
  const [row] = await deps.db
    .select()
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, orgId), eq(channelAccounts.channel, 'sms'), isNull(channelAccounts.releasedAt)));
  return row;
}

export async function smsInboxStatus(deps: Deps, actor: Actor) {
  const row = await activeNumber(deps, actor.orgId);
  return { enabled: Boolean(row), phoneNumber: row?.address ?? null, origin: row?.origin ?? null, since: row?.createdAt.toISOString() ?? null };
}

const smsWebhookUrl = (deps: Deps) => `${deps.config.publicUrl}/webhooks/twilio/sms`;

/** Only the host of another vendor's webhook is shown: its path and query can carry that vendor's secrets. */
function webhookHost(url: string | null): string | null {
  if (!url) return null;
  try {
    return new URL(url).host;
  } catch {
    return 'an address that is not a URL';
  }
}

/**
 * The SMS numbers some organization of this install has on: the provider account is the install's,
 * so one organization must never see or take another's number.
 */
async function activeAddresses(deps: Deps): Promise<Set<string>> {
  const rows = await deps.db
    .select({ address: channelAccounts.address })
    .from(channelAccounts)
    .where(and(eq(channelAccounts.channel, 'sms'), isNull(channelAccounts.releasedAt)));
  return new Set(rows.map((r) => r.address));
}

/** Issue 22: the numbers in the clinic's own provider account, to connect one instead of buying. */
export async function ownedNumbers(deps: Deps, actor: Actor) {
  await requireFeature(deps.db, actor.orgId, 'two_way_sms', 'The two-way SMS inbox');
  const ours = smsWebhookUrl(deps);
  const inUse = await activeAddresses(deps);
  return (await deps.channels.numbers.owned()).filter((n) => !inUse.has(n.phoneNumber)).map((n) => ({
    phoneNumber: n.phoneNumber,
    friendlyName: n.friendlyName,
    smsCapable: n.smsCapable,
    currentWebhookHost: n.smsUrl === ours ? null : webhookHost(n.smsUrl),
  }));
}

/** Numbers on offer for an area code, less any this organization bought and released: those cannot be reinstated. */
/**
 * Numbers for sale in the organization's country (or the one asked for); an area code narrows the
 * search, and US and Canadian numbers need one (a few hundred of them per country otherwise).
 */
export async function availableNumbers(deps: Deps, actor: Actor, search: { areaCode?: string; country?: string }) {
  await requireFeature(deps.db, actor.orgId, 'two_way_sms', 'The two-way SMS inbox');
  const released = await deps.db
    .select({ address: channelAccounts.address })
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, actor.orgId), eq(channelAccounts.channel, 'sms'), eq(channelAccounts.origin, 'bought')));
  const gone = new Set(released.map((r) => r.address));
  const country = search.country?.toUpperCase() ?? (await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry));
  if (!isCountry(country)) throw new AppError('invalid_input', `country: "${search.country}" is not a country code (ISO 3166 alpha-2, e.g. MX)`, { errors: [{ field: 'querystring.country', message: 'is not a known country code' }] });
  const nanp = country === 'US' || country === 'CA';
  if (nanp && !search.areaCode) throw new AppError('invalid_input', 'areaCode: a three-digit area code is needed for US and Canadian numbers', { errors: [{ field: 'querystring.areaCode', message: 'is required' }] });
  if (search.areaCode && !(nanp ? /^[2-9][0-9]{2}$/ : /^[0-9]{1,5}$/).test(search.areaCode)) {
    throw new AppError('invalid_input', `areaCode: "${search.areaCode}" is not an area code of ${country}`, { errors: [{ field: 'querystring.areaCode', message: 'is not an area code' }] });
  }
  return (await deps.channels.numbers.available({ country, areaCode: search.areaCode })).filter((n) => !gone.has(n.phoneNumber));
}

export async function enableSmsInbox(deps: Deps, actor: Actor, phoneNumber: string) {
  await requireFeature(deps.db, actor.orgId, 'two_way_sms', 'The two-way SMS inbox');
  const parsed = normalizePhone(phoneNumber, await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry));
  if (!parsed.ok) throw new AppError('invalid_input', `phoneNumber: ${parsed.reason}`);
  await refuseWhileEnabled(deps, actor);
  const [usedBefore] = await deps.db
    .select({ id: channelAccounts.id })
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, actor.orgId), eq(channelAccounts.channel, 'sms'), eq(channelAccounts.address, parsed.e164), eq(channelAccounts.origin, 'bought')));
  if (usedBefore) throw new AppError('conflict', 'a released number cannot be taken back; choose a new number');
  const bought = await deps.channels.numbers.buy(parsed.e164, {
    sms: smsWebhookUrl(deps),
    status: `${deps.config.publicUrl}/webhooks/twilio/status`,
  });
  // We bought a number we could not record (another admin won the race): give it back.
  await recordNumber(deps, actor, { ...bought, origin: 'bought' }, () => deps.channels.numbers.release(bought.externalId));
  return smsInboxStatus(deps, actor);
}

async function refuseWhileEnabled(deps: Deps, actor: Actor) {
  if (await activeNumber(deps, actor.orgId)) throw new AppError('conflict', 'the SMS inbox is already enabled; disable it first to change the number');
}

/** The number, its monthly charge (the same for a bought and a brought one) and the audit entry, together; `undo` if that fails. */
async function recordNumber(
  deps: Deps,
  actor: Actor,
  number: { phoneNumber: string; externalId: string; origin: 'bought' | 'brought'; previousWebhookHost?: string | null },
  undo: (error: unknown) => Promise<void>,
) {
  const now = deps.clock.now();
  try {
    await deps.db.transaction(async (tx) => {
      const [account] = await tx
        .insert(channelAccounts)
        .values({ orgId: actor.orgId, channel: 'sms', provider: deps.channels.numbers.provider, address: number.phoneNumber, externalId: number.externalId, origin: number.origin, createdAt: now })
        .returning();
      await addCharge(tx, { orgId: actor.orgId, description: `Two-way SMS inbox ${displayPhone(number.phoneNumber, await orgCountry(tx, actor.orgId, deps.config.defaultCountry))}`, amountCents: smsInboxMonthlyCents, interval: 'month', source: `sms_inbox:${account.id}`, at: now });
      await recordAudit(tx, {
        ...auditActor(actor),
        action: number.origin === 'bought' ? 'sms_inbox.enable' : 'sms_inbox.connect',
        subject: { type: 'channel_account', id: account.id },
        details: { phoneNumber: number.phoneNumber, ...(number.origin === 'brought' ? { previousWebhookHost: number.previousWebhookHost ?? null } : {}) },
      });
    });
  } catch (e) {
    await undo(e).catch(() => {});
    throw e;
  }
}

/**
 * Issue 22: connects a number the clinic already has in its Twilio account: its incoming texts are
 * pointed at us (whatever vendor had them before), and the charge is the same as a bought number's.
 */
export async function connectOwnNumber(deps: Deps, actor: Actor, phoneNumber: string) {
  await requireFeature(deps.db, actor.orgId, 'two_way_sms', 'The two-way SMS inbox');
  const parsed = normalizePhone(phoneNumber, await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry));
  if (!parsed.ok) throw new AppError('invalid_input', `phoneNumber: ${parsed.reason}`);
  await refuseWhileEnabled(deps, actor);
  // Checked before anything is pointed: undoing a lost race must not detach someone else's number.
  if ((await activeAddresses(deps)).has(parsed.e164)) throw new AppError('conflict', `${parsed.e164} is already in use`);
  const number = (await deps.channels.numbers.owned()).find((n) => n.phoneNumber === parsed.e164);
  if (!number) throw new AppError('not_found', `${parsed.e164} is not a number of your Twilio account`);
  if (!number.smsCapable) throw new AppError('channel_unavailable', `${parsed.e164} cannot send or receive texts (Twilio says it has no SMS capability)`);
  const ours = smsWebhookUrl(deps);
  await deps.channels.numbers.point(number.externalId, ours);
  await recordNumber(
    deps,
    actor,
    { phoneNumber: number.phoneNumber, externalId: number.externalId, origin: 'brought', previousWebhookHost: number.smsUrl === ours ? null : webhookHost(number.smsUrl) },
    // Another organization connected it at the same moment: the webhook is theirs now too, leave it.
    async (e) => {
      if (!isUniqueViolation(e, 'channel_accounts_active_address')) await deps.channels.numbers.detach(number.externalId, ours);
    },
  );
  return smsInboxStatus(deps, actor);
}

export async function disableSmsInbox(deps: Deps, actor: Actor) {
  const account = await activeNumber(deps, actor.orgId);
  if (!account) throw new AppError('conflict', 'the SMS inbox is not enabled');
  // A brought number is the clinic's: it loses our webhook, never the number.
  if (account.externalId && account.origin === 'brought') await deps.channels.numbers.detach(account.externalId, smsWebhookUrl(deps));
  else if (account.externalId) await deps.channels.numbers.release(account.externalId);
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
      details: { phoneNumber: account.address, origin: account.origin, released: account.origin === 'bought', hiddenMessages: hiddenMessages.length, hiddenConversations: hiddenThreads.length },
    });
  });
  return smsInboxStatus(deps, actor);
}

const Status = Type.Object({
  enabled: Type.Boolean(),
  phoneNumber: Nullable(Type.String()),
  origin: Nullable(Type.Union([Type.Literal('bought'), Type.Literal('brought')], { description: 'bought through Frontdesk, or the clinic’s own number connected' })),
  since: Nullable(Type.String()),
});

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
        summary: "Numbers the provider offers that can text, in the organization's country or the one given, and an area code (main admin, Accelerator plan)",
        querystring: Type.Object({
          areaCode: Type.Optional(Type.String({ pattern: '^[0-9]{1,5}$', description: 'needed for US and Canada (three digits); elsewhere it narrows the search where the provider can' })),
          country: Type.Optional(Type.String({ pattern: '^[A-Za-z]{2}$', description: "ISO 3166 alpha-2; default the organization's country" })),
        }),
        response: responses({ 200: Type.Object({ items: Type.Array(Type.Object({ phoneNumber: Type.String(), locality: Type.String() })) }) }, 402),
      },
    },
    async (request) => ({ items: await availableNumbers(deps, actorOf(request), request.query) }),
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

  app.get(
    '/api/v1/sms-inbox/owned-numbers',
    {
      config: { access: { role: 'main_admin' } },
      schema: {
        tags: ['sms inbox'],
        summary: "The numbers already in the clinic's Twilio account, to connect one instead of buying (main admin, Accelerator plan)",
        response: responses(
          {
            200: Type.Object({
              items: Type.Array(
                Type.Object({
                  phoneNumber: Type.String(),
                  friendlyName: Type.String(),
                  smsCapable: Type.Boolean(),
                  currentWebhookHost: Nullable(Type.String({ description: 'where its incoming texts go now (host only), null when nowhere or already here' })),
                }),
              ),
            }),
          },
          402,
          502,
        ),
      },
    },
    async (request) => ({ items: await ownedNumbers(deps, actorOf(request)) }),
  );

  app.post(
    '/api/v1/sms-inbox/connect',
    {
      config: { access: { role: 'main_admin' } },
      schema: {
        tags: ['sms inbox'],
        summary:
          "Turn on the two-way SMS inbox with a number the clinic already has in its Twilio account: its incoming texts are pointed here; $5/month like a bought number; disabling detaches it and never releases it (main admin, Accelerator plan)",
        body: Type.Object({ phoneNumber: Type.String({ minLength: 4, maxLength: 20 }) }),
        response: responses({ 201: Status }, 402, 404, 409, 422, 502),
      },
    },
    async (request, reply) => reply.code(201).send(await connectOwnNumber(deps, actorOf(request), request.body.phoneNumber)),
  );

  app.post(
    '/api/v1/sms-inbox/disable',
    {
      config: { access: { role: 'main_admin' } },
      schema: {
        tags: ['sms inbox'],
        summary: "Release a bought number (a connected one of the clinic's only loses our webhook) and hide the old texts (kept for the record); needs {confirm: true}",
        body: Type.Object({ confirm: Type.Literal(true, { description: 'must be true: disabling cannot be undone, a new number is needed to enable again' }) }),
        response: responses({ 200: Status }, 409),
      },
    },
    async (request) => disableSmsInbox(deps, actorOf(request)),
  );
}
