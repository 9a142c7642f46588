/**
 * M11, S3, S4: patients' photos and files as Twilio and Meta deliver them. The webhooks are signed
 * as the providers sign them; the files are fetched from local servers speaking Twilio's media
 * store (basic auth, redirect to another origin) and the Graph media API (bearer token, media id →
 * URL → bytes). The files are real ones (test/fixtures/media/README.md says where each is from).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processInboundEvent } from '../../src/channels/process-inbound.js';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { metaSignature } from '../../src/channels/whatsapp/meta.js';
import { FakeGraph } from '../fakes/graph.js';
import { FakeTwilio, twilioError } from '../fakes/twilio.js';
import { eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/media/${name}`, import.meta.url));
const photo = fixture('photo.jpg');
const logo = fixture('logo.png');
const pdf = fixture('spec.pdf');

const publicUrl = 'https://frontdesk.test';
const appSecret = 'meta-app-secret';
const phoneNumberId = '106540352242922';
let ctx: TestContext;
let twilio: FakeTwilio;
let graph: FakeGraph;
let org: Org;
let clinicNumber: string;

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  graph = await new FakeGraph().start();
  ctx = await setupApp(
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
  org = await signupOrg(ctx.app, 'Photo Dental');
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
  clinicNumber = (await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415')).body.items[0].phoneNumber;
  expect((await org.owner.post('/api/v1/sms-inbox', { phoneNumber: clinicNumber })).status).toBe(201);
  expect((await org.owner.request('PUT', '/api/v1/channels/whatsapp', { phoneNumberId, phoneNumber: '+1 415 555 0900' })).status).toBe(200);
});
afterAll(async () => {
  await twilio.stop();
  await graph.stop();
});

let sidCounter = 0;
const messageSid = () => `MM${String(Date.now()).padStart(16, '0')}${String(sidCounter++).padStart(16, '0')}`;

/**
 * An incoming MMS as Twilio posts it (the fields of twilio.com/docs/messaging/guides/webhook-request:
 * NumMedia, then MediaUrl{N} and MediaContentType{N} per file), signed over PUBLIC_URL and the fields.
 */
function mms(sid: string, from: string, body: string, files: { url: string; type: string }[]) {
  const form: Record<string, string> = {
    ToCountry: 'US', ToState: 'CA', SmsMessageSid: sid, NumMedia: String(files.length), ToCity: 'SAN FRANCISCO', FromZip: '94105', SmsSid: sid,
    FromState: 'CA', SmsStatus: 'received', FromCity: 'SAN FRANCISCO', Body: body, FromCountry: 'US', To: clinicNumber, ToZip: '94105',
    NumSegments: '1', MessageSid: sid, AccountSid: twilio.accountSid, From: from, ApiVersion: '2010-04-01',
  };
  files.forEach((f, n) => {
    form[`MediaUrl${n}`] = f.url;
    form[`MediaContentType${n}`] = f.type;
  });
  const path = '/webhooks/twilio/sms';
  return ctx.app.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, publicUrl + path, form) },
    payload: new URLSearchParams(form).toString(),
  });
}

/** A WhatsApp message as Meta's webhook carries it (developers.facebook.com, webhooks reference, "messages": image, document, video). */
function whatsapp(from: string, message: Record<string, unknown>) {
  const raw = JSON.stringify({
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: {
      messaging_product: 'whatsapp',
      metadata: { display_phone_number: '14155550900', phone_number_id: phoneNumberId },
      contacts: [{ profile: { name: 'Wanda Patient' }, wa_id: from }],
      messages: [{ from, id: `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA${sidCounter++}`, timestamp: String(Math.floor(ctx.clock.now().getTime() / 1000)), ...message }],
    } }] }],
  });
  return ctx.app.inject({ method: 'POST', url: '/webhooks/whatsapp', headers: { 'content-type': 'application/json', 'x-hub-signature-256': metaSignature(appSecret, raw) }, payload: raw });
}

/** The patient's one message in their thread, once the worker filed it. */
async function filed(phone: string) {
  return eventually(async () => {
    const [item] = (await org.owner.get(`/api/v1/conversations?q=${encodeURIComponent(phone.slice(-7))}`)).body.items;
    expect(item).toBeDefined();
    const thread = (await org.owner.get(`/api/v1/conversations/${item.id}`)).body;
    expect(thread.messages.length).toBeGreaterThan(0);
    return { conversation: item, messages: thread.messages as any[] };
  });
}

