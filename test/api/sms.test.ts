import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { FakeTwilio, twilioError } from '../fakes/twilio.js';
import { eventually, expectProblem, setupApp, signupOrg, type Client, type Org, type TestContext } from '../helpers.js';

const publicUrl = 'https://frontdesk.test';
let ctx: TestContext;
let twilio: FakeTwilio;
let org: Org;
let clinicNumber: string;

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  ctx = await setupApp(
    {
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      PUBLIC_URL: publicUrl,
    },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Texting Dental');
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
  const numbers = await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415');
  clinicNumber = numbers.body.items[0].phoneNumber;
  expect((await org.owner.post('/api/v1/sms-inbox', { phoneNumber: clinicNumber })).status).toBe(201);
});
afterAll(() => twilio.stop());

/** Posts a Twilio webhook as Twilio would: form-encoded, signed over PUBLIC_URL + path and the sorted fields. */
async function webhook(path: string, form: Record<string, string>, signature = twilioSignature(twilio.authToken, publicUrl + path, form)) {
  return ctx.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
    payload: new URLSearchParams(form).toString(),
  });
}

let sidCounter = 0;
const patientTexts = (from: string, body: string, sid = `SMin${Date.now()}${sidCounter++}`) =>
  webhook('/webhooks/twilio/sms', { MessageSid: sid, AccountSid: twilio.accountSid, From: from, To: clinicNumber, Body: body, NumMedia: '0' });

const messageOf = async (client: Client, conversationId: string, messageId: string) =>
  (await client.get(`/api/v1/conversations/${conversationId}`)).body.messages.find((m: any) => m.id === messageId);

/** The `n`th text Twilio was asked to send to this number (waiting for it). */
const sentTo = (phone: string, n: number) =>
  eventually(async () => {
    const to = twilio.sends.filter((r) => r.form.To === phone);
    expect(to.length).toBeGreaterThanOrEqual(n);
    return to[n - 1];
  });

