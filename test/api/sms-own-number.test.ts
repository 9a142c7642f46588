/**
 * Issue 22: keep the number patients know. The main admin connects a number already in the
 * clinic's Twilio account (listed from its IncomingPhoneNumbers, in pages) instead of buying one;
 * its webhook is pointed here; disabling takes our webhook off and never releases the number.
 * Against the local Twilio stand-in, which keeps the account's numbers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { FakeTwilio, type FakeNumber } from '../fakes/twilio.js';
import { eventually, expectProblem, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const publicUrl = 'https://frontdesk.test';
const ourWebhook = `${publicUrl}/webhooks/twilio/sms`;
const podiumWebhook = 'https://hooks.podium.example/twilio/inbound?account=8812&token=s3cret-podium';
let ctx: TestContext;
let twilio: FakeTwilio;
let org: Org;
let mainLine: FakeNumber;

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  // More numbers than one page of Twilio's list, so the listing has to follow next_page_uri.
  for (let i = 0; i < 1001; i += 1) twilio.ownNumber(`+1628300${String(i).padStart(4, '0')}`, `Campaign line ${i}`);
  mainLine = twilio.ownNumber('+14155550177', 'Riverside main line', podiumWebhook);
  twilio.ownNumber('+14155550178', 'Fax', '', false);
  ctx = await setupApp(
    { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_API_BASE_URL: twilio.url, PUBLIC_URL: publicUrl },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Riverside Dental', { plan: 'accelerator' });
});
afterAll(() => twilio.stop());

function patientTexts(from: string, to: string, body: string, sid: string) {
  const form = { MessageSid: sid, AccountSid: twilio.accountSid, From: from, To: to, Body: body, NumMedia: '0' };
  return ctx.app.inject({
    method: 'POST',
    url: '/webhooks/twilio/sms',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, ourWebhook, form) },
    payload: new URLSearchParams(form).toString(),
  });
}

describe("connecting the clinic's own Twilio number (issue 22)", () => {
  it("lists the account's numbers, every page, and shows only the host of another vendor's webhook", async () => {
    const res = await org.owner.get('/api/v1/sms-inbox/owned-numbers');
    expect(res.status, JSON.stringify(res.body).slice(0, 300)).toBe(200);
    expect(res.body.items).toHaveLength(1003);
    expect(res.body.items).toContainEqual({ phoneNumber: '+14155550177', friendlyName: 'Riverside main line', smsCapable: true, currentWebhookHost: 'hooks.podium.example' });
    expect(res.body.items).toContainEqual(expect.objectContaining({ phoneNumber: '+14155550178', smsCapable: false }));
    expect(JSON.stringify(res.body)).not.toContain('s3cret-podium');
    expect(twilio.requests.filter((r) => r.method === 'GET' && r.path.startsWith('/IncomingPhoneNumbers.json')).length).toBeGreaterThanOrEqual(2);
  });

  it('is for the main admin on the Accelerator plan, and refuses numbers it cannot use', async () => {
    const admin = await org.addUser('admin');
    expectProblem(await admin.client.get('/api/v1/sms-inbox/owned-numbers'), 403, 'main_admin_only');
    expectProblem(await admin.client.post('/api/v1/sms-inbox/connect', { phoneNumber: '+14155550177' }), 403, 'main_admin_only');
    const pro = await signupOrg(ctx.app, 'Pro Only', { plan: 'pro' });
    expectProblem(await pro.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: '+14155550177' }), 402, 'plan_required');
    expectProblem(await org.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: '+14155550199' }), 404, 'not_found');
    expectProblem(await org.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: '+14155550178' }), 422, 'channel_unavailable');
    expectProblem(await org.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: 'not a number' }), 400, 'invalid_input');
    expect((await org.owner.get('/api/v1/sms-inbox')).body.enabled).toBe(false);
    expect(mainLine.sms_url).toBe(podiumWebhook);
  });

  it('connects the number: its webhook points here, the charge is a bought number’s, and texts go both ways on it', async () => {
    const res = await org.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: '(415) 555-0177' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ enabled: true, phoneNumber: '+14155550177', origin: 'brought' });
    expect(mainLine.sms_url).toBe(ourWebhook);
    expect(twilio.requests.find((r) => r.method === 'POST' && r.path === `/IncomingPhoneNumbers/${mainLine.sid}.json`)!.form).toEqual({ SmsUrl: ourWebhook, SmsMethod: 'POST' });
    expect(twilio.requests.filter((r) => r.method === 'POST' && r.path === '/IncomingPhoneNumbers.json')).toEqual([]);
    const charges = (await org.owner.get('/api/v1/billing/charges')).body.items;
    expect(charges).toEqual([expect.objectContaining({ amountCents: 500, interval: 'month', active: true })]);
    const audit = (await org.owner.get('/api/v1/audit?action=sms_inbox.connect')).body.items;
    expect(audit[0].details).toEqual({ phoneNumber: '+14155550177', previousWebhookHost: 'hooks.podium.example' });

    expect((await patientTexts('+14155550900', '+14155550177', 'Still the same number, great!', 'SMown1')).statusCode).toBeLessThan(300);
    const thread = await eventually(async () => {
      const list = await org.owner.get('/api/v1/conversations?q=%2B14155550900');
      expect(list.body.items).toHaveLength(1);
      return list.body.items[0];
    });
    const before = twilio.sends.length;
    expect((await org.owner.post(`/api/v1/conversations/${thread.id}/messages`, { channel: 'sms', body: 'It is!' })).status).toBe(202);
    const [send] = (await twilio.waitForSends(before + 1)).slice(before);
    expect(send.form).toMatchObject({ To: '+14155550900', From: '+14155550177' });

    // Another organization of the install never sees or takes it.
    const other = await signupOrg(ctx.app, 'Other Clinic', { plan: 'accelerator' });
    const theirs = await other.owner.get('/api/v1/sms-inbox/owned-numbers');
    expect(theirs.body.items.map((n: { phoneNumber: string }) => n.phoneNumber)).not.toContain('+14155550177');
    expectProblem(await other.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: '+14155550177' }), 409, 'conflict');
    expect(mainLine.sms_url).toBe(ourWebhook);
  });

  it('disabling takes our webhook off and never releases the number; it can be connected again', async () => {
    const disabled = await org.owner.post('/api/v1/sms-inbox/disable', { confirm: true });
    expect(disabled.body).toMatchObject({ enabled: false, phoneNumber: null });
    expect(twilio.requests.filter((r) => r.method === 'DELETE')).toEqual([]);
    expect(twilio.numbers.get(mainLine.sid)).toMatchObject({ phone_number: '+14155550177', sms_url: '' });
    expect((await org.owner.get('/api/v1/billing/charges')).body.items).toEqual([expect.objectContaining({ active: false })]);
    const audit = (await org.owner.get('/api/v1/audit?action=sms_inbox.disable')).body.items;
    expect(audit[0].details).toMatchObject({ phoneNumber: '+14155550177', origin: 'brought', released: false });

    expect((await org.owner.post('/api/v1/sms-inbox/connect', { phoneNumber: '+14155550177' })).status).toBe(201);
    expect(mainLine.sms_url).toBe(ourWebhook);
  });

  it('leaves the number alone when the clinic pointed it elsewhere meanwhile', async () => {
    mainLine.sms_url = 'https://hooks.newvendor.example/in';
    expect((await org.owner.post('/api/v1/sms-inbox/disable', { confirm: true })).status).toBe(200);
    expect(mainLine.sms_url).toBe('https://hooks.newvendor.example/in');
    expect(twilio.numbers.has(mainLine.sid)).toBe(true);
  });
});