const download = (id: string) => org.owner.get(`/api/v1/attachments/${id}`);

describe('Twilio MMS (M11, S3)', () => {
  it('fetches a photo-only MMS through Twilio\'s redirect, checks it by its bytes and keeps it encrypted on the message', async () => {
    const sid = messageSid();
    const url = twilio.addMedia(sid, photo, 'image/jpeg');
    expect((await mms(sid, '+14155550171', '', [{ url, type: 'image/jpeg' }])).statusCode).toBe(200);
    const { messages } = await filed('+14155550171');
    expect(messages).toHaveLength(1);
    expect(messages[0].body).not.toMatch(/empty message/);
    expect(messages[0].attachments).toEqual([expect.objectContaining({ contentType: 'image/jpeg', size: photo.length, filename: 'photo-1.jpg' })]);
    // Twilio's API saw the account's basic auth; its store (another origin) saw none, as S3 requires.
    expect(twilio.requests.some((r) => r.path.includes(`/Messages/${sid}/Media/`))).toBe(true);
    expect(twilio.storeRequests.at(-1)).toMatchObject({ authorization: undefined });
    const file = await download(messages[0].attachments[0].id);
    expect(file.status).toBe(200);
    expect(file.headers['content-type']).toBe('image/jpeg');
    // At rest the file is sealed: its plain bytes appear nowhere on disk.
    const row = await ctx.deps.db.query.attachments.findFirst({ where: (t, { eq }) => eq(t.id, messages[0].attachments[0].id) });
    const onDisk = readFileSync(`${ctx.deps.config.attachmentsDir}/${row!.storageKey}`);
    expect(onDisk.includes(photo.subarray(0, 64))).toBe(false);
  });

  it('keeps the text and every file of a multi-photo MMS, and says which file was not kept and why', async () => {
    const sid = messageSid();
    const files = [
      { url: twilio.addMedia(sid, photo, 'image/jpeg'), type: 'image/jpeg' },
      { url: twilio.addMedia(sid, logo, 'image/png'), type: 'image/png' },
      // An executable sent as if it were a picture: its bytes give it away.
      { url: twilio.addMedia(sid, Buffer.from('7f454c4602010100000000000000000003003e00', 'hex'), 'image/gif'), type: 'image/gif' },
      { url: twilio.addMedia(sid, Buffer.alloc(26 * 1024 * 1024, 1), 'video/mp4'), type: 'video/mp4' },
    ];
    expect((await mms(sid, '+14155550172', 'my rash, front and back', files)).statusCode).toBe(200);
    const { messages } = await filed('+14155550172');
    expect(messages).toHaveLength(1);
    expect(messages[0].attachments.map((a: any) => a.contentType).sort()).toEqual(['image/jpeg', 'image/png']);
    expect(messages[0].body).toContain('my rash, front and back');
    expect(messages[0].body).toContain('a 26 MB video was not kept: over the 25 MB limit');
    expect(messages[0].body).toMatch(/\[attachment "file-3.elf" not kept: not an image, PDF or document we accept\]/);
  });

  it('tries a failed download again with backoff, and files the message once, with its photo once', async () => {
    const sid = messageSid();
    const url = twilio.addMedia(sid, photo, 'image/jpeg');
    twilio.nextMedia.push(twilioError(20500, 'Internal Server Error', 500));
    const webhook = await mms(sid, '+14155550173', 'is this infected?', [{ url, type: 'image/jpeg' }]);
    expect(webhook.statusCode).toBe(200);
    // Twilio retries a webhook it thinks failed: the repeat changes nothing.
    expect((await mms(sid, '+14155550173', 'is this infected?', [{ url, type: 'image/jpeg' }])).statusCode).toBe(200);
    const { messages } = await filed('+14155550173');
    expect(messages).toHaveLength(1);
    expect(messages[0]).toMatchObject({ body: 'is this infected?', attachments: [expect.objectContaining({ contentType: 'image/jpeg' })] });
    expect(twilio.requests.filter((r) => r.path.includes(`/Messages/${sid}/Media/`))).toHaveLength(2);
    expect(await ctx.deps.db.query.attachments.findMany({ where: (t, { eq }) => eq(t.messageId, messages[0].id) })).toHaveLength(1);
  }, 30_000);

  it('on the last try files the message anyway, saying the photo could not be fetched', async () => {
    const sid = messageSid();
    const url = twilio.addMedia(sid, photo, 'image/jpeg');
    const down = () => twilioError(20500, 'Internal Server Error', 500);
    twilio.nextMedia.push(down(), down(), down());
    expect((await mms(sid, '+14155550174', 'see photo', [{ url, type: 'image/jpeg' }])).statusCode).toBe(200);
    // The worker's first try failed; the queue's last one (ten tries and hours later) is run here at once.
    await eventually(async () => expect(twilio.requests.filter((r) => r.path.includes(`/Messages/${sid}/Media/`)).length).toBeGreaterThan(0));
    const event = await ctx.deps.db.query.inboundEvents.findFirst({ where: (t, { eq }) => eq(t.providerMessageId, sid) });
    await processInboundEvent(ctx.deps, event!.id, { lastTry: true });
    twilio.nextMedia.length = 0;
    const { messages } = await filed('+14155550174');
    expect(messages).toHaveLength(1);
    expect(messages[0].body).toBe('see photo\n[a photo could not be fetched from the provider: it answered HTTP 500 on every try]');
    expect(messages[0].attachments).toEqual([]);
  });
});

