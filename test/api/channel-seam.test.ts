/**
 * "A channel is an adapter and one line in the registry": an adapter nobody configured — a
 * throwaway one, built from the simulator — is registered in the SMS channel's place, and
 * delivery, status and the thread work with it untouched, addressing the patient as it says.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { buildChannels } from '../../src/channels/registry.js';
import { simulatorAdapter } from '../../src/channels/simulator/adapters.js';
import { smsAddressing } from '../../src/channels/sms/twilio.js';
import type { ChannelAdapter, OutboundEnvelope } from '../../src/channels/types.js';
import { eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
const handed: { adapter: string; envelope: OutboundEnvelope }[] = [];

/** The simulator's SMS, under another provider's name, keeping what it is handed and addressed as `addressing`. */
function throwaway(provider: string, addressing: ChannelAdapter['addressing']): ChannelAdapter {
  const base = simulatorAdapter('sms', addressing);
  return { ...base, provider, send: (envelope) => (handed.push({ adapter: provider, envelope }), base.send(envelope)) };
}

beforeAll(async () => {
  ctx = await setupApp({}, { worker: true });
  org = await signupOrg(ctx.app, 'Seam Clinic');
});

async function sendOn(adapter: ChannelAdapter, phone: string) {
  ctx.deps.channels = buildChannels(ctx.deps.config, ctx.deps.db, { sms: adapter });
  const res = await org.owner.post('/api/v1/conversations', { phone, channel: 'sms', clinicId: org.clinicId, body: 'Your crown is ready' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const { conversation, message } = res.body;
  const delivered = await eventually(async () => {
    const m = (await org.owner.get(`/api/v1/conversations/${conversation.id}`)).body.messages.find((x: any) => x.id === message.id);
    expect(m.status).toBe('delivered');
    return m;
  });
  return { delivered, conversation, contactId: conversation.contact?.id ?? conversation.contactId };
}

describe('a throwaway adapter registered for a channel', () => {
  it('is what delivery hands the message to, addressed as the adapter says', async () => {
    const { delivered } = await sendOn(throwaway('throwaway-sms', smsAddressing), '+14155550177');
    expect(delivered.body).toBe('Your crown is ready');
    expect(handed).toEqual([{ adapter: 'throwaway-sms', envelope: expect.objectContaining({ to: '+14155550177', from: null, body: 'Your crown is ready' }) }]);
  });

  it('addresses the patient by what the adapter asks for, not by the channel\'s name', async () => {
    handed.length = 0;
    const { contactId } = await sendOn(throwaway('by-contact-id', { to: 'contact', from: 'emailFrom' }), '+14155550178');
    expect(handed).toEqual([{ adapter: 'by-contact-id', envelope: expect.objectContaining({ to: contactId, from: ctx.deps.config.email.from }) }]);
    expect(contactId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe("a provider's word that the recipient unsubscribed", () => {
  it('opts the patient out of the channel the message went on, and no other', async () => {
    const base = simulatorAdapter('email', { to: 'email', from: 'emailFrom' });
    const refusing: ChannelAdapter = { ...base, provider: 'refusing-email', send: async () => ({ kind: 'failed', permanent: true, code: 'unsubscribed', reason: 'the recipient unsubscribed', optedOut: true }) };
    ctx.deps.channels = buildChannels(ctx.deps.config, ctx.deps.db, { email: refusing });
    const res = await org.owner.post('/api/v1/conversations', { email: 'gone@example.com', channel: 'email', clinicId: org.clinicId, body: 'Your crown is ready' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    const { conversation, message } = res.body;
    const thread = await eventually(async () => {
      const body = (await org.owner.get(`/api/v1/conversations/${conversation.id}`)).body;
      expect(body.messages.find((x: any) => x.id === message.id).status).toBe('failed');
      return body;
    });
    expect(thread.optedOut).toEqual({ sms: false, email: true, whatsapp: false });
  });
});
