/**
 * Issue 15: no health information in clear anywhere at rest. A marked text goes in through every
 * way a message or note enters (SMS, WhatsApp, email by webhook and by SMTP, portal, guest page,
 * staff replies, a retraction, call notes, contact and booking notes, a prescription and cards); once the workers have filed
 * and sent everything, every text, JSON and binary column of every table (the job queue's included)
 * and every stored file is scanned for those texts.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import nodemailer from 'nodemailer';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { metaSignature } from '../../src/channels/whatsapp/meta.js';
import { FakeGraph } from '../fakes/graph.js';
import { CapturingSmtp } from '../fakes/smtp.js';
import { FakeTwilio } from '../fakes/twilio.js';
import { Client, eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const publicUrl = 'https://frontdesk.test';
const domain = 'mail.frontdesk.test';
const appSecret = 'meta-app-secret';
const phoneNumberId = '109876543299';

let ctx: TestContext;
let org: Org;
let twilio: FakeTwilio;
let graph: FakeGraph;
let relay: CapturingSmtp;
let raw: pg.Client;
let clinicNumber: string;

/** One word per way in: rare enough that no other value of the database holds it by chance. */
const marks = {
  sms: 'Quorvax',
  whatsapp: 'Brindlemoss',
  emailWebhook: 'Ulthane',
  emailWebhookSubject: 'Pelagrine',
  smtp: 'Cazzimbre',
  smtpSubject: 'Drovelith',
  smtpFile: 'Yarrowquist',
  portal: 'Mentholiad',
  guest: 'Fennoscar',
  guestReply: 'Glimmerode',
  staffReply: 'Harrowvane',
  retraction: 'Ixtabrine',
  correction: 'Jubblefen',
  callNotes: 'Kestrivane',
  contactNote: 'Lumbrigal',
  bookingNotes: 'Morvexine',
  prescription: 'Nortaflux',
  prescriptionDetails: 'Oppelwind',
  paymentCard: 'Pranzetel',
};

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  graph = await new FakeGraph().start();
  relay = await new CapturingSmtp().start();
  ctx = await setupApp(
    {
      PUBLIC_URL: publicUrl,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WHATSAPP_TOKEN: graph.token,
      WHATSAPP_APP_SECRET: appSecret,
      WHATSAPP_GRAPH_BASE_URL: graph.url,
      SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
      EMAIL_DOMAIN: domain,
      EMAIL_FROM: `inbox@${domain}`,
      INBOUND_SMTP_PORT: '0',
      EMAIL_WEBHOOK_TOKEN: 'email-hook-secret',
    },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Sealed Dental', { plan: 'accelerator' });
  clinicNumber = (await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415')).body.items[0].phoneNumber;
  expect((await org.owner.post('/api/v1/sms-inbox', { phoneNumber: clinicNumber })).status).toBe(201);
  expect((await org.owner.request('PUT', '/api/v1/channels/whatsapp', { phoneNumberId, phoneNumber: '+1 415 555 0990' })).status).toBe(200);
  raw = new pg.Client({ connectionString: ctx.database.url });
  await raw.connect();
});

afterAll(async () => {
  await raw?.end();
  await Promise.all([twilio?.stop(), graph?.stop(), relay?.stop()]);
});

async function twilioInbound(body: string) {
  const form = { MessageSid: `SM${Date.now()}`, AccountSid: twilio.accountSid, From: '+14155550991', To: clinicNumber, Body: body, NumMedia: '0' };
  const res = await ctx.app.inject({
    method: 'POST',
    url: '/webhooks/twilio/sms',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, `${publicUrl}/webhooks/twilio/sms`, form) },
    payload: new URLSearchParams(form).toString(),
  });
  expect(res.statusCode).toBe(200);
}

async function whatsappInbound(body: string) {
  const event = {
    object: 'whatsapp_business_account',
    entry: [{ id: 'WABA', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '14155550990', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'Wren Patient' }, wa_id: '14155550992' }],
      messages: [{ from: '14155550992', id: 'wamid.atrest1', timestamp: String(Math.floor(ctx.clock.now().getTime() / 1000)), type: 'text', text: { body } }],
    } }] }],
  };
  const payload = JSON.stringify(event);
  const res = await ctx.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(appSecret, payload) }, payload });
  expect(res.statusCode).toBe(200);
}

