/**
 * An app wired to local stand-ins of both phone providers — Twilio (SMS, with its media store) and
 * Meta's Graph API (WhatsApp) — with one organization that has its SMS number and WhatsApp number,
 * and the two providers' webhooks posted as they sign them.
 */
import { afterAll, expect } from 'vitest';
import { twilioSignature } from '../src/channels/sms/twilio.js';
import { metaSignature } from '../src/channels/whatsapp/meta.js';
import { FakeGraph } from './fakes/graph.js';
import { FakeTwilio } from './fakes/twilio.js';
import { setupApp, signupOrg, type Org, type TestContext } from './helpers.js';

const publicUrl = 'https://frontdesk.test';
const appSecret = 'meta-app-secret';
/** The phone number id and WABA of Meta's webhook reference examples. */
export const phoneNumberId = '106540352242922';
const wabaId = '102290129340398';

/** What a webhook answered. */
export type WebhookAnswer = { statusCode: number; body: string };

export interface Providers {
  ctx: TestContext;
  twilio: FakeTwilio;
  graph: FakeGraph;
  org: Org;
  clinicNumber: string;
  /** Posts Twilio's incoming-message webhook with these fields (MessageSid, From, Body…), To the clinic's number, signed. */
  twilioWebhook(form: Record<string, string>): Promise<WebhookAnswer>;
  /** Posts Meta's messages webhook carrying one message from `waId`, signed with the app secret. */
  whatsappWebhook(waId: string, name: string, message: Record<string, unknown>): Promise<WebhookAnswer>;
}

export async function setupProviders(orgName: string): Promise<Providers> {
  const twilio = await new FakeTwilio().start();
  const graph = await new FakeGraph().start();
  const ctx = await setupApp(
    {
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_TOKEN: graph.token,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_GRAPH_BASE_URL: graph.url,
      PUBLIC_URL: publicUrl,
    },
    { worker: true },
  );
  afterAll(async () => {
    await twilio.stop();
    await graph.stop();
  });
  const org = await signupOrg(ctx.app, orgName, { plan: 'accelerator' });
  const clinicNumber: string = (await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415')).body.items[0].phoneNumber;
  expect((await org.owner.post('/api/v1/sms-inbox', { phoneNumber: clinicNumber })).status).toBe(201);
  expect((await org.owner.request('PUT', '/api/v1/channels/whatsapp', { phoneNumberId, phoneNumber: '+1 555 078 3881' })).status).toBe(200);

  const twilioWebhook = (fields: Record<string, string>) => {
    const form = { AccountSid: twilio.accountSid, To: clinicNumber, NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01', ...fields };
    const path = '/webhooks/twilio/sms';
    return ctx.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, publicUrl + path, form) },
      payload: new URLSearchParams(form).toString(),
    });
  };
  const whatsappWebhook = (waId: string, name: string, message: Record<string, unknown>) => {
    const value = {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name }, wa_id: waId }],
      messages: [{ from: waId, timestamp: String(Math.floor(ctx.clock.now().getTime() / 1000)), ...message }],
    };
    const raw = JSON.stringify({ object: 'whatsapp_business_account', entry: [{ id: wabaId, changes: [{ field: 'messages', value }] }] });
    return ctx.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(appSecret, raw) }, payload: raw });
  };
  return { ctx, twilio, graph, org, clinicNumber, twilioWebhook, whatsappWebhook };
}
