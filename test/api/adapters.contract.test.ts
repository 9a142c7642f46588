/**
 * S5: one contract, every adapter. Each provider's adapter is driven against a local server that
 * speaks that provider's protocol; the simulator needs none. A new adapter gets a row here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { smtpEmail } from '../../src/channels/email/smtp.js';
import { simulatorAdapter } from '../../src/channels/simulator/adapters.js';
import { twilioSms } from '../../src/channels/sms/twilio.js';
import type { ChannelAdapter, OutboundEnvelope } from '../../src/channels/types.js';
import { metaWhatsApp } from '../../src/channels/whatsapp/meta.js';
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
  { name: 'simulator (sms)', adapter: () => simulatorAdapter('sms'), to: '+14155550993', from: null },
];

describe.each(cases)('$name adapter', (c) => {
  it('sends and returns the provider\'s message id', async () => {
    const outcome = await c.adapter().send(envelope(c.to, c.from));
    expect(outcome).toEqual({ kind: 'sent', providerMessageId: expect.stringMatching(/\S{6,}/) });
  });

  it('tells permanent failures from transient ones', async (ctx) => {
    if (!c.failNext) return ctx.skip(); // SMTP and the simulator have no failure to inject here; SMTP's codes are mapped in smtp.ts
    const adapter = c.adapter();
    c.failNext.permanent();
    expect(await adapter.send(envelope(c.to, c.from))).toMatchObject({ kind: 'failed', permanent: true, reason: expect.any(String) });
    c.failNext.transient();
    expect(await adapter.send(envelope(c.to, c.from))).toMatchObject({ kind: 'failed', permanent: false });
  });

  it('answers "cannot reach the provider" as transient, never by throwing', async (ctx) => {
    if (!c.unreachable) return ctx.skip(); // the simulator has no network to lose
    const unreachable = c.unreachable();
    expect(await unreachable.send(envelope(c.to, c.from))).toMatchObject({ kind: 'failed', permanent: false });
  });
});
