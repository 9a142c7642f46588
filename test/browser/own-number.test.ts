/**
 * Issue 22 in a real browser: the main admin keeps the clinic's number — picks it from the
 * account's numbers (the simulator's account here), reads the review (same plan and charge, never
 * released), connects it, and sees that disabling only detaches it.
 */
import fs from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { password, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';
import { launchBrowser, seriousViolations } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  await fs.mkdir(artifacts, { recursive: true });
  org = await signupOrg(ctx.app, 'Keepnumber Dental', { plan: 'accelerator' });
});
afterAll(async () => {
  await browser?.close();
});

describe("connecting the clinic's own number (issue 22)", () => {
  it('reviews and connects a number the clinic has, and disabling says it stays theirs', async () => {
    const page = await (await browser.newContext({ viewport: { width: 390, height: 844 } })).newPage();
    await page.goto(base);
    await page.getByLabel('Email').fill(org.me.user.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Two-way SMS' }).click();
    await page.getByRole('switch', { name: 'Two-way SMS inbox' }).check();
    await page.getByLabel('A number you already have in your Twilio account').check();
    const list = page.getByRole('list', { name: 'Your numbers' });
    await list.getByText('Front desk line').waitFor();
    expect(await list.getByText('cannot text').count()).toBe(1);
    await list.getByRole('button', { name: 'Use this number' }).click();

    const review = page.getByRole('dialog', { name: 'Review the number' });
    await review.getByText(/Same plan and price as a new number: the Accelerator plan, and \$5 per month/).waitFor();
    await review.getByText(/never released/).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/own-number-review-phone.png`, fullPage: true });
    await review.getByRole('button', { name: 'Connect +14155550190' }).click();
    await page.getByText('On, with').waitFor();
    expect(await page.getByText('(your own number)').count()).toBe(1);
    expect((await org.owner.get('/api/v1/sms-inbox')).body).toMatchObject({ enabled: true, phoneNumber: '+14155550190', origin: 'brought' });

    // Seed 004: switching the toggle off asks for confirmation.
    await page.getByRole('switch', { name: 'Two-way SMS inbox' }).click();
    const confirm = page.getByRole('alertdialog', { name: 'Confirm disabling' });
    await confirm.getByText(/stays yours in your Twilio account — it is not released/).waitFor();
    await page.screenshot({ path: `${artifacts}/own-number-disable-phone.png`, fullPage: true });
    await confirm.getByRole('button', { name: 'Disable and detach the number' }).click();
    await page.getByText('Off. Switch it on to choose the clinic’s number.').waitFor();
    expect((await org.owner.get('/api/v1/sms-inbox')).body.enabled).toBe(false);
  });
});
