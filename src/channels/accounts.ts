/** Which addresses the organization uses per channel, and connecting its WhatsApp business number. */
import { and, eq, isNull } from 'drizzle-orm';
import { Type } from 'typebox';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { Nullable, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { clinics } from '../orgs/schema.js';
import { whatsappBusinessNumber } from './rules.js';
import { channelAccounts } from './schema.js';
import { orgCountry } from '../orgs/locale.js';

async function channelOverview(deps: Deps, actor: Actor) {
  const accounts = await deps.db
    .select()
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, actor.orgId), isNull(channelAccounts.releasedAt)));
  const sms = accounts.find((a) => a.channel === 'sms');
  const whatsapp = accounts.find((a) => a.channel === 'whatsapp');
  const orgClinics = await deps.db.select({ slug: clinics.slug }).from(clinics).where(eq(clinics.orgId, actor.orgId));
  const domain = deps.config.email.domain;
  return {
    sms: { provider: deps.channels.adapter('sms').provider, phoneNumber: sms?.address ?? null },
    whatsapp: { provider: deps.channels.adapter('whatsapp').provider, phoneNumber: whatsapp?.address ?? null, phoneNumberId: whatsapp?.externalId ?? null },
    email: {
      provider: deps.channels.adapter('email').provider,
      from: deps.config.email.from,
      inboundAddresses: orgClinics.map((c) => `${c.slug}@${domain}`),
    },
  };
}

async function connectWhatsApp(deps: Deps, actor: Actor, input: { phoneNumberId: string; phoneNumber: string }) {
  const phone = whatsappBusinessNumber(input.phoneNumber, await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry));
  if (!phone.ok) throw new AppError('invalid_input', `phoneNumber: ${phone.reason}`);
  try {
    await deps.db.transaction(async (tx) => {
      await tx
        .update(channelAccounts)
        .set({ releasedAt: deps.clock.now() })
        .where(and(eq(channelAccounts.orgId, actor.orgId), eq(channelAccounts.channel, 'whatsapp'), isNull(channelAccounts.releasedAt)));
      const [row] = await tx
        .insert(channelAccounts)
        .values({ orgId: actor.orgId, channel: 'whatsapp', provider: deps.channels.adapter('whatsapp').provider, address: phone.e164, externalId: input.phoneNumberId })
        .returning();
      await recordAudit(tx, { ...auditActor(actor), action: 'whatsapp.connect', subject: { type: 'channel_account', id: row.id }, details: { phoneNumber: phone.e164 } });
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new AppError('conflict', 'that WhatsApp number is connected to another organization');
    throw e;
  }
  return channelOverview(deps, actor);
}

const Overview = Type.Object({
  sms: Type.Object({ provider: Type.String(), phoneNumber: Nullable(Type.String()) }),
  whatsapp: Type.Object({ provider: Type.String(), phoneNumber: Nullable(Type.String()), phoneNumberId: Nullable(Type.String()) }),
  email: Type.Object({ provider: Type.String(), from: Type.String(), inboundAddresses: Type.Array(Type.String()) }),
});

export function channelAccountRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/channels',
    { schema: { tags: ['channels'], summary: 'The providers in use and the addresses the organization sends from and receives at', response: responses({ 200: Overview }) } },
    async (request) => channelOverview(deps, actorOf(request)),
  );

  app.put(
    '/api/v1/channels/whatsapp',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['channels'],
        summary: "Connect the organization's WhatsApp business number (its Cloud API phone number id)",
        body: Type.Object({ phoneNumberId: Type.String({ pattern: '^[0-9]{5,30}$' }), phoneNumber: Type.String({ minLength: 4, maxLength: 20 }) }),
        response: responses({ 200: Overview }, 409),
      },
    },
    async (request) => connectWhatsApp(deps, actorOf(request), request.body),
  );
}
