/** P1 guest inbox and P4's guest limit, over HTTP. */
import { createHash } from 'node:crypto';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redactPath } from '../../src/server.js';
import { CapturingSmtp } from '../fakes/smtp.js';
import { eventually, expectProblem, inbound, png, setupApp, signupOrg, uploadFile, type Org, type TestContext } from '../helpers.js';
import { linkQuery, signLink } from '../../src/attachments/links.js';

let ctx: TestContext;
let org: Org;
let slug: string;
const relay = new CapturingSmtp();
let ipCounter = 0;
/** Each test writes from its own address, so the per-address limit only bites where a test wants it to. */
const freshIp = () => `198.51.100.${++ipCounter}`;

beforeAll(async () => {
  await relay.start();
  ctx = await setupApp({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, GUEST_LIMIT_PER_IP: '4/3600', GUEST_LIMIT_PER_EMAIL: '3/3600' }, { worker: true });
  org = await signupOrg(ctx.app, 'Guest Clinic');
  slug = org.me.clinics[0].slug;
  // Unlimited guest conversations here; the limit has its own test below.
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'pro' });
});
afterAll(() => relay.stop());

async function post(body: Record<string, unknown>, opts: { ip?: string; clinic?: string } = {}) {
  const res = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${opts.clinic ?? slug}/messages`, payload: body, remoteAddress: opts.ip ?? freshIp() });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

const tokenOf = (guestUrl: string) => new URL(guestUrl).pathname.split('/')[2];

/** A GET with no session, as a problem-document-ready reply. */
async function raw(url: string) {
  const res = await ctx.app.inject({ method: 'GET', url });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

async function thread(token: string) {
  const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/public/threads/${token}/messages` });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

let n = 0;
const guest = (over: Record<string, unknown> = {}) => ({ name: 'Gina Guest', email: `gina${++n}@example.com`, body: `Do you take new patients? (${n})`, ...over });

describe('the public clinic page (P1)', () => {
  it('shows the clinic name, address, hours and the message form, without an account', async () => {
    await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { address: '12 Harbor St, Portland', phone: '+15035550100' });
    const res = await ctx.app.inject({ method: 'GET', url: `/c/${slug}` });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.body).toContain('Guest Clinic Main');
    expect(res.body).toContain('12 Harbor St, Portland');
    expect(res.body).toContain('Mon–Fri 8:00–17:00');
    for (const name of ['name', 'email', 'phone', 'body']) expect(res.body).toContain(`name="${name}"`);
    expect(res.headers['content-security-policy']).toMatch(/script-src 'self'/);
    expect((await ctx.app.inject({ method: 'GET', url: '/c/no-such-clinic' })).statusCode).toBe(404);
  });

  it('shows the opening hours the reply logic uses: one source (issue 17, defect 10)', async () => {
    const weekday = [{ open: '08:00', close: '17:00' }];
    const patched = await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { openingHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday, sat: [{ open: '09:00', close: '13:00' }] } });
    expect(patched.body.hours).toBe('Mon–Fri 8:00–17:00; Sat 9:00–13:00');
    expect((await ctx.app.inject({ method: 'GET', url: `/c/${slug}` })).body).toContain('Mon–Fri 8:00–17:00; Sat 9:00–13:00');
    // The free text that disagreed with them is gone.
    expectProblem(await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { hours: 'Sat 9–13' }), 400, 'invalid_input');
    await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { openingHours: { mon: weekday, tue: weekday, wed: weekday, thu: weekday, fri: weekday } });
  });

  it('works without JavaScript: the form post redirects to the private link, which shows the message', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/c/${slug}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ name: 'Nora Noscript', email: 'nora@example.com', phone: '', body: 'Can I book a cleaning?', website: '' }).toString(),
      remoteAddress: freshIp(),
    });
    expect(res.statusCode).toBe(303);
    const location = String(res.headers.location);
    expect(location).toMatch(/^\/g\/[A-Za-z0-9_-]{43}$/);
    const page = await ctx.app.inject({ method: 'GET', url: location });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Can I book a cleaning?');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('no-referrer');
  });

  it('shows a person what to fix when the form is incomplete', async () => {
    const res = await ctx.app.inject({
      method: 'POST',
      url: `/c/${slug}`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'name=Ann&email=&body=hello',
      remoteAddress: freshIp(),
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Please enter your email.');
    expect(res.body).toContain('value="Ann"');
  });
});

