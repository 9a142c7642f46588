/** Issue 8 in the browser: two-factor sign-in, emergency access, retraction, and hostile stored text that must never run. */
import type { Browser, Page } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';
import { cspRefusals, launchBrowser, seriousViolations } from './support.js';

let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  org = await signupOrg(ctx.app, 'Two Factor Dental');
});
afterAll(async () => {
  await browser?.close();
});

/** The code the authenticator app shows next, at the server's (test) clock: each code is good once. */
function codeFor(secret: string): string {
  ctx.clock.advance(30_000);
  const at = ctx.clock.now();
  return new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at.getTime() });
}

let refusals: string[] = [];

async function signInPage(email = org.me.user.email): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
  refusals = cspRefusals(page);
  await page.goto(base);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  return page;
}

describe('two-factor sign-in in the web app', () => {
  let secret: string;

  it('is set up from Settings → Security, and shows the recovery codes once', async () => {
    const page = await signInPage();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await page.goto(`${base}/settings`);
    await page.getByRole('button', { name: 'Security' }).click();
    await page.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
    secret = (await page.getByLabel('Secret key').textContent())!.trim();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    await page.getByLabel('The 6-digit code it shows').fill(codeFor(secret));
    await page.getByRole('button', { name: 'Turn on' }).click();
    await expect.poll(() => page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem').count()).toBe(10);
    expect(await seriousViolations(page)).toEqual([]);
    // The app runs whole under the strict policy: nothing inline was refused.
    expect(refusals).toEqual([]);
  });

  it('then asks for the code after the password', async () => {
    const page = await signInPage();
    const code = page.getByLabel(/Code from your authenticator app/);
    await code.waitFor();
    await code.fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').getByText(/wrong or expired/).waitFor();
    await code.fill(codeFor(secret));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    expect(refusals).toEqual([]);
  });
});

describe('emergency access in the web app', () => {
  it('an admin refused a thread opens it with a reason, and another admin reviews it', async () => {
    await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
    const { conversationId } = await inbound(org, 'Severe allergic reaction after the injection', '+14155550931', { name: 'Ellis Urgent' });
    const created = await org.owner.post('/api/v1/users', { name: 'Ada Admin', email: 'ada@emergency.test', password, role: 'admin', privileges: ['send_messages'], clinicIds: [org.clinicId] });
    expect(created.status).toBe(201);
    const page = await signInPage('ada@emergency.test');
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await page.goto(`${base}/?c=${conversationId}`);
    await page.getByRole('heading', { name: 'Emergency access' }).waitFor();
    await page.getByLabel('Reason').fill('Patient reports a severe reaction; the clinician with SMS access is off today');
    await page.getByRole('button', { name: 'Open in an emergency' }).click();
    await page.getByText('Severe allergic reaction after the injection').waitFor();
    await page.getByText(/recorded with your reason for review/).waitFor();
    expect(refusals).toEqual([]);

    // The owner turned two-factor on above; this sign-in is about the review, not the code.
    expect((await org.owner.post('/api/v1/auth/two-factor/disable', { password })).status).toBe(200);
    const owner = await signInPage();
    await owner.getByRole('list', { name: 'Conversations' }).waitFor();
    await owner.goto(`${base}/settings`);
    await owner.getByRole('button', { name: 'Emergency access' }).click();
    const opening = owner.getByRole('list', { name: 'Emergency openings' }).getByRole('listitem').first();
    await opening.getByText(/clinician with SMS access is off today/).waitFor();
    await opening.getByRole('button', { name: 'Mark reviewed' }).click();
    await opening.getByText(/Reviewed by/).waitFor();
  });
});

describe('retraction in the web app', () => {
  it('retracts a sent message with a correction; the old text stays, struck through', async () => {
    const { conversationId } = await inbound(org, 'Which pharmacy has my prescription?', '+14155550941', { name: 'Rory Retract' });
    await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'It went to Main Street Pharmacy' });
    const page = await signInPage();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await page.goto(`${base}/?c=${conversationId}`);
    const sent = page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: 'It went to Main Street Pharmacy' });
    await sent.getByRole('button', { name: 'Retract' }).click();
    const form = page.getByRole('form', { name: 'Retract message' });
    await form.getByLabel('Reason').fill('wrong pharmacy');
    await form.getByLabel(/Correction/).fill('Correction: it went to Elm Street Pharmacy');
    await form.getByRole('button', { name: 'Retract' }).click();
    await sent.getByText('Retracted: wrong pharmacy').waitFor();
    await page.getByRole('list', { name: 'Messages' }).getByText('Correction: it went to Elm Street Pharmacy').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    expect(refusals).toEqual([]);
  });
});

describe('hostile text stays text', () => {
  const payloads = ['<img src=x onerror="window.__pwned=1">', '<script>window.__pwned=2</script>', '<svg onload="window.__pwned=3">', '"><iframe src="javascript:window.__pwned=4">'];
  const text = `Hello ${payloads.join(' ')}`;

  async function nothingRan(page: Page) {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.evaluate(() => document.querySelectorAll('[onerror],[onload],[onmouseover],iframe,script:not([src])').length)).toBe(0);
  }

  it('a patient name and message with markup show as written in the inbox, and nothing runs', async () => {
    const { conversationId } = await inbound(org, text, '+14155550951', { name: '<b onmouseover="window.__pwned=5">Mallory</b>' });
    const page = await signInPage();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await page.goto(`${base}/?c=${conversationId}`);
    await page.getByText(payloads[1]).first().waitFor();
    await page.getByText('<b onmouseover="window.__pwned=5">Mallory</b>').first().waitFor();
    await nothingRan(page);
    expect(refusals).toEqual([]);
  });

  it('the guest page shows a hostile post as written, and nothing runs', async () => {
    const slug = org.me.clinics[0].slug;
    const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${slug}/messages`, payload: { name: '<script>window.__pwned=6</script>', email: 'mallory@example.com', body: text }, remoteAddress: '203.0.113.66' });
    expect(created.statusCode, created.body).toBe(201);
    const page = await (await browser.newContext()).newPage();
    const pageRefusals = cspRefusals(page);
    await page.goto(new URL(created.json().guestUrl).pathname.replace(/^/, base));
    await page.getByText(payloads[0]).first().waitFor();
    await nothingRan(page);
    expect(pageRefusals).toEqual([]);
  });
});
