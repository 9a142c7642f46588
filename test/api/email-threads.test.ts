/**
 * S4: email threads as mail clients really write them — replies with their quoted history (real
 * replies from mailgun/talon's standard_replies: test/fixtures/email/README.md).
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
  org = await signupOrg(ctx.app, 'Thread Dental');
  clinicId = org.me.clinics[0].id;
});
afterAll(() => relay.stop());

const postMail = (raw: Buffer) =>
  ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': 'email-hook-secret' }, payload: raw });

/** A real client's reply, sent to the conversation's reply address instead of its corpus recipient. */
const replyFixture = (file: string, recipient: string, conversationId: string) => {
  const raw = readFileSync(new URL(`../fixtures/email/replies/${file}`, import.meta.url), 'latin1');
  expect(raw).toContain(recipient);
  return Buffer.from(raw.replace(recipient, `reply+${conversationId}@${domain}`), 'latin1');
};

async function clinicEmails(email: string, body = 'Your appointment is on Monday at 9.') {
  const res = await org.owner.post('/api/v1/conversations', { email, channel: 'email', clinicId, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.conversation.id as string;
}

const lastMessage = async (conversationId: string) => (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.at(-1);

describe('quoted history', () => {
  it('an Outlook reply (webhook) shows only the new text, with the whole mail kept as fullText', async () => {
    const conversationId = await clinicEmails('me@example.com');
    expect((await postMail(replyFixture('talon-outlook.eml', 'you@example.com', conversationId))).statusCode).toBe(202);
    const message = await lastMessage(conversationId);
    expect(message).toMatchObject({ direction: 'inbound', body: 'Hello' });
    expect(message.fullText).toMatch(/^Hello\n\nFrom: xxx@xxx\.mailgun\.org \[mailto:xxx@xxx\.mailgun\.org\]\nSent: March-09-12 4:22 PM/);
    // Search finds the reply, not the quoted history.
    expect((await org.owner.get('/api/v1/conversations?q=manager')).body.items).toEqual([]);
  });

  it('an Apple Mail reply over SMTP: only "Hello"; a mail without a quote has no fullText', async () => {
    const conversationId = await clinicEmails('xxx@gmail.com');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.runtime.smtp!.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ envelope: { from: 'xxx@gmail.com', to: `reply+${conversationId}@${domain}` }, raw: replyFixture('talon-apple_mail.eml', 'bob@example.com', conversationId) });
    await transport.sendMail({ from: 'xxx@gmail.com', to: `reply+${conversationId}@${domain}`, subject: 'one more', text: 'And can I bring my son?' });
    transport.close();
    const messages = await eventually(async () => {
      const m = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages;
      expect(m).toHaveLength(3);
      return m;
    });
    expect(messages[1]).toMatchObject({ body: 'Hello', fullText: expect.stringContaining('wrote:') });
    expect(messages[2]).toMatchObject({ body: 'And can I bring my son?', fullText: null });
  });
});

describe('subjects and threading', () => {
  it('a patient\'s subject becomes the thread\'s; our reply says "Re: …" with In-Reply-To and References', async () => {
    const clinicSlug = org.me.clinics[0].slug;
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.runtime.smtp!.port, secure: false, ignoreTLS: true });
    await transport.sendMail({ from: 'Sam Patient <sam@example.com>', to: `${clinicSlug}@${domain}`, subject: 'Fwd: Crown fell out', text: 'My crown fell out this morning.', messageId: '<sam-1@example.com>' });
    transport.close();
    const item = await eventually(async () => {
      const found = (await org.owner.get('/api/v1/conversations?channel=email')).body.items.find((c: any) => c.contact.email === 'sam@example.com');
      expect(found).toBeDefined();
      return found;
    });
    expect(item.subject).toBe('Crown fell out');
    const thread = (await org.owner.get(`/api/v1/conversations/${item.id}`)).body;
    expect(thread.subject).toBe('Crown fell out');
    expect(thread.messages[0].subject).toBe('Fwd: Crown fell out');

    const before = relay.received.length;
    const res = await org.owner.post(`/api/v1/conversations/${item.id}/messages`, { body: 'Come at 11, we will fix it.' });
    expect(res.status).toBe(202);
    const { mail } = await eventually(async () => {
      expect(relay.received.length).toBe(before + 1);
      return relay.received.at(-1)!;
    });
    expect(mail.subject).toBe('Re: Crown fell out');
    expect(mail.inReplyTo).toBe('<sam-1@example.com>');
    expect([mail.references].flat()).toEqual(['<sam-1@example.com>']);
  });

  it('staff start an email with a subject; the reply to the patient\'s answer keeps it', async () => {
    const res = await org.owner.post('/api/v1/conversations', { email: 'tia@example.com', channel: 'email', clinicId, body: 'Here are your results.', subject: 'Your blood test results' });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body.conversation.subject).toBe('Your blood test results');
    expect(res.body.message.subject).toBe('Your blood test results');
    const first = await eventually(async () => {
      const m = relay.received.find((r) => r.rcptTo.includes('tia@example.com'));
      expect(m).toBeDefined();
      return m!.mail;
    });
    expect(first.subject).toBe('Your blood test results');
    const answer = ['From: tia@example.com', `To: reply+${res.body.conversation.id}@${domain}`, 'Subject: Re: Your blood test results', 'Message-ID: <tia-1@example.com>', `In-Reply-To: ${first.messageId}`, `References: ${first.messageId}`, '', 'Thank you!', ''].join('\r\n');
    expect((await postMail(Buffer.from(answer))).statusCode).toBe(202);
    await org.owner.post(`/api/v1/conversations/${res.body.conversation.id}/messages`, { body: 'You are welcome.' });
    const second = await eventually(async () => {
      const all = relay.received.filter((r) => r.rcptTo.includes('tia@example.com'));
      expect(all).toHaveLength(2);
      return all[1].mail;
    });
    expect(second.subject).toBe('Re: Your blood test results');
    expect(second.inReplyTo).toBe('<tia-1@example.com>');
    expect([second.references].flat()).toEqual([first.messageId, '<tia-1@example.com>']);
  });

  it('refuses a subject on another channel, or a blank one', async () => {
    const sms = await org.owner.post('/api/v1/conversations', { phone: '+14155550999', channel: 'sms', clinicId, body: 'Hi', subject: 'Hello' });
    expect(sms.status).toBe(400);
    expect(sms.body.code).toBe('invalid_input');
    const blank = await org.owner.post('/api/v1/conversations', { email: 'uma@example.com', channel: 'email', clinicId, body: 'Hi', subject: '   ' });
    expect(blank.status).toBe(400);
    expect(blank.body.code).toBe('invalid_input');
  });
});

