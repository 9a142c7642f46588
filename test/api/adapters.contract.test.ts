/**
 * S5: one contract, every adapter. Each provider's adapter is driven against a local server that
 * speaks that provider's protocol; the simulator needs none. A new adapter gets a row here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpEmail } from '../../src/channels/email/smtp.js';
import { simulatorAdapter } from '../../src/channels/simulator/adapters.js';
import { portalAdapter } from '../../src/channels/portal/adapter.js';
import { smsAddressing, twilioSignature, twilioSms } from '../../src/channels/sms/twilio.js';
import { loadConfig } from '../../src/config.js';
import { buildChannels } from '../../src/channels/registry.js';
import type { ChannelAdapter, ChannelWebhooks, OutboundEnvelope, WebhookEvents, WebhookRequest } from '../../src/channels/types.js';
import { metaSignature, metaWhatsApp } from '../../src/channels/whatsapp/meta.js';
import { FakeGraph } from '../fakes/graph.js';
import { CapturingSmtp } from '../fakes/smtp.js';
import { FakeTwilio, twilioError } from '../fakes/twilio.js';

let twilio: FakeTwilio;
let graph: FakeGraph;
let smtp: CapturingSmtp;
beforeAll(async () => {
  [twilio, graph, smtp] = await Promise.all([new FakeTwilio().start(), new FakeGraph().start(), new CapturingSmtp().start()]);
});
afterAll(() => Promise.all([twilio.stop(), graph.stop(), smtp.stop()]));

const envelope = (to: string, from: string | null): OutboundEnvelope => ({
  messageId: '8a7c1f4e-0000-4000-8000-000000000001',
  orgId: 'org',
  to,
  from,
  fromName: 'Contract Clinic',
  body: 'Contract test message',
  attachments: [],
  email: { messageIdHeader: '<contract@frontdesk.test>', inReplyTo: null, references: [], replyTo: 'reply+x@frontdesk.test', subject: 'Contract' },
});

interface Case {
  name: string;
  adapter: () => ChannelAdapter;
  to: string;
  from: string | null;
  /** The same adapter pointed at a closed port. */
  unreachable?: () => ChannelAdapter;
  /** Makes the provider refuse the next send for good, or for now; absent where a provider cannot be made to. */
  failNext?: { permanent: () => void; transient: () => void };
}

const cases: Case[] = [
  {
    name: 'Twilio SMS',
    adapter: () => twilioSms({ accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.url, defaultFrom: null, statusCallbackUrl: 'https://x.test/webhooks/twilio/status' }),
    unreachable: () => twilioSms({ accountSid: 'AC', authToken: 't', apiBaseUrl: 'http://127.0.0.1:9', defaultFrom: null, statusCallbackUrl: 'x' }),
    to: '+14155550991',
    from: '+14155550990',
    failNext: {
      permanent: () => twilio.nextSends.push(twilioError(21211, "The 'To' number is not a valid phone number.")),
      transient: () => twilio.nextSends.push({ status: 503, body: { code: 20500, message: 'unavailable', status: 503 } }),
    },
  },
  {
    name: 'WhatsApp Cloud API',
    adapter: () => metaWhatsApp({ token: graph.token, appSecret: 's', graphBaseUrl: graph.url, graphVersion: 'v21.0' }),
    unreachable: () => metaWhatsApp({ token: 't', appSecret: 's', graphBaseUrl: 'http://127.0.0.1:9', graphVersion: 'v21.0' }),
    to: '+14155550992',
    from: '109876543210',
    failNext: {
      permanent: () => graph.nextSends.push({ status: 400, body: { error: { message: 'Invalid parameter', code: 100 } } }),
      transient: () => graph.nextSends.push({ status: 429, body: { error: { message: 'Rate limit hit', code: 130429 } } }),
    },
  },
  {
    name: 'SMTP email',
    adapter: () => smtpEmail(`smtp://127.0.0.1:${smtp.port}`),
    unreachable: () => smtpEmail('smtp://127.0.0.1:9'),
    to: 'pat@example.com',
    from: 'inbox@frontdesk.test',
  },
  { name: 'simulator (sms)', adapter: () => simulatorAdapter('sms', smsAddressing), to: '+14155550993', from: null },
  { name: 'portal chat', adapter: () => portalAdapter, to: '8a7c1f4e-0000-4000-8000-00000000c0de', from: null },
];