describe('WhatsApp media (S4)', () => {
  it('fetches an image by its media id with the token, and keeps the caption as the text', async () => {
    const id = graph.addMedia(photo, 'image/jpeg');
    expect((await whatsapp('14155550181', { type: 'image', image: { caption: 'the swelling this morning', mime_type: 'image/jpeg', sha256: 'WO+dsL7ZOPqYNgcbZafZLs7c3gD3LHM1pbZ5zNIx8DQ=', id } })).statusCode).toBe(200);
    const { messages } = await filed('+14155550181');
    expect(messages).toEqual([expect.objectContaining({ body: 'the swelling this morning', attachments: [expect.objectContaining({ contentType: 'image/jpeg', size: photo.length })] })]);
    expect(graph.downloads).toContain(id);
  });

  it('keeps a document under its own name', async () => {
    const id = graph.addMedia(pdf, 'application/pdf');
    await whatsapp('14155550182', { type: 'document', document: { caption: 'referral letter', filename: 'referral.pdf', mime_type: 'application/pdf', sha256: 'x', id } });
    const { messages } = await filed('+14155550182');
    expect(messages[0]).toMatchObject({ body: 'referral letter', attachments: [expect.objectContaining({ filename: 'referral.pdf', contentType: 'application/pdf' })] });
  });

  it('does not download a video over the limit, and says so on the message', async () => {
    const id = graph.addMedia(Buffer.from('not fetched'), 'video/mp4', 40 * 1024 * 1024);
    await whatsapp('14155550183', { type: 'video', video: { mime_type: 'video/mp4', sha256: 'x', id } });
    const { messages } = await filed('+14155550183');
    expect(messages[0].attachments).toEqual([]);
    expect(messages[0].body).toBe('[a 40 MB video was not kept: over the 25 MB limit]');
    expect(graph.downloads).not.toContain(id);
  });

  it('says so when WhatsApp no longer has the file', async () => {
    await whatsapp('14155550184', { type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'x', id: '999999999', animated: false } });
    const { messages } = await filed('+14155550184');
    expect(messages[0].body).toBe('[a photo could not be fetched from the provider: WhatsApp no longer has it]');
  });
});

describe('a photo in the record (M11)', () => {
  it('is in the FHIR export as the message\'s attachment, with a signed link', async () => {
    const { conversation } = await filed('+14155550181');
    const res = await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Communication?subject=Patient/${conversation.contact.id}`, headers: { cookie: org.owner.auth.cookie! } });
    const resources = res.json().entry.map((e: any) => e.resource);
    const message = resources.find((r: any) => r.partOf);
    expect(message.payload).toEqual([
      { contentString: 'the swelling this morning' },
      { contentAttachment: expect.objectContaining({ contentType: 'image/jpeg', size: photo.length, url: expect.stringMatching(/\/api\/v1\/files\/[\w-]+\?expires=\d+&signature=/) }) },
    ]);
  });
});
