/**
 * S4: what mail systems send back, as real mail systems wrote it. The delivery reports are real
 * ones from public bounce-parser corpora (test/fixtures/email/README.md says which and where); only
 * the original Message-ID and the failed address are swapped for those of the message we sent.
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingSmtp } from '../fakes/smtp.js';
import { eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const domain = 'mail.frontdesk.test';
let ctx: TestContext;
let relay: CapturingSmtp;
let org: Org;
let clinicId: string;

beforeAll(async () => {
  relay = await new CapturingSmtp().start();
  ctx = await setupApp(
    { SMTP_URL: `smtp://127.0.0.1:${relay.port}`, EMAIL_DOMAIN: domain, EMAIL_FROM: `inbox@${domain}`, INBOUND_SMTP_PORT: '0', EMAIL_WEBHOOK_TOKEN: 'email-hook-secret' },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Bounce Dental', { plan: 'pro' });
  clinicId = org.me.clinics[0].id;
});
afterAll(() => relay.stop());

/** A real report, with the returned message's id and the failed address made ours. */
function report(file: string, original: { messageId: string; recipient: string }, ours: { messageId: string; recipient: string }): Buffer {
  const raw = readFileSync(new URL(`../fixtures/email/${file}`, import.meta.url), 'latin1');
  expect(raw).toContain(original.messageId);
  return Buffer.from(raw.replaceAll(original.messageId, ours.messageId).replaceAll(original.recipient, ours.recipient), 'latin1');
}

const postMail = (raw: Buffer) =>
  ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': 'email-hook-secret' }, payload: raw });

/** The mail system delivering its report to our inbound SMTP listener, from the null sender as MTAs do. */
async function mailSystemSends(raw: Buffer, to = `inbox@${domain}`) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.runtime.smtp!.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ envelope: { from: '', to }, raw });
  transport.close();
}

/** The clinic emails a patient; resolves once it is sent, with our Message-ID. */
async function clinicEmails(email: string) {
  const res = await org.owner.post('/api/v1/conversations', { email, name: email.split('@')[0], channel: 'email', clinicId, body: 'Your appointment is on Monday at 9.' });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  const conversationId: string = res.body.conversation.id;
  const thread = await eventually(async () => {
    const t = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
    expect(t.messages.at(-1).status).toBe('sent');
    return t;
  });
  const message = thread.messages.at(-1);
  return { conversationId, messageId: message.id as string, header: `<${message.id}@${domain}>` };
}

const thread = async (id: string) => (await org.owner.get(`/api/v1/conversations/${id}`)).body;
const conversationCount = async () => (await org.owner.get('/api/v1/conversations?status=all')).body.items.length;
const contactsNamed = async (q: string) => (await org.owner.get(`/api/v1/contacts?q=${encodeURIComponent(q)}`)).body.items;