async function start(phone: string, body = 'Hello from the clinic') {
  const res = await org.owner.post('/api/v1/conversations', { phone, channel: 'sms', clinicId: org.clinicId, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { conversationId: res.body.conversation.id as string, messageId: res.body.message.id as string };
}

describe('the two-way SMS inbox (S1)', () => {
  it('bought the number through Twilio with our webhook, and charges $5 a month', async () => {
    const buy = twilio.requests.find((r) => r.path === '/IncomingPhoneNumbers.json')!;
    expect(buy.form).toMatchObject({ PhoneNumber: clinicNumber, SmsUrl: `${publicUrl}/webhooks/twilio/sms`, SmsMethod: 'POST' });
    expect((await org.owner.get('/api/v1/sms-inbox')).body).toMatchObject({ enabled: true, phoneNumber: clinicNumber });
    const charges = (await org.owner.get('/api/v1/billing/charges')).body.items;
    expect(charges).toEqual([expect.objectContaining({ amountCents: 500, interval: 'month', active: true })]);
    // Issue 17: the plan and billing page shows the number as a receptionist dials it, not raw E.164.
    const national = `(${clinicNumber.slice(2, 5)}) ${clinicNumber.slice(5, 8)}-${clinicNumber.slice(8)}`;
    expect(charges[0].description).toBe(`Two-way SMS inbox ${national}`);
  });

  it('is for the main admin alone, and needs the Accelerator plan', async () => {
    const admin = await org.addUser('admin');
    expectProblem(await admin.client.get('/api/v1/sms-inbox/available-numbers?areaCode=415'), 403, 'main_admin_only');
    expectProblem(await admin.client.post('/api/v1/sms-inbox/disable', { confirm: true }), 403, 'main_admin_only');
    const pro = await signupOrg(ctx.app, 'Pro Only');
    await pro.owner.request('PUT', '/api/v1/plan', { plan: 'pro' });
    const refused = await pro.owner.post('/api/v1/sms-inbox', { phoneNumber: '+14155550299' });
    expectProblem(refused, 402, 'plan_required');
    expect(refused.body).toMatchObject({ plan: 'accelerator', detail: expect.stringMatching(/Accelerator/) });
    expectProblem(await org.owner.post('/api/v1/sms-inbox', { phoneNumber: '+14155550298' }), 409, 'conflict');
    const taken = await signupOrg(ctx.app, 'Unlucky Dental');
    await taken.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
    const unavailable = await taken.owner.post('/api/v1/sms-inbox', { phoneNumber: '+14155559999' });
    expectProblem(unavailable, 502, 'provider_error');
    expect(unavailable.body.detail).toMatch(/not available/);
    expect((await taken.owner.get('/api/v1/sms-inbox')).body.enabled).toBe(false);
    expectProblem(await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=12'), 400, 'invalid_input');
  });
});

describe('outbound SMS through Twilio (S3)', () => {
  it('sends from the clinic number with a status callback, and follows the callbacks forward only', async () => {
    const before = twilio.sends.length;
    const { conversationId, messageId } = await start('+14155550801', 'Your crown is ready');
    const [send] = (await twilio.waitForSends(before + 1)).slice(before);
    expect(send.form).toEqual({ To: '+14155550801', From: clinicNumber, Body: 'Your crown is ready', StatusCallback: `${publicUrl}/webhooks/twilio/status` });
    const sent = await eventually(async () => {
      const m = await messageOf(org.owner, conversationId, messageId);
      expect(m.status).toBe('sent');
      return m;
    });
    const sid = (await ctx.deps.db.query.messages.findFirst({ where: (t, { eq }) => eq(t.id, sent.id) }))!.providerMessageId!;
    expect(sid).toMatch(/^SM/);

    expect((await webhook('/webhooks/twilio/status', { MessageSid: sid, MessageStatus: 'delivered' })).statusCode).toBe(204);
    expect((await messageOf(org.owner, conversationId, messageId)).status).toBe('delivered');
    await webhook('/webhooks/twilio/status', { MessageSid: sid, MessageStatus: 'sent' });
    expect((await messageOf(org.owner, conversationId, messageId)).status).toBe('delivered');
  });

  it('refuses unsigned and wrongly signed webhooks', async () => {
    const form = { MessageSid: 'SMx', MessageStatus: 'delivered' };
    const unsigned = await ctx.app.inject({ method: 'POST', url: '/webhooks/twilio/status', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: new URLSearchParams(form).toString() });
    expect(unsigned.statusCode).toBe(403);
    expect((await webhook('/webhooks/twilio/status', form, twilioSignature('wrong-token', `${publicUrl}/webhooks/twilio/status`, form))).statusCode).toBe(403);
    const signedForOtherUrl = twilioSignature(twilio.authToken, `${publicUrl}/webhooks/twilio/sms`, form);
    expect((await webhook('/webhooks/twilio/status', form, signedForOtherUrl)).statusCode).toBe(403);
  });

  it('accepts a signature over the address with its default port, as Twilio\'s libraries do', async () => {
    const form = { MessageSid: 'SMport', MessageStatus: 'delivered' };
    const signedWithPort = twilioSignature(twilio.authToken, 'https://frontdesk.test:443/webhooks/twilio/status', form);
    expect((await webhook('/webhooks/twilio/status', form, signedWithPort)).statusCode).toBe(204);
    const signedWithOtherPort = twilioSignature(twilio.authToken, 'https://frontdesk.test:8443/webhooks/twilio/status', form);
    expect((await webhook('/webhooks/twilio/status', form, signedWithOtherPort)).statusCode).toBe(403);
  });

  it('retries a provider outage with backoff and records each try', async () => {
    twilio.nextSends.push({ status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } });
    const { conversationId, messageId } = await start('+14155550802');
    await eventually(async () => expect((await messageOf(org.owner, conversationId, messageId)).status).toBe('sent'), 20_000);
    const attempts = await ctx.deps.db.query.deliveryAttempts.findMany({ where: (t, { eq }) => eq(t.messageId, messageId), orderBy: (t, { asc }) => asc(t.attempt) });
    expect(attempts.map((a) => [a.attempt, a.outcome, a.errorCode])).toEqual([
      [1, 'retry', '20500'],
      [2, 'sent', null],
    ]);
  });

  it('marks a message failed with Twilio\'s reason; 21610 also opts the contact out', async () => {
    twilio.nextSends.push(twilioError(21610, 'Attempt to send to unsubscribed recipient'));
    const { conversationId, messageId } = await start('+14155550803');
    const failed = await eventually(async () => {
      const m = await messageOf(org.owner, conversationId, messageId);
      expect(m.status).toBe('failed');
      return m;
    });
    expect(failed.failureReason).toMatch(/unsubscribed recipient.*21610/);
    const contact = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.contact;
    expect((await org.owner.get(`/api/v1/contacts/${contact.id}`)).body.optedOut.sms).toBe(true);
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'again?' }), 422, 'opted_out');
  });

  it('refuses landlines and invalid numbers with 422 and a code that says which', async () => {
    expectProblem(await org.owner.post('/api/v1/conversations', { phone: '+44 20 7183 8750', channel: 'sms', clinicId: org.clinicId, body: 'x' }), 422, 'landline');
    expectProblem(await org.owner.post('/api/v1/conversations', { phone: '555', channel: 'sms', clinicId: org.clinicId, body: 'x' }), 422, 'invalid_number');
  });
});