describe('posting a message (P1)', () => {
  it('creates the lead and a web conversation, and answers with a private link of 256 random bits stored only as a hash', async () => {
    const res = await post(guest({ name: 'Lena Lead', email: 'Lena@Example.com', phone: '(415) 555-0177', body: 'Hello, I have a toothache' }));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.guestUrl).toMatch(/^http:\/\/localhost:3000\/g\/[A-Za-z0-9_-]{43}$/);
    const token = tokenOf(res.body.guestUrl);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);

    const { rows } = await ctx.database.db.execute<{ token_hash: string }>(sql`select token_hash from guest_tokens`);
    expect(rows.map((r) => r.token_hash)).toContain(createHash('sha256').update(token).digest('hex'));
    expect(JSON.stringify(rows)).not.toContain(token);

    const list = await org.owner.get('/api/v1/conversations?channel=web');
    const conversation = list.body.items.find((c: any) => c.contact.email === 'lena@example.com');
    expect(conversation).toMatchObject({ channel: 'web', unread: true, contact: { name: 'Lena Lead', type: 'lead', phone: '+14155550177' } });
    expect(conversation.lastMessage.preview).toBe('Hello, I have a toothache');
  });

  it('reuses the contact of a known email, and a second message joins the open thread', async () => {
    const first = await post(guest({ email: 'repeat@example.com', body: 'First question' }));
    const second = await post(guest({ email: 'repeat@example.com', body: 'Second question' }));
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    const list = await org.owner.get('/api/v1/conversations?q=repeat@example.com');
    expect(list.body.items).toHaveLength(1);
    const detail = await org.owner.get(`/api/v1/conversations/${list.body.items[0].id}`);
    expect(detail.body.messages.map((m: any) => m.body)).toEqual(['First question', 'Second question']);
  });

  it('refuses bad input with the field that is wrong', async () => {
    expectProblem(await post({ name: 'X', email: 'not-an-email', body: 'hi' }), 400, 'invalid_input');
    expectProblem(await post({ name: 'X', email: 'x@example.com', body: '' }), 400, 'invalid_input');
    expectProblem(await post({ name: 'X', email: 'x@example.com', phone: 'call me', body: 'hi' }), 400, 'invalid_phone');
    expectProblem(await post(guest(), { clinic: 'nowhere' }), 404, 'not_found');
  });

  it('refuses a filled-in honeypot, keeping nothing', async () => {
    const before = await org.owner.get('/api/v1/conversations?status=all&limit=200');
    const res = await post(guest({ email: 'bot@example.com', website: 'http://spam.example' }));
    expectProblem(res, 400, 'spam_suspected');
    const after = await org.owner.get('/api/v1/conversations?status=all&limit=200');
    expect(after.body.items.length).toBe(before.body.items.length);
  });

  it('refuses the same message again within 10 minutes (409), and takes it after', async () => {
    const message = guest({ email: 'dup@example.com', body: 'Is parking free?' });
    expect((await post(message)).status).toBe(201);
    expectProblem(await post({ ...message, body: '  is PARKING free? ' }), 409, 'duplicate_message');
    ctx.clock.advance(11 * 60 * 1000);
    expect((await post(message)).status).toBe(201);
  });

  it('limits posts per client address (429 with Retry-After) while other addresses go on', async () => {
    const ip = freshIp();
    for (let i = 0; i < 4; i++) expect((await post(guest(), { ip })).status).toBe(201);
    const refused = await post(guest(), { ip });
    expectProblem(refused, 429, 'rate_limited');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect((await post(guest())).status).toBe(201);
  });

  it('limits posts per email address across client addresses', async () => {
    const email = 'busy@example.com';
    for (let i = 0; i < 3; i++) expect((await post(guest({ email }))).status).toBe(201);
    const refused = await post(guest({ email }));
    expectProblem(refused, 429, 'rate_limited');
    expect(refused.headers['retry-after']).toBeDefined();
  });
});

