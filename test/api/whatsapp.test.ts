import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metaSignature } from '../../src/channels/whatsapp/meta.js';
import { FakeGraph } from '../fakes/graph.js';
import { eventually, expectProblem, setupApp, signIn, signupOrg, type Org, type TestContext } from '../helpers.js';

const appSecret = 'meta-app-secret';
const phoneNumberId = '109876543210';
let ctx: TestContext;
let graph: FakeGraph;
let org: Org;

beforeAll(async () => {
  graph = await new FakeGraph().start();
  ctx = await setupApp(
    {
      WHATSAPP_TOKEN: graph.token,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_GRAPH_BASE_URL: graph.url,
      WHATSAPP_VERIFY_TOKEN: 'verify-me',
    },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'WhatsApp Dental');
  const connected = await org.owner.request('PUT', '/api/v1/channels/whatsapp', { phoneNumberId, phoneNumber: '+1 415 555 0900' });
  expect(connected.body.whatsapp).toMatchObject({ provider: 'meta', phoneNumberId, phoneNumber: '+14155550900' });
});
afterAll(() => graph.stop());

let counter = 0;
function event(value: Record<string, unknown>) {
  return { object: 'whatsapp_business_account', entry: [{ id: 'WABA', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '14155550900', phone_number_id: phoneNumberId }, ...value } }] }] };
}
const patientMessage = (from: string, body: string, id = `wamid.in${counter++}`) =>
  event({ contacts: [{ profile: { name: 'Wanda Patient' }, wa_id: from }], messages: [{ from, id, timestamp: String(Math.floor(ctx.clock.now().getTime() / 1000)), type: 'text', text: { body } }] });

async function post(body: unknown, signature?: string) {
  const raw = JSON.stringify(body);
  return ctx.app.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: { 'content-type': 'application/json', ...(signature === undefined ? { 'x-hub-signature-256': metaSignature(appSecret, raw) } : signature ? { 'x-hub-signature-256': signature } : {}) },
    payload: raw,
  });
}

describe('WhatsApp Cloud API (S4)', () => {
  it('answers Meta\'s verification handshake only with the right token', async () => {
    const ok = await ctx.app.inject({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1158201444' });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    expect((await ctx.app.inject({ method: 'GET', url: '/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1' })).statusCode).toBe(403);
  });

  it('refuses webhooks whose signature does not match the raw body', async () => {
    const body = patientMessage('14155550901', 'forged', 'wamid.forged');
    expect((await post(body, '')).statusCode).toBe(403);
    expect((await post(body, metaSignature('other-secret', JSON.stringify(body)))).statusCode).toBe(403);
    expect(await ctx.deps.db.query.inboundEvents.findMany({ where: (t, { eq }) => eq(t.providerMessageId, 'wamid.forged') })).toEqual([]);
  });

  it('takes a patient\'s message in once, replies inside the window, and follows sent/delivered/read', async () => {
    const body = patientMessage('14155550902', 'Hola, can I book a cleaning?', 'wamid.dup1');
    expect((await post(body)).statusCode).toBe(200);
    expect((await post(body)).statusCode).toBe(200);
    const [conversation] = await eventually(async () => {
      const items = (await org.owner.get('/api/v1/conversations?channel=whatsapp')).body.items;
      expect(items).toHaveLength(1);
      return items;
    });
    expect(conversation).toMatchObject({ channel: 'whatsapp', unread: true, contact: { name: 'Wanda Patient', phone: '+14155550902' } });
    expect((await org.owner.get(`/api/v1/conversations/${conversation.id}`)).body.messages).toHaveLength(1);

    const reply = await org.owner.post(`/api/v1/conversations/${conversation.id}/messages`, { body: 'Of course! Tuesday at 10?' });
    expect(reply.status).toBe(202);
    const request = await eventually(async () => {
      const r = graph.requests.find((q) => q.body.text?.body === 'Of course! Tuesday at 10?');
      expect(r).toBeDefined();
      return r!;
    });
    expect(request.path).toBe(`/v21.0/${phoneNumberId}/messages`);
    expect(request.body).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '14155550902', type: 'text', text: { preview_url: false, body: 'Of course! Tuesday at 10?' } });

    const wamid = await eventually(async () => {
      const m = await ctx.deps.db.query.messages.findFirst({ where: (t, { eq }) => eq(t.id, reply.body.id) });
      expect(m!.status).toBe('sent');
      return m!.providerMessageId!;
    });
    for (const status of ['delivered', 'read']) {
      await post(event({ statuses: [{ id: wamid, status, timestamp: '1', recipient_id: '14155550902' }] }));
    }
    const thread = (await org.owner.get(`/api/v1/conversations/${conversation.id}`)).body;
    expect(thread.messages.at(-1)).toMatchObject({ id: reply.body.id, status: 'read' });
  });

  it('outside the 24-hour window only a template may be sent', async () => {
    await post(patientMessage('14155550903', 'Thanks!'));
    const [conversation] = await eventually(async () => {
      const items = (await org.owner.get(`/api/v1/conversations?q=4155550903`)).body.items;
      expect(items).toHaveLength(1);
      return items;
    });
    ctx.clock.advance(25 * 3600_000);
    const owner = await signIn(ctx.app, org.me.user.email);
    expectProblem(await owner.post(`/api/v1/conversations/${conversation.id}/messages`, { body: 'Following up' }), 422, 'whatsapp_window_closed');
    const template = await owner.post(`/api/v1/conversations/${conversation.id}/messages`, {
      body: 'Appointment reminder (template)',
      whatsappTemplate: { name: 'appointment_reminder', language: 'en_US' },
    });
    expect(template.status).toBe(202);
    const sent = await eventually(async () => {
      const r = graph.requests.find((q) => q.body.type === 'template' && q.body.to === '14155550903');
      expect(r).toBeDefined();
      return r!;
    });
    expect(sent.body.template).toEqual({ name: 'appointment_reminder', language: { code: 'en_US' } });
    org.owner = owner;
  });

  it('marks a message failed with Meta\'s reason when the API refuses it', async () => {
    await post(patientMessage('14155550904', 'Hi'));
    const [conversation] = await eventually(async () => {
      const items = (await org.owner.get(`/api/v1/conversations?q=4155550904`)).body.items;
      expect(items).toHaveLength(1);
      return items;
    });
    graph.nextSends.push({ status: 400, body: { error: { message: '(#131026) Message undeliverable', type: 'OAuthException', code: 131026 } } });
    const reply = await org.owner.post(`/api/v1/conversations/${conversation.id}/messages`, { body: 'Hello' });
    const failed = await eventually(async () => {
      const m = (await org.owner.get(`/api/v1/conversations/${conversation.id}`)).body.messages.find((x: any) => x.id === reply.body.id);
      expect(m.status).toBe('failed');
      return m;
    });
    expect(failed.failureReason).toMatch(/undeliverable/);
  });
});
