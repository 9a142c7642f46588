/**
 * Twilio's Programmable Messaging, spoken on the wire: the REST API (form-encoded, basic auth) for
 * sending and for buying numbers, and its webhooks (form-encoded, X-Twilio-Signature) for replies
 * and status callbacks.
 */
import { createHmac } from 'node:crypto';
import querystring from 'node:querystring';
import { safeEqual } from '../../auth/tokens.js';
import { AppError } from '../../errors.js';
import { downloadCapped } from '../download.js';
import type { KeywordAction } from '../rules.js';
import type { Addressing, ChannelAdapter, FetchedMedia, InboundMedia, InboundMessage, NumberProvider, OutboundEnvelope, OwnedNumber, ProviderWebhooks, SendOutcome, StatusUpdate, WebhookRequest } from '../types.js';

export interface TwilioOptions {
  accountSid: string;
  authToken: string;
  apiBaseUrl: string;
  defaultFrom: string | null;
  /** Where Twilio reports a sent message's status: this adapter's status webhook. */
  statusCallbackUrl: string;
  /** The account's opt-out handling answers STOP, START and HELP itself. */
  answersOptOut?: boolean;
}

export const twilioWebhookPaths = { sms: '/webhooks/twilio/sms', status: '/webhooks/twilio/status' } as const;

/**
 * X-Twilio-Signature: base64 HMAC-SHA1, keyed by the auth token, of the URL followed by every form
 * field (name then value) in name order; a field sent more than once adds each distinct value, sorted.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string | string[]>): string {
  const field = (key: string, value: string | string[]): string => (Array.isArray(value) ? [...new Set(value)].sort().map((v) => key + v).join('') : key + value);
  const data = Object.keys(params)
    .sort()
    .reduce((acc, key) => acc + field(key, params[key]), url);
  return createHmac('sha1', authToken).update(data, 'utf8').digest('base64');
}

/** The address with the scheme's default port written out, which `URL` itself would drop (twilio-node's `addPort`). */
function withStandardPort(parsed: URL): string {
  if (parsed.port) return parsed.toString();
  const credentials = parsed.username || parsed.password ? `${parsed.username}${parsed.password ? `:${parsed.password}` : ''}@` : '';
  return `${parsed.protocol}//${credentials}${parsed.host}:${parsed.protocol === 'https:' ? 443 : 80}${parsed.pathname}${parsed.search}${parsed.hash}`;
}

/**
 * The query re-encoded by Node's `querystring`, as twilio-node's `withLegacyQuerystring` does: Twilio's
 * back end may have signed `'` where `URL` writes `%27`, or `%20` where the address had `+`.
 */
function withLegacyQuerystring(url: string): string {
  const start = url.indexOf('?');
  if (start < 0 || start === url.length - 1) return url;
  // maxKeys 0: no cap, so fields past the 1,000th are not silently dropped from what is signed.
  return `${url.slice(0, start)}?${querystring.stringify(querystring.parse(url.slice(start + 1), '&', '=', { maxKeys: 0 }))}`;
}

/**
 * The forms of one webhook address Twilio may have signed, as its own libraries check them
 * (twilio-node's `validateRequest`): without the port and with it (the scheme's default port added
 * when the address names none), each also with its query re-encoded the legacy way — that one both
 * as written and as `URL` normalizes it, since twilio-node hashes the normalized form.
 */
export function twilioUrlVariants(url: string): string[] {
  const parsed = new URL(url);
  const withoutPort = new URL(parsed);
  withoutPort.port = '';
  const portForms = [withoutPort.toString(), withStandardPort(parsed)];
  const legacy = portForms.map(withLegacyQuerystring);
  return [...new Set([...portForms, ...legacy, ...legacy.map((u) => new URL(u).toString())])];
}

export function verifyTwilioSignature(authToken: string, url: string, params: Record<string, string | string[]>, header: string | undefined): boolean {
  if (typeof header !== 'string') return false;
  return twilioUrlVariants(url).some((variant) => safeEqual(header, twilioSignature(authToken, variant, params)));
}

/** Twilio error codes that mean "do not try this again" even though HTTP said 4xx/5xx. */
const unsubscribed = '21610';

