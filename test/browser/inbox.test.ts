/**
 * The staff web app in a real browser (Debian's chromium, driven by playwright-core) against the
 * real server on PostgreSQL. Screenshots of the main views go to test-artifacts/.
 */
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, seriousViolations, signInStaff } from './support.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;
let receptionist: { email: string };

beforeAll(async () => {
  ctx = await setupApp({}, { worker: true });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  await fs.mkdir(artifacts, { recursive: true });
  org = await signupOrg(ctx.app, 'Browser Dental');
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
  await inbound(org, 'Is my crown covered by insurance?', '(415) 555-0134', { name: 'Maria Gonzalez' });
  await inbound(org, 'Can I bring my son too?', '+14155550199', { name: 'James Carter' });
  await inbound(org, 'Please send my invoice', 'aisha@example.com', { channel: 'email', name: 'Aisha Rahman' });
  const r = await org.owner.post('/api/v1/users', { name: 'Rita Reception', email: 'rita@browser.test', password, role: 'receptionist', privileges: ['send_messages', 'contacts'], clinicIds: [org.clinicId] });
  expect(r.status).toBe(201);
  receptionist = { email: 'rita@browser.test' };
});
afterAll(async () => {
  await browser?.close();
});

function signedIn(email: string): Promise<Page> {
  return signInStaff(browser, base, email, password);
}

