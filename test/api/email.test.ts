import nodemailer, { type SendMailOptions } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingSmtp } from '../fakes/smtp.js';
import { eventually, expectProblem, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const domain = 'mail.frontdesk.test';
let ctx: TestContext;
let relay: CapturingSmtp;
let org: Org;
let clinicSlug: string;

// A one-page PDF: enough bytes for its type to be read from them.
const pdf = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');

beforeAll(async () => {
  relay = await new CapturingSmtp().start();
  ctx = await setupApp(
    {
      SMTP_URL: `smtp://127.0.0.1:${relay.port}`,
      EMAIL_DOMAIN: domain,
      EMAIL_FROM: `inbox@${domain}`,
      INBOUND_SMTP_PORT: '0',
      EMAIL_WEBHOOK_TOKEN: 'email-hook-secret',
    },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Mail Dental');
  clinicSlug = org.me.clinics[0].slug;
});
afterAll(() => relay.stop());

/** A patient's mail client, sending through our inbound SMTP listener. */
async function patientSends(mail: SendMailOptions) {
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: ctx.runtime.smtp!.port, secure: false, ignoreTLS: true });
  await transport.sendMail({ from: 'Erin Patient <erin@example.com>', ...mail });
  transport.close();
}

describe('email over SMTP (S4)', () => {
  let conversationId: string;

  it('mail to the clinic\'s address starts a conversation, attachments kept', async () => {
    await patientSends({ to: `${clinicSlug}@${domain}`, subject: 'X-ray question', text: 'Attached is my old X-ray report.', messageId: '<first@example.com>', attachments: [{ filename: 'report.pdf', content: pdf }] });
    const [conversation] = await eventually(async () => {
      const items = (await org.owner.get('/api/v1/conversations?channel=email')).body.items;
      expect(items).toHaveLength(1);
      return items;
    });
    conversationId = conversation.id;
    expect(conversation.contact).toMatchObject({ email: 'erin@example.com', name: 'Erin Patient' });
    const [message] = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages;
    expect(message).toMatchObject({ body: 'Attached is my old X-ray report.', channel: 'email', direction: 'inbound' });
    expect(message.attachments).toEqual([expect.objectContaining({ filename: 'report.pdf', contentType: 'application/pdf', size: pdf.length })]);
  });

  it('a reply goes out over SMTP with threading headers and a reply address', async () => {
    const res = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Thanks Erin, the report looks fine.' });
    expect(res.status).toBe(202);
    const { mail, rcptTo } = await eventually(async () => {
      expect(relay.received).toHaveLength(1);
      return relay.received[0];
    });
    expect(rcptTo).toEqual(['erin@example.com']);
    expect(mail.text?.trim()).toBe('Thanks Erin, the report looks fine.');
    expect(mail.messageId).toBe(`<${res.body.id}@${domain}>`);
    expect(mail.inReplyTo).toBe('<first@example.com>');
    expect(mail.replyTo?.value[0].address).toBe(`reply+${conversationId}@${domain}`);
    expect(mail.from?.value[0]).toMatchObject({ address: `inbox@${domain}`, name: 'Mail Dental Main' });
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.at(-1).status).toBe('sent'));
  });

  it('the patient\'s answer threads back by its In-Reply-To, with the quoted history dropped', async () => {
    const ours = relay.received[0].mail.messageId!;
    await patientSends({ from: 'erin@example.com', to: `inbox@${domain}`, subject: 'Re: Your conversation', text: `Great, thank you!\n\nOn Mon, Mar 2, 2026, Mail Dental wrote:\n> Thanks Erin`, inReplyTo: ours, references: [ours] });
    const thread = await eventually(async () => {
      const t = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
      expect(t.messages).toHaveLength(3);
      return t;
    });
    expect(thread.messages.at(-1)).toMatchObject({ direction: 'inbound', body: 'Great, thank you!' });
  });

  it('takes raw MIME at POST /webhooks/email with its token, to the per-conversation reply address', async () => {
    const raw = [
      'From: Erin Patient <erin@example.com>',
      `To: reply+${conversationId}@${domain}`,
      'Subject: one more thing',
      'Message-ID: <webhook-1@example.com>',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'Can I also book my husband?',
      '',
    ].join('\r\n');
    const post = (token?: string) =>
      ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', ...(token ? { 'x-webhook-token': token } : {}) }, payload: raw });
    expect((await post()).statusCode).toBe(403);
    expect((await post('wrong')).statusCode).toBe(403);
    expect((await post('email-hook-secret')).statusCode).toBe(202);
    expect((await post('email-hook-secret')).json()).toMatchObject({ duplicate: true });
    const thread = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
    expect(thread.messages.at(-1).body).toBe('Can I also book my husband?');
    expect(thread.messages.filter((m: any) => m.body === 'Can I also book my husband?')).toHaveLength(1);
  });

  it('does not keep a file type we refuse, and says so in the message', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64, 1)]);
    await patientSends({ to: `${clinicSlug}@${domain}`, subject: 'program', text: 'Please run this', attachments: [{ filename: 'tool.exe', content: elf }] });
    // Erin's mail joins her open thread.
    const message = await eventually(async () => {
      const last = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.at(-1);
      expect(last.body).toMatch(/^Please run this/);
      return last;
    });
    expect(message.body).toBe('Please run this\n[attachment "tool.exe" not kept: not an image, PDF or document we accept]');
    expect(message.attachments).toEqual([]);
  });

  it('refuses mail for no clinic of ours', async () => {
    const raw = 'From: a@example.com\r\nTo: nobody@' + domain + '\r\nSubject: x\r\n\r\nhello\r\n';
    const res = await ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': 'email-hook-secret' }, payload: raw });
    expectProblem({ status: res.statusCode, body: res.json(), headers: res.headers }, 422, 'unroutable');
  });
});