const basicAuth = (opts: TwilioOptions) => `Basic ${Buffer.from(`${opts.accountSid}:${opts.authToken}`).toString('base64')}`;
const accountUrl = (opts: TwilioOptions) => `${opts.apiBaseUrl}/2010-04-01/Accounts/${encodeURIComponent(opts.accountSid)}`;

async function twilioRequest(opts: TwilioOptions, method: 'GET' | 'POST' | 'DELETE', path: string, form?: Record<string, string>) {
  const res = await fetch(`${accountUrl(opts)}${path}`, {
    method,
    headers: {
      authorization: basicAuth(opts),
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
    body: form ? new URLSearchParams(form).toString() : undefined,
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: res.status, json };
}

/** SMS goes to the patient's phone, from the organization's number. */
export const smsAddressing: Addressing = { to: 'phone', from: 'accountAddress' };

export function twilioSms(opts: TwilioOptions): ChannelAdapter {
  return {
    channel: 'sms',
    addressing: smsAddressing,
    provider: 'twilio',
    async send(envelope: OutboundEnvelope): Promise<SendOutcome> {
      const from = envelope.from ?? opts.defaultFrom;
      if (!from) {
        return { kind: 'failed', permanent: true, code: 'no_sms_number', reason: 'no SMS number: the main admin can enable the two-way SMS inbox in Settings' };
      }
      let res;
      try {
        res = await twilioRequest(opts, 'POST', '/Messages.json', {
          To: envelope.to,
          From: from,
          Body: envelope.body,
          StatusCallback: opts.statusCallbackUrl,
        });
      } catch (e) {
        return { kind: 'failed', permanent: false, code: 'network', reason: `Twilio could not be reached: ${(e as Error).message}` };
      }
      if (res.status === 200 || res.status === 201) return { kind: 'sent', providerMessageId: String(res.json.sid) };
      const code = String(res.json.code ?? res.status);
      const reason = String(res.json.message ?? `Twilio answered ${res.status}`);
      const transient = res.status === 429 || res.status >= 500;
      return { kind: 'failed', permanent: !transient, code, reason, optedOut: code === unsubscribed };
    },
    answersKeywords: opts.answersOptOut === true,
    webhooks: twilioWebhooks(opts.authToken),
    fetchMedia: (media, maxBytes) => fetchTwilioMedia(opts, media, maxBytes),
  };
}

/**
 * An MMS file: its MediaUrl, with the account's basic auth (Twilio can require it on media), answers
 * with a redirect to a signed address in Twilio's media store. fetch follows it and, the store being
 * another origin, drops the Authorization header, as the store wants. The credentials only ever go
 * to this account's own addresses on the API host.
 */
function fetchTwilioMedia(opts: TwilioOptions, media: InboundMedia, maxBytes: number): Promise<FetchedMedia> {
  if (!media.reference.startsWith(`${accountUrl(opts)}/Messages/`)) return Promise.resolve({ kind: 'gone', reason: 'its address is not one of this Twilio account\'s' });
  return downloadCapped(media.reference, { authorization: basicAuth(opts) }, maxBytes);
}

const formOf = (request: WebhookRequest): Record<string, string> => Object.fromEntries(new URLSearchParams(request.rawBody.toString('utf8')));

/** Every field as signed: a repeated one with all its values. */
function signedFormOf(request: WebhookRequest): Record<string, string | string[]> {
  const form = new URLSearchParams(request.rawBody.toString('utf8'));
  return Object.fromEntries([...new Set(form.keys())].map((key) => {
    const values = form.getAll(key);
    return [key, values.length > 1 ? values : values[0]];
  }));
}

/** Replies (TwiML, no answer text) and status callbacks, both form-encoded and signed with X-Twilio-Signature. */
function twilioWebhooks(authToken: string): ProviderWebhooks {
  const emptyTwiml = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>';
  return {
    routes: [
      { path: twilioWebhookPaths.sms, summary: "Twilio's incoming-message webhook", ack: { status: 200, contentType: 'text/xml', body: emptyTwiml } },
      { path: twilioWebhookPaths.status, summary: "Twilio's status callback", ack: { status: 204 } },
    ],
    verify: (request) => {
      const header = request.headers['x-twilio-signature'];
      return verifyTwilioSignature(authToken, request.url, signedFormOf(request), typeof header === 'string' ? header : undefined);
    },
    parse: (route, request) => {
      const form = formOf(request);
      if (route.path === twilioWebhookPaths.status) {
        const update = parseTwilioStatus(form);
        return { inbound: [], statuses: update ? [update] : [] };
      }
      const message = parseTwilioInbound(form);
      return { inbound: message ? [{ account: { address: message.to }, message }] : [], statuses: [] };
    },
  };
}

/** Our statuses from Twilio's MessageStatus; the in-between ones (accepted, sending…) change nothing. */
const statusMap: Record<string, StatusUpdate['status'] | undefined> = {
  sent: 'sent',
  delivered: 'delivered',
  read: 'read',
  undelivered: 'failed',
  failed: 'failed',
};

export function parseTwilioStatus(form: Record<string, string>): StatusUpdate | null {
  const status = statusMap[form.MessageStatus ?? ''];
  if (!form.MessageSid || !status) return null;
  return {
    providerMessageId: form.MessageSid,
    status,
    errorCode: form.ErrorCode || undefined,
    optedOut: form.ErrorCode === unsubscribed || undefined,
    reason: status === 'failed' ? `carrier reported ${form.MessageStatus}${form.ErrorCode ? ` (Twilio error ${form.ErrorCode})` : ''}` : undefined,
  };
}

export function parseTwilioInbound(form: Record<string, string>): InboundMessage | null {
  if (!form.MessageSid || !form.From || !form.To) return null;
  const media = twilioMedia(form);
  const keyword = optOutTypes[form.OptOutType?.toUpperCase() ?? ''];
  return { providerMessageId: form.MessageSid, from: form.From, to: form.To, body: form.Body ?? '', ...(media.length ? { media } : {}), ...(keyword ? { keyword } : {}) };
}

/**
 * Advanced Opt-Out: Twilio names the keyword's kind in OptOutType — for its default words and for a
 * Messaging Service's custom ones in any language (ARRET, BAJA…) — and has answered the patient.
 */
const optOutTypes: Record<string, KeywordAction | undefined> = { STOP: 'opt_out', START: 'opt_in', HELP: 'help' };

/** MMS: NumMedia files, each as MediaUrl{N} and MediaContentType{N}. */
function twilioMedia(form: Record<string, string>): InboundMedia[] {
  const count = Math.min(Number.parseInt(form.NumMedia ?? '0', 10) || 0, 100);
  return Array.from({ length: count }, (_, n) => ({ reference: form[`MediaUrl${n}`], contentType: form[`MediaContentType${n}`] || undefined })).filter((m) => Boolean(m.reference));
}

/** A request about the account's numbers: Twilio out of reach is a 502 the admin can retry, not a crash. */
async function accountRequest(...args: Parameters<typeof twilioRequest>) {
  try {
    return await twilioRequest(...args);
  } catch (e) {
    throw new AppError('provider_error', `Twilio could not be reached (${(e as Error).message}); try again`);
  }
}

/** AvailablePhoneNumbers/{IsoCountry}/{Type}: the kinds of number a clinic texts from, most wanted first. */
const numberTypes = ['Local', 'Mobile'] as const;

export function twilioNumbers(opts: TwilioOptions): NumberProvider {
  return {
    provider: 'twilio',
    async available(search) {
      // Many countries sell no local numbers, or none that text; Twilio answers 404 for a type a country lacks.
      for (const type of numberTypes) {
        const query = new URLSearchParams({ ...(search.areaCode && { AreaCode: search.areaCode }), SmsEnabled: 'true' });
        const res = await accountRequest(opts, 'GET', `/AvailablePhoneNumbers/${encodeURIComponent(search.country)}/${type}.json?${query}`);
        if (res.status === 404) continue;
        if (res.status !== 200) throw new AppError('provider_error', `Twilio's number search failed: ${String(res.json.message ?? res.status)}`);
        const list = (res.json.available_phone_numbers ?? []) as { phone_number: string; locality?: string; region?: string; iso_country?: string }[];
        // Local numbers that cannot text (the UK's, Mexico's): SmsEnabled leaves none, so look at mobile ones.
        if (list.length === 0 && type !== numberTypes.at(-1)) continue;
        return list.map((n) => ({ phoneNumber: n.phone_number, locality: [n.locality, n.region, n.iso_country].filter(Boolean).join(', ') }));
      }
      throw new AppError('channel_unavailable', `Twilio offers no numbers that can text in ${search.country}; connect a number you already have instead`);
    },
    async buy(phoneNumber, urls) {
      const res = await accountRequest(opts, 'POST', '/IncomingPhoneNumbers.json', { PhoneNumber: phoneNumber, SmsUrl: urls.sms, SmsMethod: 'POST' });
      if (res.status !== 200 && res.status !== 201) throw new AppError('provider_error', `Twilio could not buy ${phoneNumber}: ${String(res.json.message ?? res.status)}`);
      return { externalId: String(res.json.sid), phoneNumber: String(res.json.phone_number ?? phoneNumber) };
    },
    async release(externalId) {
      const res = await accountRequest(opts, 'DELETE', numberPath(externalId));
      if (res.status !== 204 && res.status !== 200 && res.status !== 404) throw new AppError('provider_error', `Twilio could not release the number (${res.status}); try again`);
    },
    async owned() {
      const numbers: OwnedNumber[] = [];
      // Twilio pages the list; an account with more numbers than a few pages is not a clinic's.
      let path: string | null = '/IncomingPhoneNumbers.json?PageSize=1000';
      for (let page = 0; path && page < 5; page += 1) {
        const res = await accountRequest(opts, 'GET', path);
        if (res.status !== 200) throw new AppError('provider_error', `Twilio did not list the account's numbers: ${String(res.json.message ?? res.status)}`);
        numbers.push(...((res.json.incoming_phone_numbers ?? []) as TwilioNumber[]).map(ownedNumber));
        path = nextPage(res.json.next_page_uri, opts.accountSid);
      }
      return numbers;
    },
    async point(externalId, smsUrl) {
      const res = await accountRequest(opts, 'POST', numberPath(externalId), { SmsUrl: smsUrl, SmsMethod: 'POST' });
      if (res.status !== 200) throw new AppError('provider_error', `Twilio did not point the number at Frontdesk: ${String(res.json.message ?? res.status)}`);
    },
    async detach(externalId, ourSmsUrl) {
      const current = await accountRequest(opts, 'GET', numberPath(externalId));
      if (current.status === 404) return;
      if (current.status !== 200) throw new AppError('provider_error', `Twilio could not be asked about the number (${current.status}); try again`);
      // Pointed elsewhere since (the clinic moved on): nothing of ours to take off.
      if (current.json.sms_url !== ourSmsUrl) return;
      const res = await accountRequest(opts, 'POST', numberPath(externalId), { SmsUrl: '' });
      if (res.status !== 200) throw new AppError('provider_error', `Twilio did not take Frontdesk's webhook off the number (${res.status}); try again`);
    },
  };
}

interface TwilioNumber {
  sid: string;
  phone_number: string;
  friendly_name?: string;
  sms_url?: string | null;
  capabilities?: { sms?: boolean };
}

const numberPath = (externalId: string) => `/IncomingPhoneNumbers/${encodeURIComponent(externalId)}.json`;

const ownedNumber = (n: TwilioNumber): OwnedNumber => ({
  externalId: n.sid,
  phoneNumber: n.phone_number,
  friendlyName: n.friendly_name ?? n.phone_number,
  smsUrl: n.sms_url || null,
  smsCapable: n.capabilities?.sms !== false,
});

/** Twilio's next_page_uri names the whole path from /2010-04-01/Accounts/<sid>; ours starts after it. */
function nextPage(uri: unknown, accountSid: string): string | null {
  if (typeof uri !== 'string' || !uri) return null;
  const prefix = `/2010-04-01/Accounts/${accountSid}`;
  return uri.startsWith(prefix) ? uri.slice(prefix.length) : null;
}
