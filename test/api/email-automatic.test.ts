/**
 * S4, RFC 3834: out-of-office and vacation mail, as real responders wrote it (Exchange, iCloud, a
 * Sieve vacation, two list autoresponders: test/fixtures/email/README.md), is stored and shown as
 * automatic and answered by nothing automatic; the clinic's own automatic mail says it is.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingSmtp } from '../fakes/smtp.js';
import { eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

// The test clock starts on Monday 2026-03-02 at 09:00 UTC: 4:00 in the clinic's New York, closed.
const domain = 'mail.frontdesk.test';
let ctx: TestContext;
let relay: CapturingSmtp;
let org: Org;
let clinicAddress: string;

beforeAll(async () => {
  relay = await new CapturingSmtp().start();
  ctx = await setupApp(
    { SMTP_URL: `smtp://127.0.0.1:${relay.port}`, EMAIL_DOMAIN: domain, EMAIL_FROM: `inbox@${domain}`, EMAIL_WEBHOOK_TOKEN: 'email-hook-secret' },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Away Dental');
  clinicAddress = `${org.me.clinics[0].slug}@${domain}`;
  const hours = await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { afterHoursReply: 'We are closed now and will answer when we open at 8.' });
  expect(hours.status).toBe(200);
});
afterAll(() => relay.stop());

const postMail = (raw: Buffer | string) =>
  ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': 'email-hook-secret' }, payload: raw });

/** A real responder's mail, addressed to the clinic instead of the corpus's own recipient. */
const toClinic = (file: string, recipient: string) => {
  const raw = readFileSync(new URL(`../fixtures/email/${file}`, import.meta.url), 'latin1');
  expect(raw).toContain(recipient);
  return Buffer.from(raw.replaceAll(recipient, clinicAddress), 'latin1');
};

const threadOf = async (email: string) => {
  const item = (await org.owner.get('/api/v1/conversations?status=all&channel=email')).body.items.find((c: any) => c.contact.email === email);
  expect(item, `a conversation with ${email}`).toBeDefined();
  return (await org.owner.get(`/api/v1/conversations/${item.id}`)).body;
};

describe('automatic mail (RFC 3834)', () => {
  it('a person writing after hours gets the after-hours reply, sent as Auto-Submitted: auto-replied', async () => {
    const res = await postMail(['From: Ann Patient <ann@example.com>', `To: ${clinicAddress}`, 'Subject: Toothache', 'Message-ID: <ann-1@example.com>', '', 'It hurts, can I come today?', ''].join('\r\n'));
    expect(res.statusCode).toBe(202);
    const thread = await threadOf('ann@example.com');
    expect(thread.messages.map((m: any) => [m.direction, m.automatic])).toEqual([['inbound', false], ['outbound', false]]);
    expect(thread.awaitingSince).not.toBeNull();
    const sent = await eventually(async () => {
      expect(relay.received).toHaveLength(1);
      return relay.received[0];
    });
    expect(sent.mail.headers.get('auto-submitted')).toBe('auto-replied');
    expect(sent.mail.text?.trim()).toBe('We are closed now and will answer when we open at 8.');
  });

  const responders = [
    ['sisimai-rfc3834-04.eml', 'nekonyaan@example.com', 'kijitora@example.org', 'Exchange "Automatic reply", X-Auto-Response-Suppress, from the null sender'],
    ['sisimai-rfc3834-01.eml', 'neko@libsisimai.org', 'kijitora@example.net', 'a vacation notice with Auto-Submitted: auto-replied'],
    ['sisimai-rfc3834-03.eml', 'neko@libsisimai.org', 'kijitora@apple.example.com', 'iCloud\'s vacation notice (X-Apple-Action: VACATION)'],
    ['bounceparser-autoreply.eml', 'automated-bounces+2A5E0C38-900D-11DF-8FB7-89D06DF2B1BD@email.example.com', 'john@a.b.c', 'an autoresponder with Precedence: bulk'],
    ['bounceparser-polish-autoreply.eml', 'michael.stevens@example.com', 'example10@wp.pl', 'a Polish autoresponder with Precedence: junk'],
  ] as const;

  it.each(responders)('%s (%s → %s, %s) is stored as automatic, unanswered, and starts no wait', async (file, recipient, sender) => {
    const res = await postMail(toClinic(file, recipient));
    expect(res.statusCode, res.body).toBe(202);
    const thread = await threadOf(sender);
    expect(thread.messages).toHaveLength(1);
    expect(thread.messages[0]).toMatchObject({ direction: 'inbound', automatic: true });
    expect(thread).toMatchObject({ awaitingSince: null, replyDueAt: null, unread: true });
  });

  it('nothing went out to the responders: the one mail sent is Ann\'s after-hours reply', async () => {
    // Give the worker the time it would need to send anything queued.
    await new Promise((r) => setTimeout(r, 500));
    expect(relay.received.map((r) => r.rcptTo)).toEqual([['ann@example.com']]);
  });
});