describe.each(cases)('$name adapter', (c) => {
  it('sends and returns the provider\'s message id', async () => {
    const outcome = await c.adapter().send(envelope(c.to, c.from));
    expect(outcome).toEqual({ kind: 'sent', providerMessageId: expect.stringMatching(/\S{6,}/) });
  });

  it('tells permanent failures from transient ones', async (ctx) => {
    // Reason for the skip: SMTP and the simulator have no provider failure to inject here (SMTP's reply codes are mapped, and tested, in smtp.ts).
    if (!c.failNext) return ctx.skip('no provider failure to inject: SMTP reply codes are tested in smtp.ts; the simulator never fails'); // reason: see the line above
    const adapter = c.adapter();
    c.failNext.permanent();
    expect(await adapter.send(envelope(c.to, c.from))).toMatchObject({ kind: 'failed', permanent: true, reason: expect.any(String) });
    c.failNext.transient();
    expect(await adapter.send(envelope(c.to, c.from))).toMatchObject({ kind: 'failed', permanent: false });
  });

  it('answers "cannot reach the provider" as transient, never by throwing', async (ctx) => {
    // Reason for the skip: the simulator runs in-process and has no network to lose; every adapter that calls out has this case.
    if (!c.unreachable) return ctx.skip('the simulator runs in-process and has no network to lose'); // reason: see the line above
    const unreachable = c.unreachable();
    expect(await unreachable.send(envelope(c.to, c.from))).toMatchObject({ kind: 'failed', permanent: false });
  });
});

/**
 * The other half of the contract: an adapter whose provider calls back verifies the provider's
 * signature over the exact request and reads inbound messages and status reports from the
 * provider's wire format. A new provider with webhooks gets a row here.
 */
interface WebhookCase {
  name: string;
  adapter: () => ChannelAdapter;
  /** A provider call to `path` carrying `body`, signed as the provider signs it. */
  signed: (path: string, body: string) => WebhookRequest;
  /** Twilio signs the address it called as well as the body; Meta only the body. */
  signatureCoversUrl: boolean;
  inbound: { path: string; body: string; expected: WebhookEvents['inbound'] };
  status: { path: string; body: string; expected: WebhookEvents['statuses'] };
}

const publicUrl = 'https://clinic.frontdesk.test';
const twilioAuth = 'contract-auth-token';
const metaSecret = 'contract-app-secret';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const metaEvent = (value: object) => JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '14155550990', phone_number_id: '109876543210' }, ...value } }] }] });