describe('inbound SMS (M2, S2, S3)', () => {
  it('a patient\'s text lands in the inbox once, however often Twilio retries the webhook', async () => {
    const sid = 'SMinbound-retry-1';
    const first = await patientTexts('+14155550811', 'Can I come at 4?', sid);
    expect(first.statusCode).toBe(200);
    expect(first.headers['content-type']).toMatch(/text\/xml/);
    await patientTexts('+14155550811', 'Can I come at 4?', sid);
    const list = await eventually(async () => {
      const items = (await org.owner.get(`/api/v1/conversations?q=${encodeURIComponent('+14155550811')}`)).body.items;
      expect(items).toHaveLength(1);
      return items;
    });
    const accepted = await ctx.deps.db.query.inboundEvents.findMany({ where: (t, { eq }) => eq(t.providerMessageId, sid) });
    expect(accepted).toHaveLength(1);
    expect(list[0]).toMatchObject({ unread: true, channel: 'sms', contact: { type: 'lead', phone: '+14155550811' } });
    const thread = (await org.owner.get(`/api/v1/conversations/${list[0].id}`)).body;
    expect(thread.messages.map((m: any) => m.body)).toEqual(['Can I come at 4?']);
  });

  it('STOP opts out with one confirmation naming the clinic; START opts back in', async () => {
    const first = await start('+14155550812');
    await eventually(async () => expect((await messageOf(org.owner, first.conversationId, first.messageId)).status).toBe('sent'));
    await patientTexts('+14155550812', 'Stop');
    const confirmation = await sentTo('+14155550812', 2);
    expect(confirmation.form.Body).toMatch(/^Texting Dental Main: .*unsubscribed.*START/);
    const conversationId = (await org.owner.get(`/api/v1/conversations?q=4155550812`)).body.items[0].id;
    await eventually(async () => expect((await org.owner.get('/api/v1/opt-outs')).body.items.map((c: any) => c.phone)).toContain('+14155550812'));
    expectProblem(await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Are you there?' }), 422, 'opted_out');
    const thread = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
    expect(thread.messages.at(-1).sender).toMatchObject({ type: 'campaign', name: 'Automatic replies' });

    await patientTexts('+14155550812', 'START');
    await eventually(async () => expect((await org.owner.get('/api/v1/opt-outs')).body.items.map((c: any) => c.phone)).not.toContain('+14155550812'));
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Welcome back' })).status).toBe(202);
  });

  it('HELP answers with the clinic and how to stop', async () => {
    await ctx.deps.db.execute(`update clinics set phone = '+14155550100' where id = '${org.clinicId}'` as never);
    await patientTexts('+14155550813', 'help');
    const reply = await sentTo('+14155550813', 1);
    expect(reply.form.Body).toMatch(/Texting Dental Main: .*\+14155550100.*STOP/);
  });

  // Advanced Opt-Out (twilio.com/docs/messaging/tutorials/advanced-opt-out): the incoming-message
  // webhook carries OptOutType for Twilio's words and a Messaging Service's custom ones, and Twilio
  // has already sent the patient the confirmation configured for it.
  const advancedOptOut = (from: string, body: string, optOutType: string) =>
    webhook('/webhooks/twilio/sms', {
      MessageSid: `SMopt${Date.now()}${sidCounter++}`, AccountSid: twilio.accountSid, MessagingServiceSid: 'MGtest0000000000000000000000000000',
      From: from, To: clinicNumber, Body: body, NumMedia: '0', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01', OptOutType: optOutType,
    });

  it('obeys Twilio\'s OptOutType for custom keywords in other languages, and sends no second confirmation', async () => {
    const sendsBefore = twilio.sends.length;
    await advancedOptOut('+14155550816', 'BAJA', 'STOP');
    await eventually(async () => expect((await org.owner.get('/api/v1/opt-outs')).body.items.map((c: any) => c.phone)).toContain('+14155550816'));
    await advancedOptOut('+14155550816', 'AYUDA', 'HELP');
    await advancedOptOut('+14155550816', 'ALTA', 'START');
    await eventually(async () => expect((await org.owner.get('/api/v1/opt-outs')).body.items.map((c: any) => c.phone)).not.toContain('+14155550816'));
    const conversationId = (await org.owner.get(`/api/v1/conversations?q=4155550816`)).body.items[0].id;
    const thread = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
    expect(thread.messages.map((m: any) => m.body)).toEqual(['BAJA', 'AYUDA', 'ALTA']);
    expect(twilio.sends.slice(sendsBefore).filter((r) => r.form.To === '+14155550816')).toEqual([]);
    const audit = (await org.owner.get('/api/v1/audit?limit=50')).body.items.map((e: any) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['contact.opt_out', 'contact.opt_in']));
  });

  it('a confirmation Twilio refuses with 21610 (it answered the STOP itself) is kept for the record but shown as no failed message', async () => {
    const first = await start('+14155550817');
    await eventually(async () => expect((await messageOf(org.owner, first.conversationId, first.messageId)).status).toBe('sent'));
    twilio.nextSends.push(twilioError(21610, 'Attempt to send to unsubscribed recipient'));
    await patientTexts('+14155550817', 'STOP');
    await sentTo('+14155550817', 2);
    const refused = await eventually(async () => {
      const row = await ctx.deps.db.query.messages.findFirst({ where: (t, { and, eq }) => and(eq(t.conversationId, first.conversationId), eq(t.hidden, true)) });
      expect(row).toMatchObject({ status: 'failed', failureReason: expect.stringContaining('21610') });
      return row!;
    });
    const thread = (await org.owner.get(`/api/v1/conversations/${first.conversationId}`)).body;
    expect(thread.messages.map((m: any) => m.body)).toEqual(['Hello from the clinic', 'STOP']);
    expect(thread.messages.some((m: any) => m.status === 'failed')).toBe(false);
    const [item] = (await org.owner.get(`/api/v1/conversations?q=4155550817`)).body.items;
    expect(item.lastMessage).toMatchObject({ preview: 'STOP', direction: 'inbound' });
    expect(refused.meta).toMatchObject({ keywordReply: true });
  });

  it('ignores texts to a number no organization owns', async () => {
    const res = await webhook('/webhooks/twilio/sms', { MessageSid: 'SMnobody', From: '+14155550814', To: '+14155559999', Body: 'hello?' });
    expect(res.statusCode).toBe(200);
    expect((await org.owner.get('/api/v1/conversations?q=4155550814')).body.items).toEqual([]);
  });
});