describe('rich text', () => {
  it('a patient\'s HTML mail is kept sanitised beside its plain text', async () => {
    const conversationId = await clinicEmails('vic@example.com');
    // Gmail's HTML reply from talon's html_replies, with what a hostile sender would add.
    const gmail = readFileSync(new URL('../fixtures/email/replies/talon-gmail.html', import.meta.url), 'utf8');
    const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.runtime.smtp!.port, secure: false, ignoreTLS: true });
    await transport.sendMail({
      from: 'vic@example.com',
      to: `reply+${conversationId}@${domain}`,
      subject: 'Re: Your conversation',
      text: 'Hi. I am fine.\n\nThanks,\nAlex',
      html: `<script>alert(1)</script><img src="https://tracker.example/open.gif">${gmail}<a href="javascript:alert(2)">x</a>`,
    });
    transport.close();
    const message = await eventually(async () => {
      const last = await lastMessage(conversationId);
      expect(last.direction).toBe('inbound');
      return last;
    });
    expect(message.body).toBe('Hi. I am fine.\n\nThanks,\nAlex');
    expect(message.html).toContain('Hi. I am fine.');
    expect(message.html).toContain('data-remote-src="https://tracker.example/open.gif"');
    expect(message.html).not.toMatch(/<script|javascript:| src="https/);
  });

  it('a formatted reply goes out as multipart/alternative: the sanitised HTML and the plain text', async () => {
    const conversationId = await clinicEmails('wes@example.com');
    const before = relay.received.length;
    const res = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, {
      body: 'Please bring:\n- your insurance card\n- the referral\nDirections: https://clinic.example/map',
      html: '<div>Please <b>bring</b>:</div><ul><li>your <i>insurance</i> card</li><li>the referral</li></ul><a href="https://clinic.example/map" onclick="x()">Directions</a><script>alert(1)</script>',
    });
    expect(res.status, JSON.stringify(res.body)).toBe(202);
    expect(res.body.html).toBe('<div>Please <b>bring</b>:</div><ul><li>your <i>insurance</i> card</li><li>the referral</li></ul><a href="https://clinic.example/map" target="_blank" rel="noopener noreferrer">Directions</a>');
    const { raw, mail } = await eventually(async () => {
      expect(relay.received.length).toBeGreaterThan(before + 1);
      return relay.received.at(-1)!;
    });
    expect(raw.toString()).toMatch(/Content-Type: multipart\/alternative/i);
    expect(mail.html).toContain('<b>bring</b>');
    expect(mail.html).not.toContain('script');
    expect(mail.text?.trim()).toBe('Please bring:\n- your insurance card\n- the referral\nDirections: https://clinic.example/map');
  });

  it('only an email can be formatted', async () => {
    const res = await org.owner.post('/api/v1/conversations', { phone: '+14155550998', channel: 'sms', clinicId, body: 'Hi', html: '<b>Hi</b>' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_input');
  });
});