const webhookCases: WebhookCase[] = [
  {
    name: 'Twilio SMS',
    adapter: () => twilioSms({ accountSid: 'AC1', authToken: twilioAuth, apiBaseUrl: 'http://127.0.0.1:9', defaultFrom: null, statusCallbackUrl: `${publicUrl}/webhooks/twilio/status` }),
    signatureCoversUrl: true,
    signed: (path, body) => ({
      url: publicUrl + path,
      headers: { 'x-twilio-signature': twilioSignature(twilioAuth, publicUrl + path, Object.fromEntries(new URLSearchParams(body))) },
      rawBody: Buffer.from(body),
    }),
    inbound: {
      path: '/webhooks/twilio/sms',
      body: form({ MessageSid: 'SM100', From: '+14155550142', To: '+14155550990', Body: 'Can I move my appointment?' }),
      expected: [{ account: { address: '+14155550990' }, message: { providerMessageId: 'SM100', from: '+14155550142', to: '+14155550990', body: 'Can I move my appointment?' } }],
    },
    status: {
      path: '/webhooks/twilio/status',
      body: form({ MessageSid: 'SM200', MessageStatus: 'undelivered', ErrorCode: '21610' }),
      expected: [{ providerMessageId: 'SM200', status: 'failed', errorCode: '21610', optedOut: true, reason: 'carrier reported undelivered (Twilio error 21610)' }],
    },
  },
  {
    name: 'WhatsApp Cloud API',
    adapter: () => metaWhatsApp({ token: 't', appSecret: metaSecret, graphBaseUrl: 'http://127.0.0.1:9', graphVersion: 'v21.0' }),
    signatureCoversUrl: false,
    signed: (path, body) => ({ url: publicUrl + path, headers: { 'x-hub-signature-256': metaSignature(metaSecret, body) }, rawBody: Buffer.from(body) }),
    inbound: {
      path: '/webhooks/whatsapp',
      body: metaEvent({ contacts: [{ wa_id: '14155550142', profile: { name: 'Ana' } }], messages: [{ from: '14155550142', id: 'wamid.1', timestamp: '1767225600', type: 'text', text: { body: 'Hola' } }] }),
      expected: [
        { account: { externalId: '109876543210' }, message: { providerMessageId: 'wamid.1', from: '+14155550142', to: '109876543210', body: 'Hola', name: 'Ana', at: new Date(1767225600 * 1000) } },
      ],
    },
    status: {
      path: '/webhooks/whatsapp',
      body: metaEvent({ statuses: [{ id: 'wamid.2', status: 'delivered', timestamp: '1767225601', recipient_id: '14155550142' }] }),
      expected: [{ providerMessageId: 'wamid.2', status: 'delivered', errorCode: undefined, reason: undefined }],
    },
  },
];

describe.each(webhookCases)('$name webhooks', (c) => {
  const webhooks = () => c.adapter().webhooks!;
  const route = (path: string) => webhooks().routes.find((r) => r.path === path)!;

  it('names its routes', () => {
    expect(webhooks().routes.map((r) => r.path)).toEqual(expect.arrayContaining([c.inbound.path, c.status.path]));
  });

  it('accepts a call signed as the provider signs it, and nothing else', () => {
    const call = c.signed(c.inbound.path, c.inbound.body);
    expect(webhooks().verify(call)).toBe(true);
    expect(webhooks().verify({ ...call, rawBody: Buffer.from(c.inbound.body.replace(/.$/, '!')) })).toBe(false);
    expect(webhooks().verify({ ...call, headers: {} })).toBe(false);
    expect(webhooks().verify({ ...call, url: `${publicUrl}/elsewhere` })).toBe(!c.signatureCoversUrl);
  });

  it('reads an inbound message in the provider\'s wire format', () => {
    expect(webhooks().parse(route(c.inbound.path), c.signed(c.inbound.path, c.inbound.body))).toEqual({ inbound: c.inbound.expected, statuses: [] });
  });

  it('reads a status report, the provider\'s opt-out code included', () => {
    expect(webhooks().parse(route(c.status.path), c.signed(c.status.path, c.status.body))).toEqual({ inbound: [], statuses: c.status.expected });
  });
});

