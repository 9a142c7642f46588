/**
 * The WhatsApp Business Platform's Cloud API: messages are POSTed as JSON to the Graph API with a
 * bearer token; Meta's webhooks carry messages and statuses, signed with X-Hub-Signature-256.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../auth/tokens.js';
import type { Addressing, ChannelAdapter, HandshakeRoute, InboundMessage, OutboundEnvelope, ProviderWebhooks, SendOutcome, StatusUpdate } from '../types.js';

export interface MetaOptions {
  token: string;
  appSecret: string;
  graphBaseUrl: string;
  graphVersion: string;
}

/** X-Hub-Signature-256: "sha256=" and the hex HMAC-SHA256 of the raw body, keyed by the app secret. */
export function metaSignature(appSecret: string, rawBody: Buffer | string): string {
  return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

export function verifyMetaSignature(appSecret: string, rawBody: Buffer, header: string | undefined): boolean {
  return typeof header === 'string' && safeEqual(header.toLowerCase(), metaSignature(appSecret, rawBody));
}

/** Graph error codes worth retrying: throttling and temporary service trouble. */
const transientCodes = new Set([1, 2, 4, 17, 32, 613, 80007, 130429, 131000, 131016, 133004]);

/** WhatsApp goes to the patient's phone, from the organization's phone number id. */
export const whatsappAddressing: Addressing = { to: 'phone', from: 'accountExternalId' };

export function metaWhatsApp(opts: MetaOptions): ChannelAdapter {
  return {
    channel: 'whatsapp',
    addressing: whatsappAddressing,
    provider: 'meta',
    async send(envelope: OutboundEnvelope): Promise<SendOutcome> {
      if (!envelope.from) {
        return { kind: 'failed', permanent: true, code: 'no_whatsapp_number', reason: 'no WhatsApp business number is connected to this organization' };
      }
      const to = envelope.to.replace(/^\+/, '');
      const payload = envelope.template
        ? { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'template', template: { name: envelope.template.name, language: { code: envelope.template.language } } }
        : { messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { preview_url: false, body: envelope.body } };
      let res: Response;
      try {
        res = await fetch(`${opts.graphBaseUrl}/${opts.graphVersion}/${encodeURIComponent(envelope.from)}/messages`, {
          method: 'POST',
          headers: { authorization: `Bearer ${opts.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
          signal: AbortSignal.timeout(15_000),
        });
      } catch (e) {
        return { kind: 'failed', permanent: false, code: 'network', reason: `WhatsApp could not be reached: ${(e as Error).message}` };
      }
      const json = (await res.json().catch(() => ({}))) as { messages?: { id: string }[]; error?: { code?: number; message?: string } };
      if (res.ok && json.messages?.[0]?.id) return { kind: 'sent', providerMessageId: json.messages[0].id };
      const code = json.error?.code ?? res.status;
      const transient = res.status >= 500 || res.status === 429 || transientCodes.has(Number(code));
      return { kind: 'failed', permanent: !transient, code: String(code), reason: json.error?.message ?? `WhatsApp answered ${res.status}` };
    },
    webhooks: metaWebhooks(opts.appSecret),
  };
}

/**
 * Meta's verification handshake: subscribing a webhook, Meta GETs it with the verify token set in
 * its dashboard and expects the challenge back. Answered whichever adapter sends WhatsApp, so the
 * webhook can be set up before the Cloud API token is configured.
 */
export function metaHandshake(verifyToken: string | null): HandshakeRoute {
  return {
    path: '/webhooks/whatsapp',
    summary: "Meta's webhook verification handshake",
    answer: (q) => {
      const given = q['hub.verify_token'];
      const matches = verifyToken !== null && typeof given === 'string' && safeEqual(given, verifyToken);
      return q['hub.mode'] === 'subscribe' && matches && q['hub.challenge'] ? q['hub.challenge'] : null;
    },
  };
}

/** Messages and statuses arrive together as JSON on one route, signed with X-Hub-Signature-256 over the raw body. */
function metaWebhooks(appSecret: string): ProviderWebhooks {
  return {
    routes: [{ path: '/webhooks/whatsapp', summary: "Meta's WhatsApp event webhook", ack: { status: 200, body: { ok: true } } }],
    verify: (request) => {
      const header = request.headers['x-hub-signature-256'];
      return verifyMetaSignature(appSecret, request.rawBody, typeof header === 'string' ? header : undefined);
    },
    parse: (_route, request) => {
      let body: unknown;
      try {
        body = JSON.parse(request.rawBody.toString('utf8'));
      } catch {
        return null;
      }
      const batches = parseMetaWebhook(body);
      return {
        inbound: batches.flatMap((b) => b.inbound.map((message) => ({ account: { externalId: b.phoneNumberId }, message }))),
        statuses: batches.flatMap((b) => b.statuses),
      };
    },
  };
}

interface WebhookValue {
  metadata?: { phone_number_id?: string; display_phone_number?: string };
  contacts?: { wa_id?: string; profile?: { name?: string } }[];
  messages?: { from?: string; id?: string; timestamp?: string; type?: string; text?: { body?: string }; button?: { text?: string }; interactive?: unknown }[];
  statuses?: { id?: string; status?: string; errors?: { code?: number; title?: string; message?: string }[] }[];
}

/** Messages and statuses from one webhook delivery, each with the phone number id it was sent to. */
export function parseMetaWebhook(body: unknown): { phoneNumberId: string; inbound: InboundMessage[]; statuses: StatusUpdate[] }[] {
  const entries = (body as { entry?: { changes?: { field?: string; value?: WebhookValue }[] }[] })?.entry ?? [];
  const out = [];
  for (const change of entries.flatMap((e) => e.changes ?? [])) {
    const value = change.value;
    const phoneNumberId = value?.metadata?.phone_number_id;
    if (change.field !== 'messages' || !value || !phoneNumberId) continue;
    const names = new Map((value.contacts ?? []).map((c) => [c.wa_id, c.profile?.name]));
    const inbound: InboundMessage[] = (value.messages ?? [])
      .filter((m) => m.id && m.from)
      .map((m) => ({
        providerMessageId: m.id!,
        from: `+${m.from!.replace(/^\+/, '')}`,
        to: phoneNumberId,
        body: m.text?.body ?? m.button?.text ?? `[${m.type ?? 'unsupported'} message]`,
        name: names.get(m.from) ?? undefined,
        at: m.timestamp ? new Date(Number(m.timestamp) * 1000) : undefined,
      }));
    const statuses: StatusUpdate[] = [];
    for (const s of value.statuses ?? []) {
      if (!s.id || !['sent', 'delivered', 'read', 'failed'].includes(s.status ?? '')) continue;
      const error = s.errors?.[0];
      statuses.push({
        providerMessageId: s.id,
        status: s.status as StatusUpdate['status'],
        errorCode: error?.code ? String(error.code) : undefined,
        reason: s.status === 'failed' ? (error?.message ?? error?.title ?? 'WhatsApp reported the message failed') : undefined,
      });
    }
    out.push({ phoneNumberId, inbound, statuses });
  }
  return out;
}
