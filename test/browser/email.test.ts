/**
 * S4 in the staff app: an email thread with its subject, a patient's HTML reply (its quoted history
 * folded away, its remote picture held back), the rich-text editor sending a formatted reply as
 * multipart/alternative, the New message dialog's subject, and the warning for a bouncing address.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CapturingSmtp } from '../fakes/smtp.js';
import { eventually, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { cspRefusals, seriousViolations, signInStaff, startBrowserApp } from './support.js';

const domain = 'mail.frontdesk.test';
let ctx: TestContext;
let relay: CapturingSmtp;
let base: string;
let browser: Browser;
let org: Org;
let clinicId: string;
let conversationId: string;

const postMail = (raw: string | Buffer) =>
  ctx.app.inject({ method: 'POST', url: '/webhooks/email', headers: { 'content-type': 'message/rfc822', 'x-webhook-token': 'email-hook-secret' }, payload: raw });

beforeAll(async () => {
  relay = await new CapturingSmtp().start();
  ({ ctx, base, browser } = await startBrowserApp({ SMTP_URL: `smtp://127.0.0.1:${relay.port}`, EMAIL_DOMAIN: domain, EMAIL_FROM: `inbox@${domain}`, EMAIL_WEBHOOK_TOKEN: 'email-hook-secret' }, { worker: true }));
  org = await signupOrg(ctx.app, 'Mail Dental', { plan: 'pro' });
  clinicId = org.me.clinics[0].id;
  const started = await org.owner.post('/api/v1/conversations', { email: 'erin@example.com', name: 'Erin Patient', channel: 'email', clinicId, body: 'Your crown is ready. When can you come in?', subject: 'Your new crown' });
  conversationId = started.body.conversation.id;
  const ours = await eventually(async () => {
    expect(relay.received).toHaveLength(1);
    return relay.received[0].mail.messageId!;
  });
  // Erin answers from Gmail: its HTML reply (talon's html_replies fixture shape) with the quote and a tracking picture.
  const html = `<div dir="ltr">Thursday at <b>10</b> works for me.<br>Can my husband come too?</div><img src="https://tracker.example/open.gif" width="1" height="1"><div class="gmail_quote">On Mon, Mar 2, 2026 at 9:00 AM Mail Dental Main &lt;inbox@${domain}&gt; wrote:<br><blockquote class="gmail_quote">Your crown is ready. When can you come in?</blockquote></div>`;
  const text = `Thursday at 10 works for me.\nCan my husband come too?\n\nOn Mon, Mar 2, 2026 at 9:00 AM Mail Dental Main <inbox@${domain}> wrote:\n> Your crown is ready. When can you come in?`;
  const raw = [
    'From: Erin Patient <erin@example.com>', `To: reply+${conversationId}@${domain}`, 'Subject: Re: Your new crown', 'Message-ID: <erin-1@mail.gmail.com>', `In-Reply-To: ${ours}`,
    'MIME-Version: 1.0', 'Content-Type: multipart/alternative; boundary="b1"', '', '--b1', 'Content-Type: text/plain; charset=UTF-8', '', text, '--b1', 'Content-Type: text/html; charset=UTF-8', '', html, '--b1--', '',
  ].join('\r\n');
  expect((await postMail(raw)).statusCode).toBe(202);
});
afterAll(async () => {
  await browser?.close();
  await relay?.stop();
});

const signedIn = (viewport: { width: number; height: number }): Promise<Page> => signInStaff(browser, base, org.me.user.email, password, viewport);

describe('email in the staff app (S4)', () => {
  for (const [name, viewport] of [['desktop', { width: 1440, height: 900 }], ['phone', { width: 390, height: 844 }]] as const) {
    it(`${name}: the thread shows the subject and the reply; quoted text, formatting and pictures on request`, async () => {
      const page = await signedIn(viewport);
      const refusals = cspRefusals(page);
      await page.getByRole('button', { name: /^Erin Patient/ }).click();
      const thread = page.getByRole('list', { name: 'Messages' });
      await page.getByText('Subject: Your new crown').first().waitFor();
      await thread.getByText('Thursday at 10 works for me.').waitFor();
      expect(await thread.getByText('Your crown is ready. When can you come in?').count()).toBe(1); // only our own message, not the quote
      await page.screenshot({ path: `test-artifacts/email-thread-${name}.png`, fullPage: true });

      await thread.getByRole('button', { name: 'Show quoted text' }).click();
      await thread.getByText(/wrote:\n> Your crown is ready/).waitFor();
      await thread.getByRole('button', { name: 'Show formatted email' }).click();
      await thread.locator('.email-html b', { hasText: '10' }).waitFor();
      expect(await thread.locator('.email-html img').getAttribute('src')).toBeNull();
      await thread.getByText(/One picture from the internet is not shown/).waitFor();
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: `test-artifacts/email-formatted-${name}.png`, fullPage: true });
      expect(refusals).toEqual([]);
      await page.context().close();
    });
  }

  it('the editor sends bold text and a list as multipart/alternative', async () => {
    const page = await signedIn({ width: 1440, height: 900 });
    await page.getByRole('button', { name: /^Erin Patient/ }).click();
    const box = page.getByRole('textbox', { name: 'Message' });
    await box.click();
    await page.keyboard.type('Please bring ');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type('your insurance card');
    await page.getByRole('button', { name: 'Bold' }).click();
    await page.keyboard.type(' and:');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Bulleted list' }).click();
    await page.keyboard.type('the referral');
    await page.keyboard.press('Enter');
    await page.keyboard.type('your glasses');
    await page.screenshot({ path: 'test-artifacts/email-editor-desktop.png' });
    const before = relay.received.length;
    await page.keyboard.press('Control+Enter');
    const { mail, raw } = await eventually(async () => {
      expect(relay.received.length).toBe(before + 1);
      return relay.received.at(-1)!;
    });
    expect(raw.toString()).toMatch(/multipart\/alternative/i);
    expect(mail.html).toMatch(/<b>your insurance card<\/b>/);
    expect(mail.html).toMatch(/<ul><li>the referral<\/li><li>your glasses<\/li><\/ul>/);
    expect(mail.text?.trim()).toBe('Please bring your insurance card and:\n- the referral\n- your glasses');
    expect(mail.subject).toBe('Re: Your new crown');
    await page.getByRole('list', { name: 'Messages' }).locator('.email-html b', { hasText: 'your insurance card' }).waitFor();
    await page.context().close();
  });

  it('New message: a subject for email; a bouncing address warns before writing again', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await page.getByRole('button', { name: /New message/ }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('To (patient, phone number or email)').fill('finn@example.com');
    await dialog.getByRole('combobox', { name: 'Channel' }).selectOption('email');
    await dialog.getByLabel('Subject').fill('Your X-ray appointment');
    await dialog.getByLabel('Message', { exact: true }).fill('Your X-ray is booked for Friday at 2.');
    await page.screenshot({ path: 'test-artifacts/email-new-message-phone.png' });
    await dialog.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Subject: Your X-ray appointment').first().waitFor();
    const sent = await eventually(async () => {
      const m = relay.received.find((r) => r.rcptTo.includes('finn@example.com'));
      expect(m).toBeDefined();
      return m!.mail;
    });
    expect(sent.subject).toBe('Your X-ray appointment');

    // A real Postfix bounce (sisimai) for that mail: the thread says so and warns.
    const dsn = readFileSync(new URL('../fixtures/email/sisimai-lhost-postfix-04.eml', import.meta.url), 'latin1')
      .replaceAll('<A8F82EDD-E518-4F5C-8C70-BC4EFF24AB9F@example.ne.jp>', sent.messageId!)
      .replaceAll('kijitora@example.co.jp', 'finn@example.com');
    expect((await postMail(Buffer.from(dsn, 'latin1'))).statusCode).toBe(202);
    // Back to the list (a phone shows one pane: the reload would reopen the thread) and in again.
    await page.goto(base + '/');
    await page.getByRole('button', { name: /^finn@example.com/ }).click();
    await page.getByText(/Emails to finn@example.com are coming back undelivered \(5\.1\.1 Address rejected\)/).waitFor();
    await page.getByText('Not delivered: 5.1.1 Address rejected').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: 'test-artifacts/email-bounce-phone.png', fullPage: true });
    await page.context().close();
  });
});