describe('the routes a channel\'s providers call, as the registry picks them', () => {
  const routes = (env: Record<string, string>) => {
    const config = loadConfig({ DATABASE_URL: 'postgres://unused', ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), ...env });
    const channels = buildChannels(config, null as never);
    try {
      return channels.webhooks;
    } finally {
      channels.close();
    }
  };
  const of = (all: ChannelWebhooks[], channel: string) => all.find((w) => w.channel === channel)!;

  it('answers Meta\'s handshake with the challenge only for the configured verify token, whichever adapter sends', () => {
    for (const env of [{ WHATSAPP_VERIFY_TOKEN: 'verify-me' } as Record<string, string>, { WHATSAPP_VERIFY_TOKEN: 'verify-me', WHATSAPP_TOKEN: 't', WHATSAPP_APP_SECRET: 's' }]) {
      const [handshake] = of(routes(env), 'whatsapp').handshakes;
      expect(handshake.path).toBe('/webhooks/whatsapp');
      expect(handshake.answer({ 'hub.mode': 'subscribe', 'hub.verify_token': 'verify-me', 'hub.challenge': '1158201444' })).toBe('1158201444');
      expect(handshake.answer({ 'hub.mode': 'subscribe', 'hub.verify_token': 'nope', 'hub.challenge': '1' })).toBeNull();
      expect(handshake.answer({ 'hub.verify_token': 'verify-me', 'hub.challenge': '1' })).toBeNull();
    }
    expect(of(routes({}), 'whatsapp').handshakes[0].answer({ 'hub.mode': 'subscribe', 'hub.challenge': '1' })).toBeNull();
  });

  it('takes raw email only with EMAIL_WEBHOOK_TOKEN set, and only from a caller that sends it', () => {
    expect(of(routes({}), 'email').mail).toBeUndefined();
    const mail = of(routes({ EMAIL_WEBHOOK_TOKEN: 'email-hook-secret' }), 'email').mail!;
    expect(mail.path).toBe('/webhooks/email');
    expect(mail.verify({ 'x-webhook-token': 'email-hook-secret' })).toBe(true);
    expect(mail.verify({ 'x-webhook-token': 'email-hook-secreT' })).toBe(false);
    expect(mail.verify({})).toBe(false);
  });

  it('mounts the sending adapter\'s signed event routes, and none for the simulator', () => {
    expect(of(routes({}), 'sms').events).toBeUndefined();
    expect(of(routes({ TWILIO_ACCOUNT_SID: 'AC0', TWILIO_AUTH_TOKEN: 't' }), 'sms').events?.routes.length).toBeGreaterThan(0);
  });
});

/** Adapters that fetch an inbound message's files: each against its provider's media stand-in. */
interface MediaCase {
  name: string;
  adapter: () => ChannelAdapter;
  /** Puts a file at the provider and gives the reference its webhook would carry. */
  put: (bytes: Buffer, contentType: string) => string;
  /** A reference the provider does not know (deleted, expired). */
  missing: () => string;
  /** Makes the provider fail the next fetch for now. */
  failNext: () => void;
}

const mediaCases: MediaCase[] = [
  {
    name: 'Twilio SMS',
    adapter: () => twilioSms({ accountSid: twilio.accountSid, authToken: twilio.authToken, apiBaseUrl: twilio.url, defaultFrom: null, statusCallbackUrl: 'x' }),
    put: (bytes, type) => twilio.addMedia('MM00000000000000000000000000000c01', bytes, type),
    missing: () => `${twilio.url}/2010-04-01/Accounts/${twilio.accountSid}/Messages/MM00000000000000000000000000000c01/Media/ME00000000000000000000000000000000`,
    failNext: () => twilio.nextMedia.push({ status: 503, body: { code: 20500, message: 'unavailable', status: 503 } }),
  },
  {
    name: 'Meta WhatsApp',
    adapter: () => metaWhatsApp({ token: graph.token, appSecret: 'x', graphBaseUrl: graph.url, graphVersion: 'v21.0' }),
    put: (bytes, type) => graph.addMedia(bytes, type),
    missing: () => '424242',
    failNext: () => graph.nextMediaLookups.push({ status: 500, body: { error: { message: 'An unknown error occurred', code: 1 } } }),
  },
];

describe.each(mediaCases)('$name inbound media', (c) => {
  const bytes = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

  it('fetches a file by the reference its webhook carries', async () => {
    expect(await c.adapter().fetchMedia!({ reference: c.put(bytes, 'image/png') }, 1024)).toEqual({ kind: 'fetched', content: bytes });
  });

  it('stops at the limit without reading on', async () => {
    expect(await c.adapter().fetchMedia!({ reference: c.put(Buffer.alloc(4096, 1), 'video/mp4') }, 1024)).toEqual({ kind: 'too_large', bytes: 4096 });
  });

  it('says a file the provider no longer has is gone, and throws for a failure that may pass', async () => {
    expect(await c.adapter().fetchMedia!({ reference: c.missing() }, 1024)).toMatchObject({ kind: 'gone' });
    c.failNext();
    await expect(c.adapter().fetchMedia!({ reference: c.put(bytes, 'image/png') }, 1024)).rejects.toThrow(/HTTP 50\d/);
  });
});