describe('the private link (P1)', () => {
  it('shows the clinic reply once staff answer, marks it read, and takes the guest reply into the same thread', async () => {
    const created = await post(guest({ name: 'Rita Reply', email: 'rita@example.com', body: 'Do you open on Saturdays?' }));
    const token = tokenOf(created.body.guestUrl);
    const list = await org.owner.get('/api/v1/conversations?q=rita@example.com');
    const conversationId = list.body.items[0].id;
    const detail = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(detail.body.availableChannels).toContain('web');

    const sent = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { channel: 'web', body: 'Yes, 9 to 12.' });
    expect(sent.status).toBe(202);
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages[1].status).toBe('sent'));

    const seen = await thread(token);
    expect(seen.status).toBe(200);
    expect(seen.body.messages.map((m: any) => [m.direction, m.body])).toEqual([
      ['inbound', 'Do you open on Saturdays?'],
      ['outbound', 'Yes, 9 to 12.'],
    ]);
    expect(seen.body.messages[1].from).toBe('Olive at Guest Clinic Main');
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages[1].status).toBe('read'));

    const reply = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/threads/${token}/messages`, payload: { body: 'Great, thanks!' } });
    expect(reply.statusCode).toBe(201);
    const after = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(after.body.messages.map((m: any) => m.body)).toEqual(['Do you open on Saturdays?', 'Yes, 9 to 12.', 'Great, thanks!']);
    expect(after.body.unread).toBe(true);
  });

  it('emails the guest a working link and no message content, unless the clinic allows a preview', async () => {
    const created = await post(guest({ name: 'Emma Email', email: 'emma@example.com', body: 'Question about my bill' }));
    const id = (await org.owner.get('/api/v1/conversations?q=emma@example.com')).body.items[0].id;
    await org.owner.post(`/api/v1/conversations/${id}/messages`, { channel: 'web', body: 'Your balance is 120 dollars' });
    const mail = await eventually(async () => {
      const m = relay.received.find((r) => r.rcptTo.includes('emma@example.com'));
      expect(m).toBeDefined();
      return m!.mail;
    });
    expect(mail.subject).toBe('Guest Clinic Main replied to your message');
    expect(mail.text).not.toContain('120 dollars');
    const link = /http:\/\/localhost:3000(\/g\/[A-Za-z0-9_-]{43})/.exec(mail.text ?? '')![1];
    expect(link).not.toBe(new URL(created.body.guestUrl).pathname);
    const page = await ctx.app.inject({ method: 'GET', url: link });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your balance is 120 dollars');

    await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { guestEmailPreview: true });
    await post(guest({ name: 'Pia Preview', email: 'pia@example.com', body: 'When is my appointment?' }));
    const pia = (await org.owner.get('/api/v1/conversations?q=pia@example.com')).body.items[0].id;
    await org.owner.post(`/api/v1/conversations/${pia}/messages`, { channel: 'web', body: 'Tuesday at 10' });
    const previewMail = await eventually(async () => {
      const m = relay.received.find((r) => r.rcptTo.includes('pia@example.com'));
      expect(m).toBeDefined();
      return m!.mail;
    });
    expect(previewMail.text).toContain('"Tuesday at 10"');
    await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { guestEmailPreview: false });
  });

  it('shows only what went through the link: typing a patient’s email into the form reveals none of their other messages', async () => {
    await inbound(org, 'My lab results please', '+14155550199', { name: 'Paula Patient' });
    const contact = (await org.owner.get('/api/v1/conversations?q=%2B14155550199')).body.items[0].contact;
    await org.owner.request('PUT', '/api/v1/plan', { plan: 'pro' });
    await org.owner.patch(`/api/v1/contacts/${contact.id}`, { email: 'paula@example.com' });
    const created = await post(guest({ name: 'Impostor', email: 'paula@example.com', body: 'Send me everything' }));
    expect(created.status).toBe(201);
    const seen = await thread(tokenOf(created.body.guestUrl));
    expect(seen.body.messages.map((m: any) => m.body)).toEqual(['Send me everything']);
  });

  it('lets the guest open files the clinic sent to their link, and no one else', async () => {
    const created = await post(guest({ name: 'Fiona File', email: 'fiona@example.com', body: 'Can you send the aftercare sheet?' }));
    const token = tokenOf(created.body.guestUrl);
    const id = (await org.owner.get('/api/v1/conversations?q=fiona@example.com')).body.items[0].id;
    const file = await uploadFile(ctx.app, org.owner, 'aftercare.png', png);
    expect((await org.owner.post(`/api/v1/conversations/${id}/messages`, { channel: 'web', body: 'Here it is', attachmentIds: [file.body.id] })).status).toBe(202);
    const seen = await thread(token);
    const [shown] = seen.body.messages[1].attachments;
    expect(shown).toEqual({ id: file.body.id, filename: 'aftercare.png', contentType: 'image/png', size: png.length, url: expect.stringMatching(new RegExp(`^/api/v1/public/threads/${token}/attachments/${file.body.id}\\?expires=\\d+&signature=[\\w-]+$`)) });
    const download = await ctx.app.inject({ method: 'GET', url: shown.url });
    expect(download.statusCode).toBe(200);
    expect(download.rawPayload.equals(png)).toBe(true);
    expect(download.headers['x-content-type-options']).toBe('nosniff');
    const page = await ctx.app.inject({ method: 'GET', url: `/g/${token}` });
    expect(page.body).toContain(`/api/v1/public/threads/${token}/attachments/${file.body.id}?expires=`);

    // The link is signed and expires: unsigned, altered or a day old, it is refused.
    const bare = `/api/v1/public/threads/${token}/attachments/${file.body.id}`;
    expectProblem(await raw(bare), 400, 'invalid_input');
    expectProblem(await raw(shown.url.replace(/expires=(\d+)/, (_: string, n: string) => `expires=${Number(n) + 3600}`)), 403, 'invalid_link');
    const lapsed = signLink(ctx.deps.keys, 'guest', file.body.id, new Date(ctx.clock.now().getTime() - 1000));
    expectProblem(await raw(`${bare}?${linkQuery(lapsed)}`), 410, 'link_expired');
    expect(Number(new URL(shown.url, 'http://x').searchParams.get('expires')) * 1000 - ctx.clock.now().getTime()).toBeGreaterThan(23 * 3_600_000);

    const other = tokenOf((await post(guest())).body.guestUrl);
    const fresh = (await thread(token)).body.messages[1].attachments[0].url as string;
    expect((await ctx.app.inject({ method: 'GET', url: fresh })).statusCode).toBe(200);
    expect((await ctx.app.inject({ method: 'GET', url: fresh.replace(token, other) })).statusCode).toBe(404);
  });

  it('answers 404 for a wrong, malformed or revoked token and reveals nothing', async () => {
    const unknown = await thread('A'.repeat(43));
    expectProblem({ status: unknown.status, body: unknown.body, headers: unknown.headers }, 404, 'not_found');
    expect(JSON.stringify(unknown.body)).not.toMatch(/Guest Clinic/);
    expect((await thread('short')).status).toBe(404);
    expect((await ctx.app.inject({ method: 'GET', url: `/g/${'B'.repeat(43)}` })).statusCode).toBe(404);
    const reply = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/threads/${'A'.repeat(43)}/messages`, payload: { body: 'hi' } });
    expect(reply.statusCode).toBe(404);
  });

  it('spam: staff mark the thread, the sender is blocked, their links stop working and new posts are refused', async () => {
    const created = await post(guest({ name: 'Sam Spam', email: 'spam@example.com', body: 'Cheap pills here' }));
    const token = tokenOf(created.body.guestUrl);
    const id = (await org.owner.get('/api/v1/conversations?q=spam@example.com')).body.items[0].id;
    const marked = await org.owner.post(`/api/v1/conversations/${id}/spam`);
    expect(marked.status).toBe(200);
    expect(marked.body).toMatchObject({ spam: true, status: 'closed', archived: true, contact: { blocked: true } });
    expect((await thread(token)).status).toBe(404);
    expectProblem(await post(guest({ email: 'spam@example.com', body: 'More pills' })), 403, 'sender_blocked');
    const audit = await org.owner.get(`/api/v1/audit?subjectId=${id}`);
    expect(audit.body.items.map((e: any) => e.action)).toContain('conversation.spam');
  });

  it('keeps tokens out of request logs', () => {
    expect(redactPath(`/g/${'x'.repeat(43)}`)).toBe('/g/:token');
    expect(redactPath(`/api/v1/public/threads/${'y'.repeat(43)}/messages`)).toBe('/api/v1/public/threads/:token/messages');
    expect(redactPath('/api/v1/conversations')).toBe('/api/v1/conversations');
  });
});