describe('the staff inbox in a browser', () => {
  it('signs in, finds a patient by phone typed another way, and replies with Enter', async () => {
    const page = await signedIn(org.me.user.email);
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('searchbox', { name: /search conversations/i }).fill('415-555-0134');
    await expect.poll(() => page.getByRole('listitem').count()).toBe(1);
    await page.getByRole('button', { name: /^Maria Gonzalez/ }).click();
    await page.getByRole('heading', { name: 'Maria Gonzalez' }).waitFor();
    expect(page.url()).toContain('q=415-555-0134');
    const box = page.getByLabel('Message', { exact: true });
    await box.fill('A'.repeat(161));
    await page.getByText('161 characters · 2 segments · GSM-7').waitFor();
    await box.fill('');
    await page.getByRole('button', { name: 'Emoji' }).click();
    await page.getByRole('menuitem', { name: 'thumbs up' }).click();
    await page.getByText(/2 characters · 1 segment · UCS-2/).waitFor();
    await box.fill('Yes, it is covered.');
    await box.press('Enter');
    const thread = page.getByRole('list', { name: 'Messages' });
    await thread.getByText('Yes, it is covered.').waitFor();
    await expect.poll(async () => thread.getByText('Yes, it is covered.').count()).toBe(1);
    expect(await box.inputValue()).toBe('');
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/inbox-thread.png` });
  });

  it('shows a colleague\'s message live in the open thread, and "is replying"', async () => {
    const mine = await signedIn(org.me.user.email);
    await mine.getByRole('button', { name: /^James Carter/ }).click();
    await mine.getByRole('heading', { name: 'James Carter' }).waitFor();
    const colleague = await org.addUser('receptionist');
    const conversationId = new URL(mine.url()).searchParams.get('c')!;
    await colleague.client.post(`/api/v1/conversations/${conversationId}/typing`);
    await mine.getByText(/is replying…/).waitFor({ timeout: 5000 });
    const sent = await colleague.client.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Of course, bring him along!' });
    expect(sent.status, JSON.stringify(sent.body)).toBe(202);
    await mine.getByRole('list', { name: 'Messages' }).getByText('Of course, bring him along!').waitFor({ timeout: 5000 });
  });

  it('bulk marks conversations unread and the badge follows', async () => {
    const page = await signedIn(org.me.user.email);
    const badge = page.getByTestId('unread-badge');
    const before = Number(await badge.textContent());
    const boxes = page.getByRole('checkbox', { name: /Select conversation/ });
    await boxes.first().waitFor();
    await expect.poll(() => boxes.count()).toBe(3);
    const count = await boxes.count();
    for (let i = 0; i < count; i++) await boxes.nth(i).check();
    await page.getByRole('button', { name: 'Mark read', exact: true }).click();
    await expect.poll(async () => Number(await badge.textContent())).toBe(0);
    for (let i = 0; i < count; i++) await boxes.nth(i).check();
    await page.getByRole('button', { name: 'Mark unread', exact: true }).click();
    await expect.poll(async () => Number(await badge.textContent())).toBe(count);
    expect(count).toBeGreaterThanOrEqual(before);
    await page.screenshot({ path: `${artifacts}/inbox-bulk.png` });
  });

  it('keeps filters in the address, so a view can be bookmarked', async () => {
    const page = await signedIn(org.me.user.email);
    await page.getByLabel('Channel', { exact: true }).first().selectOption('email');
    await page.waitForURL(/channel=email/);
    await page.screenshot({ path: `${artifacts}/inbox-filter.png` });
    await expect.poll(() => page.getByRole('listitem').count()).toBe(1);
    const url = page.url();
    expect(url).toContain('channel=email');
    const again = await (await browser.newContext()).newPage();
    await again.goto(base);
    await again.getByLabel('Email').fill(org.me.user.email);
    await again.getByLabel('Password').fill(password);
    await again.getByRole('button', { name: 'Sign in' }).click();
    await again.getByRole('list', { name: 'Conversations' }).waitFor();
    await again.goto(url);
    await expect.poll(() => again.getByRole('listitem').count()).toBe(1);
    await again.getByRole('button', { name: /^Aisha Rahman/ }).waitFor();
  });

  it('a receptionist without the inbox privilege sees no SMS', async () => {
    const page = await signedIn(receptionist.email);
    await page.getByRole('button', { name: /^Aisha Rahman/ }).waitFor();
    expect(await page.getByRole('button', { name: /^(Maria Gonzalez|James Carter)/ }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/inbox-no-sms.png` });
  });

  it('opens the patient\'s profile in a new tab, with notes and history', async () => {
    const page = await signedIn(org.me.user.email);
    await page.getByRole('button', { name: /^Aisha Rahman/ }).click();
    const [profile] = await Promise.all([page.context().waitForEvent('page'), page.getByRole('link', { name: /Open profile/ }).click()]);
    await profile.getByRole('heading', { name: 'Aisha Rahman' }).waitFor();
    await profile.getByLabel('Add a note').fill('Prefers email');
    await profile.getByRole('button', { name: 'Save note' }).click();
    await profile.getByText('Prefers email').waitFor();
    expect(await seriousViolations(profile)).toEqual([]);
    await profile.screenshot({ path: `${artifacts}/contact.png` });
  });

  it('settings: team privileges for admins, and the SMS inbox for the main admin only', async () => {
    const page = await signedIn(org.me.user.email);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Team and privileges' }).waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.getByRole('button', { name: 'Templates' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Welcome');
    await page.getByLabel('Text', { exact: true }).fill('Hi {{patient.firstName}}, welcome to {{clinic.name}}!');
    await page.getByRole('button', { name: 'Save template' }).click();
    await page.getByText('Welcome', { exact: true }).waitFor();
    await page.getByRole('link', { name: /Inbox/ }).click();
    await page.getByRole('button', { name: /^Aisha Rahman/ }).click();
    await page.getByLabel('Insert a template').selectOption({ label: 'Welcome' });
    // Aisha's thread is by email, whose composer is the rich-text editor (S4): its text, not an input's value.
    expect(await page.getByRole('textbox', { name: 'Message', exact: true }).innerText()).toBe('Hi Aisha, welcome to Browser Dental Main!');
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Two-way SMS' }).click();
    // Seed 004: the toggle, a number by area code, Select, Continue, the review, Finish Setup.
    await page.getByRole('switch', { name: 'Two-way SMS inbox' }).check();
    await page.getByLabel('Area code').fill('415');
    await page.getByRole('button', { name: 'Select' }).first().click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('button', { name: 'Finish Setup' }).click();
    await page.getByText(/^On, with/).waitFor();
    await page.screenshot({ path: `${artifacts}/settings-sms.png` });

    const rita = await signedIn(receptionist.email);
    await rita.getByRole('link', { name: 'Settings' }).click();
    expect(await rita.getByRole('button', { name: 'Team' }).count()).toBe(0);
    expect(await rita.getByRole('button', { name: 'Two-way SMS' }).count()).toBe(0);
  });

  it('works from the keyboard: / searches, j/k move, r replies, e closes', async () => {
    const page = await signedIn(org.me.user.email);
    await page.keyboard.press('/');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toMatch(/search conversations/i);
    await page.keyboard.press('Escape');
    await page.locator('body').click({ position: { x: 900, y: 600 } });
    await page.keyboard.press('j');
    await page.getByRole('heading', { level: 2 }).first().waitFor();
    const first = new URL(page.url()).searchParams.get('c');
    await page.keyboard.press('j');
    await expect.poll(() => new URL(page.url()).searchParams.get('c')).not.toBe(first);
    await page.keyboard.press('k');
    await expect.poll(() => new URL(page.url()).searchParams.get('c')).toBe(first);
    await page.keyboard.press('r');
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('composer-text');
    await page.locator('body').click({ position: { x: 900, y: 600 } });
    await page.keyboard.press('e');
    await page.getByRole('button', { name: 'Reopen' }).waitFor();
  });

  it('catches up after the event stream drops', async () => {
    const page = await signedIn(org.me.user.email);
    await page.getByRole('button', { name: /^Aisha Rahman/ }).click();
    await page.getByRole('heading', { name: 'Aisha Rahman' }).waitFor();
    await page.context().setOffline(true);
    await inbound(org, 'Are you still there? (sent while offline)', 'aisha@example.com', { channel: 'email' });
    await page.waitForTimeout(300);
    await page.context().setOffline(false);
    await page.getByRole('list', { name: 'Messages' }).getByText('Are you still there? (sent while offline)').waitFor({ timeout: 15_000 });
  });

  it('starts a new conversation with a number typed any way, creating a lead', async () => {
    const page = await signedIn(org.me.user.email);
    await page.getByRole('button', { name: 'New message' }).click();
    const dialog = page.getByRole('dialog', { name: 'New message' });
    await dialog.getByLabel('To (patient, phone number or email)').fill('(415) 555-0177');
    await dialog.getByLabel('Message').fill('Hello from Browser Dental!');
    await dialog.getByRole('button', { name: 'Send' }).click();
    await page.getByRole('heading', { name: '+14155550177' }).waitFor();
    await page.getByRole('list', { name: 'Messages' }).getByText('Hello from Browser Dental!').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('lets an admin play a patient writing in (the simulator)', async () => {
    const page = await signedIn(org.me.user.email);
    await page.getByRole('button', { name: 'Simulate a patient' }).click();
    const dialog = page.getByRole('dialog', { name: 'Simulate a patient writing in' });
    await dialog.getByLabel('From (phone or email)').fill('+1 415 555 0188');
    await dialog.getByLabel('Name').fill('Sim Patient');
    await dialog.getByLabel('Message').fill('Do you have parking?');
    await dialog.getByRole('button', { name: 'Deliver' }).click();
    await page.getByRole('button', { name: /^Sim Patient/ }).waitFor();
    const rita = await signedIn(receptionist.email);
    expect(await rita.getByRole('button', { name: 'Simulate a patient' }).count()).toBe(0);
  });

  it.each([
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1440, height: 900 }],
  ])('the New message and simulator dialogs keep focus inside, close on Escape and give focus back (%s)', async (size, viewport) => {
    const page = await signInStaff(browser, base, org.me.user.email, password, viewport);
    const inDialog = () => page.evaluate(() => Boolean(document.activeElement?.closest('dialog[open]')));
    for (const [opener, name, last] of [['Simulate a patient', 'Simulate a patient writing in', 'Cancel'], ['New message', 'New message', 'Cancel']] as const) {
      await page.getByRole('button', { name: opener, exact: true }).click();
      const dialog = page.getByRole('dialog', { name });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: last }).focus();
      await page.keyboard.press('Tab');
      expect(await inDialog()).toBe(true);
      await page.keyboard.press('Shift+Tab');
      expect(await inDialog()).toBe(true);
      expect(await seriousViolations(page)).toEqual([]);
      await page.screenshot({ path: `${artifacts}/dialog-${name.toLowerCase().replace(/\W+/g, '-')}-${size}.png` });
      await page.keyboard.press('Escape');
      await dialog.waitFor({ state: 'detached' });
      expect(await page.evaluate(() => document.activeElement?.textContent?.trim())).toContain(opener);
    }
  });
});
