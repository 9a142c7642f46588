/**
 * The WhatsApp Business Platform's Cloud API: messages are POSTed as JSON to the Graph API with a
 * bearer token; Meta's webhooks carry messages and statuses, signed with X-Hub-Signature-256.
 */
import { createHmac } from 'node:crypto';
import { safeEqual } from '../../auth/tokens.js';
import { downloadCapped, MediaUnavailable } from '../download.js';
import type { Addressing, ChannelAdapter, FetchedMedia, HandshakeRoute, InboundMedia, InboundMessage, OutboundEnvelope, ProviderWebhooks, SendOutcome, StatusUpdate } from '../types.js';

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
    fetchMedia: (media, maxBytes) => fetchMetaMedia(opts, media, maxBytes),
  };
}

/**
 * A WhatsApp file in two steps, both with the bearer token: the Graph API names the media id's
 * short-lived download address and its size, then that address hands over the bytes.
 */
async function fetchMetaMedia(opts: MetaOptions, media: InboundMedia, maxBytes: number): Promise<FetchedMedia> {
  const auth = { authorization: `Bearer ${opts.token}` };
  let res: Response;
  try {
    res = await fetch(`${opts.graphBaseUrl}/${opts.graphVersion}/${encodeURIComponent(media.reference)}`, { headers: auth, signal: AbortSignal.timeout(15_000) });
  } catch (e) {
    throw new MediaUnavailable(`could not be reached (${(e as Error).message})`);
  }
  const json = (await res.json().catch(() => ({}))) as { url?: string; file_size?: string | number; error?: { code?: number; message?: string } };
  // Graph answers 400 with code 100 for a media id it does not (or no longer) know.
  if (res.status === 404 || json.error?.code === 100) return { kind: 'gone', reason: 'WhatsApp no longer has it' };
  if (!res.ok || typeof json.url !== 'string') throw new MediaUnavailable(`answered HTTP ${res.status}${json.error?.message ? ` (${json.error.message})` : ''}`);
  const size = Number(json.file_size ?? NaN);
  if (size > maxBytes) return { kind: 'too_large', bytes: size };
  return downloadCapped(json.url, auth, maxBytes);
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

/** Meta's JSON as received: any field may be missing or of another shape, so each is read with these. */
type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
const list = (v: unknown): Json[] => (Array.isArray(v) ? v.map(obj) : []);
const text = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The kinds of file a patient can send on WhatsApp: each message carries one, under its type's name. */
const mediaTypes = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** The option a patient tapped: a reply button's or a list row's title (with the row's description). */
function tapped(m: Json): string {
  const interactive = obj(m.interactive);
  const choice = obj(interactive.button_reply ?? interactive.list_reply);
  const title = text(choice.title);
  if (!title) return `[a WhatsApp ${text(interactive.type) ?? 'interactive'} reply Frontdesk cannot show]`;
  const description = text(choice.description);
  return `Tapped: ${title}${description ? ` — ${description}` : ''}`;
}

/** A shared place: its name and address, and a map link (Google Maps' documented search URL). */
function place(m: Json): string {
  const location = obj(m.location);
  const { latitude, longitude } = location;
  const link = typeof latitude === 'number' && typeof longitude === 'number' ? `https://www.google.com/maps/search/?api=1&query=${latitude},${longitude}` : undefined;
  return ['Shared a location:', text(location.name), text(location.address), text(location.url), link].filter(Boolean).join('\n');
}

/** Shared contact cards: each one's name, numbers and addresses. */
function cards(m: Json): string {
  return list(m.contacts)
    .map((c) => {
      const name = text(obj(c.name).formatted_name) ?? text(obj(c.name).first_name) ?? 'a contact';
      const phones = list(c.phones).flatMap((p) => text(p.phone) ?? []);
      const emails = list(c.emails).flatMap((e) => text(e.email) ?? []);
      const company = text(obj(c.org).company);
      return [`Shared a contact: ${name}`, company, ...phones, ...emails].filter(Boolean).join('\n');
    })
    .join('\n\n') || 'Shared a contact card with nothing on it';
}

/**
 * A message WhatsApp does not pass on (`unsupported`: a poll, an edit, a view-once photo; Meta names
 * the kind in unsupported.type and why in errors[0]), or a type Frontdesk does not know: say what it was.
 */
function unshown(m: Json, type: string): string {
  const askAgain = 'ask the patient what they sent, or to send it as text or a photo';
  if (type !== 'unsupported') return `[a WhatsApp "${type}" message, which Frontdesk cannot show: ${askAgain}]`;
  const error = list(m.errors)[0] ?? {};
  const kind = text(obj(m.unsupported).type);
  const why = text(obj(error.error_data).details) ?? text(error.title);
  return `[a WhatsApp message${kind ? ` (${kind.replace(/_/g, ' ')})` : ''} that WhatsApp does not pass on${why ? `: ${why.replace(/\.$/, '')}` : ''}; ${askAgain}]`;
}

/** What one WhatsApp message says, as text for the thread, and the file it carries if any. */
function messageContent(m: Json): Pick<InboundMessage, 'body' | 'media' | 'reaction'> {
  const type = text(m.type) ?? 'unsupported';
  if (type === 'text') return { body: text(obj(m.text).body) ?? '' };
  if (type === 'button') return { body: `Tapped: ${text(obj(m.button).text) ?? text(obj(m.button).payload) ?? ''}` };
  if (type === 'interactive') return { body: tapped(m) };
  if (type === 'location') return { body: place(m) };
  if (type === 'contacts') return { body: cards(m) };
  if (type === 'reaction') {
    const reaction = obj(m.reaction);
    const to = text(reaction.message_id);
    // An empty emoji takes the reaction back.
    if (to) return { body: '', reaction: { providerMessageId: to, emoji: text(reaction.emoji) ?? null } };
  }
  if (mediaTypes.has(type)) {
    const file = obj(m[type]);
    const id = text(file.id);
    return { body: text(file.caption) ?? '', media: id ? [{ reference: id, contentType: text(file.mime_type), filename: text(file.filename) }] : [] };
  }
  return { body: unshown(m, type) };
}

function inboundMessage(m: Json, phoneNumberId: string, names: Map<string | undefined, string | undefined>): InboundMessage[] {
  const id = text(m.id);
  const from = text(m.from);
  if (!id || !from) return [];
  const timestamp = Number(text(m.timestamp));
  return [
    {
      providerMessageId: id,
      from: `+${from.replace(/^\+/, '')}`,
      to: phoneNumberId,
      ...messageContent(m),
      name: names.get(from),
      at: Number.isFinite(timestamp) ? new Date(timestamp * 1000) : undefined,
    },
  ];
}

function statusUpdate(s: Json): StatusUpdate[] {
  const id = text(s.id);
  const status = text(s.status);
  if (!id || !status || !['sent', 'delivered', 'read', 'failed'].includes(status)) return [];
  const error = list(s.errors)[0] ?? {};
  const code = error.code;
  return [
    {
      providerMessageId: id,
      status: status as StatusUpdate['status'],
      errorCode: typeof code === 'number' || typeof code === 'string' ? String(code) : undefined,
      reason: status === 'failed' ? (text(error.message) ?? text(error.title) ?? 'WhatsApp reported the message failed') : undefined,
    },
  ];
}

/** Messages and statuses from one webhook delivery, each with the phone number id it was sent to. */
export function parseMetaWebhook(body: unknown): { phoneNumberId: string; inbound: InboundMessage[]; statuses: StatusUpdate[] }[] {
  const out = [];
  for (const change of list(obj(body).entry).flatMap((e) => list(e.changes))) {
    const value = obj(change.value);
    const phoneNumberId = text(obj(value.metadata).phone_number_id);
    if (change.field !== 'messages' || !phoneNumberId) continue;
    const names = new Map(list(value.contacts).map((c) => [text(c.wa_id), text(obj(c.profile).name)]));
    out.push({
      phoneNumberId,
      inbound: list(value.messages).flatMap((m) => inboundMessage(m, phoneNumberId, names)),
      statuses: list(value.statuses).flatMap(statusUpdate),
    });
  }
  return out;
}