describe('the Free plan’s guest limit (P4)', () => {
  it('holds conversations over the monthly limit (402, message kept) and shows them once the plan allows', async () => {
    const free = await signupOrg(ctx.app, 'Limited Clinic');
    const freeSlug = free.me.clinics[0].slug;
    await ctx.database.db.execute(sql`update plan_entitlements set guest_conversations_per_month = 2 where plan = 'free'`);
    try {
      expect((await post(guest(), { clinic: freeSlug })).status).toBe(201);
      expect((await post(guest(), { clinic: freeSlug })).status).toBe(201);
      const over = await post(guest({ name: 'Otto Over', email: 'otto@example.com', body: 'Am I lost?' }), { clinic: freeSlug });
      expectProblem(over, 402, 'plan_required');
      expect(over.body).toMatchObject({ plan: 'pro', kept: true, detail: expect.stringMatching(/Pro/) });
      expect((await thread(tokenOf(over.body.guestUrl))).body).toMatchObject({ held: true, messages: [{ body: 'Am I lost?' }] });

      expect((await free.owner.get('/api/v1/conversations?q=otto@example.com')).body.items).toHaveLength(0);
      const plan = await free.owner.get('/api/v1/plan');
      expect(plan.body).toMatchObject({ plan: 'free', limits: { guestConversationsPerMonth: 2 }, usage: { guestConversationsThisMonth: 2, heldConversations: 1 } });

      await free.owner.request('PUT', '/api/v1/plan', { plan: 'pro' });
      const shown = await free.owner.get('/api/v1/conversations?q=otto@example.com');
      expect(shown.body.items).toHaveLength(1);
      expect(shown.body.items[0].lastMessage.preview).toBe('Am I lost?');
      expect((await free.owner.get('/api/v1/plan')).body.usage.heldConversations).toBe(0);
    } finally {
      await ctx.database.db.execute(sql`update plan_entitlements set guest_conversations_per_month = 25 where plan = 'free'`);
    }
  });
});
