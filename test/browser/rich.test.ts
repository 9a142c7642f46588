/** K3/K4 and B2 in the browser: a slash command sends the patient's appointment as a card; opening its link shows in the thread; overdue threads are flagged. */
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';
import { launchBrowser, seriousViolations } from './support.js';

let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  await fs.mkdir('test-artifacts', { recursive: true });
  org = await signupOrg(ctx.app, 'Rich Dental', { plan: 'accelerator' });
});
afterAll(async () => {
  await browser?.close();
});

async function signedIn(): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1360, height: 820 } })).newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(org.me.user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Conversations' }).waitFor();
  return page;
}

describe('rich messages in the staff app', () => {
  it('/appt previews the patient’s appointment and sends it as a card; the opening shows in the thread', async () => {
    const msg = await inbound(org, 'When is my next visit?', '+14155550771', { name: 'Rhea Rich' });
    await org.owner.post('/api/v1/artifacts', { contactId: msg.contactId, kind: 'appointment', externalId: 'A-77', title: 'Check-up with Dr. Patel', occurredAt: '2026-03-09T15:00:00.000Z' });
    const page = await signedIn();
    await page.getByRole('button', { name: /^Rhea Rich/ }).click();
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('/appt See you then!');
    await page.getByRole('status').filter({ hasText: 'Check-up with Dr. Patel' }).waitFor();
    await box.press('Enter');
    const thread = page.getByRole('list', { name: 'Messages' });
    await thread.getByText('not opened yet').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    const sent = (await org.owner.get(`/api/v1/conversations/${msg.conversationId}`)).body.messages.at(-1);
    expect(sent.body).toMatch(/^See you then!\n\nAppointment: Check-up with Dr\. Patel — /);
    const link = /\/l\/[A-Za-z0-9_-]{32}/.exec(sent.body)![0];
    expect((await ctx.app.inject({ method: 'GET', url: link })).statusCode).toBe(200);
    await thread.getByText(/opened 1×/).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: 'test-artifacts/card-thread.png' });
  });

  it('flags a thread waiting past the same-business-day target, and filters to it', async () => {
    const waiting = await inbound(org, 'Hello? Anyone?', '+14155550772', { name: 'Wade Waiting' });
    ctx.clock.advance(2 * 86_400_000);
    const page = await signedIn();
    await page.getByLabel('Overdue').check();
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByText('Wade Waiting').waitFor();
    await expect.poll(() => list.getByRole('listitem').count()).toBeGreaterThanOrEqual(1);
    expect(await list.getByText('overdue').count()).toBeGreaterThanOrEqual(1);
    expect(page.url()).toContain('overdue=true');
    expect(waiting.conversationId).toBeTruthy();
  });
});
