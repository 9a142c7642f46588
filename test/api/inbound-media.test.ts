/**
 * M11, S3, S4: patients' photos and files as Twilio and Meta deliver them. The webhooks are signed
 * as the providers sign them; the files are fetched from local servers speaking Twilio's media
 * store (basic auth, redirect to another origin) and the Graph media API (bearer token, media id →
 * URL → bytes). The files are real ones (test/fixtures/media/README.md says where each is from).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { processInboundEvent } from '../../src/channels/process-inbound.js';
import type { FakeGraph } from '../fakes/graph.js';
import { twilioError, type FakeTwilio } from '../fakes/twilio.js';
import { eventually, type Org, type TestContext } from '../helpers.js';
import { setupProviders, type Providers } from '../providers.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/media/${name}`, import.meta.url));
const photo = fixture('photo.jpg');
const logo = fixture('logo.png');
const pdf = fixture('spec.pdf');

let ctx: TestContext;
let twilio: FakeTwilio;
let graph: FakeGraph;
let org: Org;
let providers: Providers;

beforeAll(async () => {
  providers = await setupProviders('Photo Dental');
  ({ ctx, twilio, graph, org } = providers);
});

let sidCounter = 0;
const messageSid = () => `MM${String(Date.now()).padStart(16, '0')}${String(sidCounter++).padStart(16, '0')}`;

/**
 * An incoming MMS as Twilio posts it (the fields of twilio.com/docs/messaging/guides/webhook-request:
 * NumMedia, then MediaUrl{N} and MediaContentType{N} per file).
 */
function mms(sid: string, from: string, body: string, files: { url: string; type: string }[]) {
  const form: Record<string, string> = {
    ToCountry: 'US', ToState: 'CA', SmsMessageSid: sid, NumMedia: String(files.length), ToCity: 'SAN FRANCISCO', FromZip: '94105', SmsSid: sid,
    FromState: 'CA', FromCity: 'SAN FRANCISCO', Body: body, FromCountry: 'US', ToZip: '94105', MessageSid: sid, From: from,
  };
  files.forEach((f, n) => {
    form[`MediaUrl${n}`] = f.url;
    form[`MediaContentType${n}`] = f.type;
  });
  return providers.twilioWebhook(form);
}

/** A WhatsApp message as Meta's webhook carries it (developers.facebook.com, webhooks reference, "messages": image, document, video). */
const whatsapp = (from: string, message: Record<string, unknown>) =>
  providers.whatsappWebhook(from, 'Wanda Patient', { id: `wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA${sidCounter++}`, ...message });

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
    expect(messages[0].body).toBe('(photo)');
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