async function emailByWebhook() {
  const mime = [
    'From: Vera Patient <vera@example.com>',
    `To: ${org.me.clinics[0].slug}@${domain}`,
    `Subject: ${marks.emailWebhookSubject} question`,
    'Message-ID: <at-rest-1@example.com>',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `About my ${marks.emailWebhook} prescription`,
    '',
  ].join('\r\n');
  const res = await ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': 'email-hook-secret' }, payload: mime });
  expect(res.statusCode, res.body).toBe(202);
}

async function emailBySmtp() {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.runtime.smtp!.port, secure: false, ignoreTLS: true });
  await transport.sendMail({
    from: 'Sol Patient <sol@example.com>',
    to: `${org.me.clinics[0].slug}@${domain}`,
    subject: `${marks.smtpSubject} results`,
    text: `My ${marks.smtp} results came back`,
    attachments: [{ filename: `${marks.smtpFile}.txt`, content: `lab sheet ${marks.smtpFile}`, contentType: 'text/plain' }],
  });
  transport.close();
}

async function portalMessage(body: string) {
  const contact = await org.owner.post('/api/v1/contacts', { name: 'Pia Portal', email: 'pia-at-rest@example.com' });
  const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
  const token = new URL(invite.body.inviteUrl).hash.slice(1);
  const activated = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/activate', payload: { token, password: 'pia-portal-passphrase' } });
  const cookie = String(activated.headers['set-cookie']).split(';')[0];
  const patient = new Client(ctx.app, { cookie, csrf: activated.json().csrfToken });
  expect((await patient.request('PUT', '/api/v1/portal/preferences', { chatOptIn: true })).status).toBe(200);
  const started = await patient.post('/api/v1/portal/conversations', { clinicId: org.clinicId, body });
  expect(started.status, JSON.stringify(started.body)).toBe(201);
}

async function guestMessages() {
  const posted = await ctx.app.inject({
    method: 'POST',
    url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`,
    payload: { name: 'Gus Guest', email: 'gus-at-rest@example.com', body: `Is ${marks.guest} covered?` },
    remoteAddress: '198.51.100.90',
  });
  expect(posted.statusCode, posted.body).toBe(201);
  const token = new URL(posted.json().guestUrl).pathname.split('/')[2];
  const reply = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/threads/${token}/messages`, payload: { body: `And ${marks.guestReply} too?` }, remoteAddress: '198.51.100.90' });
  expect(reply.statusCode, reply.body).toBe(201);
}

/** Every column of every table, in every schema but PostgreSQL's own, that holds `needle`. */
async function columnsHolding(needle: string): Promise<string[]> {
  const { rows: columns } = await raw.query<{ schema: string; table: string; column: string; type: string }>(`
    select c.table_schema as schema, c.table_name as table, c.column_name as column, c.data_type as type
    from information_schema.columns c join information_schema.tables t using (table_schema, table_name)
    where t.table_type = 'BASE TABLE' and c.table_schema not in ('pg_catalog', 'information_schema')`);
  const found: string[] = [];
  for (const c of columns) {
    const name = `"${c.schema}"."${c.table}"."${c.column}"`;
    const where = c.type === 'bytea' ? `position(convert_to($1, 'UTF8') in "${c.column}") > 0` : `"${c.column}"::text ilike '%' || $1 || '%'`;
    const { rows } = await raw.query(`select 1 from "${c.schema}"."${c.table}" where ${where} limit 1`, [needle]);
    if (rows.length) found.push(name);
  }
  return found;
}

async function filesHolding(needle: string): Promise<string[]> {
  const dir = ctx.deps.config.attachmentsDir;
  const names = await fs.readdir(dir, { recursive: true }).catch(() => [] as string[]);
  const found: string[] = [];
  for (const name of names) {
    const file = path.join(dir, name);
    if ((await fs.stat(file)).isFile() && (await fs.readFile(file)).includes(Buffer.from(needle))) found.push(name);
  }
  return found;
}