describe('delivery reports (S4 bounces)', () => {
  it('a Postfix 5.1.1 report marks our message failed with the reason and flags the address, filing nothing', async () => {
    const sent = await clinicEmails('erin.bounce@example.com');
    const before = await conversationCount();
    const dsn = report(
      'sisimai-lhost-postfix-04.eml',
      { messageId: '<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>', recipient: 'kijitora@example.co.jp' },
      { messageId: sent.header, recipient: 'erin.bounce@example.com' },
    );
    const res = await postMail(dsn);
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ ok: true, report: true });
    const t = await thread(sent.conversationId);
    expect(t.messages.at(-1)).toMatchObject({ id: sent.messageId, status: 'failed', failureReason: '5.1.1 Address rejected' });
    expect(t.messages).toHaveLength(1);
    const [contact] = await contactsNamed('erin.bounce@example.com');
    expect(contact.emailBounce).toMatchObject({ reason: '5.1.1 Address rejected' });
    const listed = (await org.owner.get('/api/v1/conversations?status=all')).body.items.find((c: any) => c.id === sent.conversationId);
    expect(listed.contact.emailBounce).toBe('5.1.1 Address rejected');
    expect(await conversationCount()).toBe(before);
    expect(await contactsNamed('mailer-daemon')).toEqual([]);
    // The same report again changes nothing more.
    expect((await postMail(dsn)).statusCode).toBe(202);
    expect((await thread(sent.conversationId)).messages).toHaveLength(1);
  });

  it('an Exchange report over SMTP from the null sender is matched by the returned message', async () => {
    const sent = await clinicEmails('fred.bounce@example.com');
    const before = await conversationCount();
    await mailSystemSends(
      report(
        'sisimai-lhost-exchange2007-07.eml',
        { messageId: '<QCw92c-juIk7Y-w6@neko.example.com>', recipient: 'kijitora@example.jp' },
        { messageId: sent.header, recipient: 'fred.bounce@example.com' },
      ),
    );
    await eventually(async () => expect((await thread(sent.conversationId)).messages.at(-1)).toMatchObject({ status: 'failed', failureReason: '5.1.1 RESOLVER.ADR.RecipNotFound; not found' }));
    expect(await conversationCount()).toBe(before);
    expect(await contactsNamed('postmaster')).toEqual([]);
  });

  it('delay warnings (Postfix, Gmail) change nothing and file nothing', async () => {
    const sent = await clinicEmails('gina.slow@example.com');
    const before = await conversationCount();
    const postfixDelay = report(
      'sisimai-rfc3464-09.eml',
      { messageId: '<00000000000000000000000000000000000000000@example.org>', recipient: 'kijitora-nyaaaaaan@example.co.jp' },
      { messageId: sent.header, recipient: 'gina.slow@example.com' },
    );
    const gmailDelay = report(
      'sisimai-rfc3464-55.eml',
      { messageId: '<CAByYQsFyrGN=Aa73R9b-3-tiR7uFpUan+9CAWRmKP4z_GriF5Q@mail.gmail.example.com>', recipient: 'sotoneko@nora.nyaan.jp' },
      { messageId: sent.header, recipient: 'gina.slow@example.com' },
    );
    expect((await postMail(postfixDelay)).statusCode).toBe(202);
    await mailSystemSends(gmailDelay);
    // The SMTP listener has answered once sendMail resolved: the report is read by then.
    const t = await thread(sent.conversationId);
    expect(t.messages).toHaveLength(1);
    expect(t.messages[0]).toMatchObject({ status: 'sent', failureReason: null });
    const [contact] = await contactsNamed('gina.slow@example.com');
    expect(contact.emailBounce).toBeNull();
    expect(await conversationCount()).toBe(before);
    expect(await contactsNamed('mailer-daemon')).toEqual([]);
  });

  it('a report on mail that is not ours, and mail from postmaster without a report, create no contact or conversation', async () => {
    const before = await conversationCount();
    const exim = readFileSync(new URL('../fixtures/email/sisimai-lhost-exim-29.eml', import.meta.url));
    expect((await postMail(exim)).statusCode).toBe(202);
    const exchangeText = readFileSync(new URL('../fixtures/email/bounceparser-exchange.unknown.eml', import.meta.url));
    expect((await postMail(exchangeText)).statusCode).toBe(202);
    await mailSystemSends(exim);
    expect(await conversationCount()).toBe(before);
    expect(await contactsNamed('postmaster')).toEqual([]);
    expect(await contactsNamed('mailer-daemon')).toEqual([]);
  });

  it('a new address clears the bounce flag; the same address keeps it', async () => {
    const [contact] = await contactsNamed('erin.bounce@example.com');
    const same = await org.owner.patch(`/api/v1/contacts/${contact.id}`, { email: 'Erin.Bounce@example.com' });
    expect(same.status).toBe(200);
    expect(same.body.emailBounce).toMatchObject({ reason: '5.1.1 Address rejected' });
    const changed = await org.owner.patch(`/api/v1/contacts/${contact.id}`, { email: 'erin.new@example.com' });
    expect(changed.body.emailBounce).toBeNull();
  });
});