describe('SMS needs the inbox privilege (T3)', () => {
  it('hides SMS threads from a user without it and refuses their texts', async () => {
    const { conversationId } = await start('+14155550821');
    const receptionist = await org.addUser('receptionist', { privileges: ['send_messages'] });
    expect((await receptionist.client.get('/api/v1/conversations?status=all')).body.items.map((c: any) => c.id)).not.toContain(conversationId);
    expectProblem(await receptionist.client.get(`/api/v1/conversations/${conversationId}`), 403, 'missing_privilege');
    expectProblem(await receptionist.client.post('/api/v1/conversations', { phone: '+14155550822', channel: 'sms', clinicId: org.clinicId, body: 'x' }), 403, 'missing_privilege');
    expectProblem(await receptionist.client.get('/api/v1/sms-inbox'), 403, 'missing_privilege');
  });
});

describe('disabling the inbox (S1)', () => {
  it('needs confirmation, releases the number, hides the texts from everyone and ends the charge', async () => {
    const other = await signupOrg(ctx.app, 'Disabling Dental');
    await other.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
    const number = (await other.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=212')).body.items[1].phoneNumber;
    await other.owner.post('/api/v1/sms-inbox', { phoneNumber: number });
    const res = await other.owner.post('/api/v1/conversations', { phone: '+14155550831', channel: 'sms', clinicId: other.clinicId, body: 'A text' });
    const conversationId = res.body.conversation.id;

    expectProblem(await other.owner.post('/api/v1/sms-inbox/disable', {}), 400, 'invalid_input');
    expectProblem(await other.owner.post('/api/v1/sms-inbox/disable', { confirm: false }), 400, 'invalid_input');
    const disabled = await other.owner.post('/api/v1/sms-inbox/disable', { confirm: true });
    expect(disabled.body).toMatchObject({ enabled: false, phoneNumber: null });
    expect(twilio.requests.some((r) => r.method === 'DELETE' && r.path.startsWith('/IncomingPhoneNumbers/'))).toBe(true);
    expectProblem(await other.owner.get(`/api/v1/conversations/${conversationId}`), 404);
    expect((await other.owner.get('/api/v1/conversations?status=all')).body.items).toEqual([]);
    expect((await other.owner.get('/api/v1/billing/charges')).body.items[0]).toMatchObject({ active: false, endedAt: expect.any(String) });
    const audit = (await other.owner.get('/api/v1/audit?action=sms_inbox.disable')).body.items;
    expect(audit[0].details).toMatchObject({ hiddenMessages: 1, hiddenConversations: 1 });
    // Still in the database for the record.
    const kept = await ctx.deps.db.query.messages.findMany({ where: (t, { eq }) => eq(t.conversationId, conversationId) });
    expect(kept).toHaveLength(1);
    expectProblem(await other.owner.post('/api/v1/sms-inbox', { phoneNumber: number }), 409, 'conflict');
    // Issue 17 (seed 004): a number this organization released is never offered again.
    const offered = (await other.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=212')).body.items.map((n: { phoneNumber: string }) => n.phoneNumber);
    expect(offered.length).toBeGreaterThan(0);
    expect(offered).not.toContain(number);
    const fresh = offered[0];
    expect((await other.owner.post('/api/v1/sms-inbox', { phoneNumber: fresh })).status).toBe(201);
  });
});
