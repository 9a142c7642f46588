import { sql } from 'drizzle-orm';
import fc from 'fast-check';
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

describe('WhatsApp message types as Meta sends them', () => {
  const thread = async (phone: string) =>
    eventually(async () => {
      const [item] = (await org.owner.get(`/api/v1/conversations?q=${phone.slice(-7)}`)).body.items;
      expect(item).toBeDefined();
      return { id: item.id as string, messages: (await org.owner.get(`/api/v1/conversations/${item.id}`)).body.messages as any[] };
    });
  const from = (phone: string, message: Record<string, unknown>, id = `wamid.t${counter++}`) =>
    event({ contacts: [{ profile: { name: 'Rita Reacts' }, wa_id: phone }], messages: [{ from: phone, id, timestamp: String(Math.floor(ctx.clock.now().getTime() / 1000)), ...message }] });

  it('shows a patient\'s reaction as the emoji on our message, and takes it off when they remove it', async () => {
    await post(patientMessage('14155550910', 'Can I come at 3?'));
    const first = await thread('14155550910');
    const reply = await org.owner.post(`/api/v1/conversations/${first.id}/messages`, { body: 'Yes, see you at 3.' });
    const wamid = await eventually(async () => {
      const m = await ctx.deps.db.query.messages.findFirst({ where: (t, { eq }) => eq(t.id, reply.body.id) });
      expect(m!.providerMessageId).toBeTruthy();
      return m!.providerMessageId!;
    });
    // Meta's reaction webhook (webhooks reference, "reaction"): the emoji and the id of the message it is on.
    expect((await post(from('14155550910', { type: 'reaction', reaction: { message_id: wamid, emoji: '👍' } }))).statusCode).toBe(200);
    await eventually(async () => expect((await thread('14155550910')).messages.find((m: any) => m.id === reply.body.id).reaction).toBe('👍'));
    // At rest the emoji is sealed like the text.
    const { rows } = await ctx.deps.db.execute<{ patient_reaction: string | null }>(sql`select patient_reaction from messages where id = ${reply.body.id}`);
    expect(rows[0].patient_reaction).toMatch(/^(?!.*👍)./);
    // Removing it, WhatsApp sends the reaction without its emoji.
    await post(from('14155550910', { type: 'reaction', reaction: { message_id: wamid } }));
    await eventually(async () => expect((await thread('14155550910')).messages.find((m: any) => m.id === reply.body.id).reaction).toBeNull());
    // Neither reaction became a message of its own; both are audited.
    expect((await thread('14155550910')).messages).toHaveLength(2);
    const audit = await ctx.deps.db.query.auditLog.findMany({ where: (t, { eq }) => eq(t.subjectId, reply.body.id) });
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['message.react', 'message.unreact']));
  });

  it('files a location with its map link, a tapped button and a shared card as the patient sent them', async () => {
    await post(from('14155550911', { type: 'location', location: { address: '101 Forest Ave, Palo Alto, CA 94301', latitude: 37.44211676562361, longitude: -122.16155960083124, name: 'Philz Coffee' } }));
    await post(from('14155550911', { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'confirm', title: 'Confirm' } } }));
    await post(from('14155550911', { type: 'contacts', contacts: [{ name: { formatted_name: 'Barbara J. Johnson', first_name: 'Barbara' }, phones: [{ phone: '+1 (650) 555-1234', type: 'WORK' }] }] }));
    const bodies = await eventually(async () => {
      const messages = (await thread('14155550911')).messages.map((m: any) => m.body);
      expect(messages).toHaveLength(3);
      return messages;
    });
    expect(bodies).toEqual([
      expect.stringContaining('https://www.google.com/maps/search/?api=1&query=37.44211676562361,-122.16155960083124'),
      'Tapped: Confirm',
      'Shared a contact: Barbara J. Johnson\n+1 (650) 555-1234',
    ]);
  });

  it('answers a signed payload of any shape with 200 or 400, never a 500', async () => {
    const shape = fc.letrec((tie) => ({
      json: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null), fc.boolean(), fc.integer(), fc.string(),
        fc.array(tie('json'), { maxLength: 3 }),
        fc.dictionary(fc.constantFrom('object', 'entry', 'changes', 'field', 'value', 'metadata', 'phone_number_id', 'messages', 'statuses', 'from', 'id', 'type', 'text', 'body', 'image', 'reaction', 'message_id', 'emoji', 'location', 'contacts', 'interactive'), tie('json'), { maxKeys: 5 }),
      ),
    })).json;
    const withOurNumber = shape.map((value) => ({ object: 'whatsapp_business_account', entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: phoneNumberId }, messages: [value] } }] }] }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(shape, withOurNumber, fc.constant({ entry: 'not an array' }), fc.constant({ entry: [{ changes: { field: 'messages' } }] })), async (body) => {
        const res = await post(body);
        expect([200, 400]).toContain(res.statusCode);
      }),
      { numRuns: 150 },
    );
  });

  it('connects one of Meta\'s test numbers (+1 555 …), which no number plan lists', async () => {
    const sandbox = await signupOrg(ctx.app, 'Sandbox Dental');
    const res = await sandbox.owner.request('PUT', '/api/v1/channels/whatsapp', { phoneNumberId: '106540352242922', phoneNumber: '+1 555 078 3881' });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.whatsapp).toMatchObject({ phoneNumber: '+15550783881' });
    expectProblem(await sandbox.owner.request('PUT', '/api/v1/channels/whatsapp', { phoneNumberId: '106540352242923', phoneNumber: '555 0783' }), 400, 'invalid_input');
  });
});