describe('no health information in clear at rest (issue 15)', () => {
  it('a text sent through every way in is nowhere in the database or the files, once filed and sent', async () => {
    await twilioInbound(`Is my ${marks.sms} refill ready?`);
    await whatsappInbound(`Photo of my ${marks.whatsapp} rash`);
    await emailByWebhook();
    await emailBySmtp();
    await portalMessage(`My ${marks.portal} dose question`);
    await guestMessages();

    // The workers file every inbound message into a conversation.
    const threads = await eventually(async () => {
      const list = (await org.owner.get('/api/v1/conversations?limit=50')).body.items as { id: string; channel: string }[];
      expect(list.length).toBeGreaterThanOrEqual(6);
      return list;
    });
    const sms = threads.find((t) => t.channel === 'sms')!;
    const sent = await org.owner.post(`/api/v1/conversations/${sms.id}/messages`, { body: `Your ${marks.staffReply} refill is ready` });
    expect(sent.status).toBe(202);
    const retracted = await org.owner.post(`/api/v1/messages/${sent.body.id}/retract`, { reason: `wrong ${marks.retraction} dose`, correction: `Your ${marks.correction} refill is ready` });
    expect(retracted.status, JSON.stringify(retracted.body)).toBeLessThan(300);
    expect((await org.owner.post(`/api/v1/conversations/${sms.id}/calls`, { startedAt: '2026-03-01T10:00:00.000Z', durationSeconds: 60, direction: 'outbound', notes: `Talked about ${marks.callNotes}` })).status).toBe(201);
    const thread = (await org.owner.get(`/api/v1/conversations/${sms.id}`)).body;
    expect((await org.owner.post(`/api/v1/contacts/${thread.contact.id}/notes`, { body: `Allergic to ${marks.contactNote}` })).status).toBe(201);
    expect((await org.owner.post(`/api/v1/conversations/${sms.id}/bookings`, { startsAt: '2026-03-10T15:00:00.000Z', notes: `Bring ${marks.bookingNotes} list` })).status).toBe(201);
    const token = (await org.owner.post('/api/v1/api-tokens', { name: 'Practice system' })).body.token;
    const pms = new Client(ctx.app, { bearer: token });
    const rx = await pms.post('/api/v1/artifacts', { contactId: thread.contact.id, kind: 'prescription', externalId: 'RX-1', title: `${marks.prescription} 20 mg`, details: `Twice daily, ${marks.prescriptionDetails}` });
    expect(rx.status, JSON.stringify(rx.body)).toBe(201);
    expect((await org.owner.post(`/api/v1/conversations/${sms.id}/messages`, { card: { kind: 'prescription', artifactId: rx.body.id } })).status).toBe(202);
    expect((await org.owner.post(`/api/v1/conversations/${sms.id}/messages`, { card: { kind: 'payment_request', amountCents: 4500, title: `Co-pay for ${marks.paymentCard}` } })).status).toBe(202);
    // Delivery jobs run and finish (they are removed from the queue when done).
    await eventually(async () => expect(twilio.requests.filter((r) => r.path.endsWith('/Messages.json')).length).toBeGreaterThanOrEqual(4));

    // The product shows it all in the clear…
    const all = await Promise.all(threads.map(async (t) => JSON.stringify((await org.owner.get(`/api/v1/conversations/${t.id}`)).body)));
    for (const mark of [marks.sms, marks.whatsapp, marks.emailWebhook, marks.smtp, marks.portal, marks.guest, marks.guestReply]) {
      expect(all.some((t) => t.includes(mark)), mark).toBe(true);
    }

    // …and PostgreSQL and the disk hold none of it.
    const holding: Record<string, string[]> = {};
    for (const [way, mark] of Object.entries(marks)) {
      const where = [...(await columnsHolding(mark)), ...(await filesHolding(mark)).map((f) => `file ${f}`)];
      if (where.length) holding[way] = where;
    }
    expect(holding).toEqual({});
  }, 60_000);
});
