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
