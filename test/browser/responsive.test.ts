/**
 * Issue 16: the staff app on a phone, a tablet and a desktop. Every staff page fits the screen at
 * 390, 768 and 1,440 px (nothing to scroll sideways, nothing cut off), phones get 44 px targets and
 * one pane at a time, and a receptionist on a phone opens a thread, replies and goes back.
 * Screenshots go to test-artifacts/responsive-*.png.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { overflow, sizes, smallTargets } from './layout-support.js';
import { startBrowserApp, seriousViolations } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;
let conversationId: string;
let contactId: string;
let aishaId: string;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Riverside Dental Group');
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
  const first = await inbound(org, 'Hi, is my crown appointment still on Thursday at 3? I might be 10 minutes late because of the school run, sorry!', '(415) 555-0134', { name: 'Maria Gonzalez-Fernández de la Cruz' });
  await inbound(org, 'Can I bring my son too?', '+14155550199', { name: 'James Carter' });
  aishaId = (await inbound(org, 'Please send my invoice', 'aisha@example.com', { channel: 'email', name: 'Aisha Rahman' })).contactId;
  conversationId = first.conversationId;
  expect((await org.owner.post('/api/v1/inboxes', { name: 'Billing' })).status).toBe(201);
  contactId = first.contactId;
});
afterAll(async () => {
  await browser?.close();
});

async function signedIn(width: number, height: number): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width, height }, hasTouch: width < 1024, isMobile: width <= 480 })).newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(org.me.user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Conversations' }).waitFor();
  return page;
}

/** A row's main button (issue 17 gave each row an actions button too). */
const openRow = (page: Page, name: string) => page.locator('.row-main', { hasText: name });

const pages = [
  { name: 'inbox', path: () => '/', ready: (p: Page) => p.getByRole('list', { name: 'Conversations' }).waitFor() },
  { name: 'thread', path: () => `/?c=${conversationId}`, ready: (p: Page) => p.getByRole('textbox', { name: 'Message', exact: true }).waitFor() },
  { name: 'contacts', path: () => '/contacts', ready: (p: Page) => p.getByRole('heading', { name: 'Contacts', level: 1 }).waitFor() },
  { name: 'contact', path: () => `/contacts/${contactId}`, ready: (p: Page) => p.getByRole('heading', { level: 1 }).waitFor() },
  { name: 'settings', path: () => '/settings', ready: (p: Page) => p.getByRole('heading', { name: 'Team and privileges' }).waitFor() },
  { name: 'reports', path: () => '/reports', ready: (p: Page) => p.getByRole('heading', { name: 'Response times' }).waitFor() },
];

describe('every staff page on every screen size', () => {
  for (const size of sizes) {
    it(`fits ${size.width}×${size.height} without scrolling sideways, one h1 and one main landmark per page${size.name === 'phone' ? ', 44 px targets' : ''}${size.name === 'tablet' ? '' : ', no serious axe findings'}`, async () => {
      const page = await signedIn(size.width, size.height);
      const problems: Record<string, unknown> = {};
      for (const p of pages) {
        await page.goto(`${base}${p.path()}`);
        await p.ready(page);
        await page.waitForTimeout(150);
        await page.screenshot({ path: `${artifacts}/responsive-${p.name}-${size.name}.png` });
        const o = await overflow(page);
        if (o.scrollWidth > o.width || o.offscreen.length) problems[`${p.name} overflow`] = o;
        if (size.name !== 'tablet') {
          const axe = await seriousViolations(page);
          if (axe.length) problems[`${p.name} accessibility`] = axe;
        }
        const landmarks = { h1: await page.locator('h1').count(), main: await page.getByRole('main').count(), banner: await page.getByRole('banner').count() };
        // A phone's thread gives the whole screen to the conversation: the banner is hidden there.
        if (landmarks.h1 !== 1 || landmarks.main !== 1 || landmarks.banner > 1) problems[`${p.name} landmarks`] = landmarks;
        if (size.name === 'phone') {
          const small = await smallTargets(page);
          if (small.length) problems[`${p.name} small targets`] = small;
        }
      }
      expect(problems).toEqual({});
      await page.context().close();
    });
  }

  it('phone: one pane at a time — the list, then the thread with a back button; the reply box and Send fit above the keyboard', async () => {
    const page = await signedIn(390, 844);
    const list = page.getByRole('list', { name: 'Conversations' });
    // Filters live in a sheet, not across the top of the list.
    expect(await page.getByLabel('Channel', { exact: true }).isVisible()).toBe(false);
    await page.getByRole('button', { name: 'Filters' }).click();
    const sheet = page.getByRole('dialog', { name: 'Filters' });
    await sheet.getByLabel('Channel', { exact: true }).waitFor();
    await page.screenshot({ path: `${artifacts}/responsive-journey-filters.png` });
    await page.keyboard.press('Escape');
    await sheet.waitFor({ state: 'hidden' });

    // A row reads as words: "James Carter, SMS, unread · lead", not "unreadlead".
    const rowName = await openRow(page, 'James Carter').evaluate((el) => el.textContent);
    expect(rowName).toMatch(/James Carter, SMS, unread · lead/);
    await openRow(page, 'James Carter').click();
    await page.getByRole('heading', { name: 'James Carter' }).waitFor();
    expect(await list.isVisible()).toBe(false);
    const box = page.getByRole('textbox', { name: 'Message', exact: true });
    const send = page.getByRole('button', { name: 'Send', exact: true });
    const boxRect = (await box.boundingBox())!;
    expect(boxRect.width).toBeGreaterThan(300);
    // The keyboard takes the bottom of the screen: the layout follows the visual viewport.
    await page.evaluate(() => document.documentElement.style.setProperty('--viewport-height', '460px'));
    const sendRect = (await send.boundingBox())!;
    expect(sendRect.y + sendRect.height).toBeLessThanOrEqual(460);
    expect(sendRect.x + sendRect.width).toBeLessThanOrEqual(390);
    await page.evaluate(() => document.documentElement.style.removeProperty('--viewport-height'));

    await box.fill('Of course, bring him along!');
    await send.click();
    await page.getByRole('list', { name: 'Messages' }).getByText('Of course, bring him along!').waitFor();
    await page.screenshot({ path: `${artifacts}/responsive-journey-thread.png` });

    // Actions live behind the thread's menu.
    await page.getByRole('button', { name: 'Conversation actions' }).click();
    await page.getByRole('menuitem', { name: 'Assign to…' }).waitFor();
    await page.screenshot({ path: `${artifacts}/responsive-journey-menu.png` });
    await page.keyboard.press('Escape');

    await page.getByRole('button', { name: 'Back to conversations' }).click();
    await list.waitFor();
    expect(new URL(page.url()).searchParams.get('c')).toBeNull();
    expect(await page.getByRole('heading', { name: 'James Carter' }).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/responsive-journey-back.png` });
  });

  it('tablet: the list and the thread side by side; desktop: three panes', async () => {
    for (const [width, height] of [[768, 1024], [1440, 900]] as const) {
      const page = await signedIn(width, height);
      await openRow(page, 'Aisha Rahman').click();
      await page.getByRole('heading', { name: 'Aisha Rahman' }).waitFor();
      const list = (await page.getByRole('list', { name: 'Conversations' }).boundingBox())!;
      const thread = (await page.getByRole('region', { name: /Conversation with Aisha Rahman/ }).boundingBox())!;
      expect(list.x + list.width).toBeLessThanOrEqual(thread.x + 1);
      expect(await page.getByRole('button', { name: 'Back to conversations' }).isVisible()).toBe(false);
      if (width === 1440) expect(await page.getByLabel('Channel', { exact: true }).first().isVisible()).toBe(true);
      await page.context().close();
    }
  });
});

describe('the thread menu', () => {
  it('assigns, unassigns, moves and blocks (after a confirmation) from the menu', async () => {
    const page = await signedIn(1440, 900);
    await openRow(page, 'Aisha Rahman').click();
    await page.getByRole('heading', { name: 'Aisha Rahman' }).waitFor();
    const menu = page.getByRole('button', { name: 'Conversation actions' });
    await menu.click();
    await page.getByRole('menuitem', { name: 'Assign to…' }).click();
    const dialog = page.getByRole('dialog', { name: 'Assign the conversation' });
    await dialog.getByLabel('Assign to').selectOption({ label: `${org.me.user.name} (me)` });
    await dialog.getByRole('button', { name: 'Assign' }).click();
    const thread = page.getByRole('region', { name: /Conversation with Aisha Rahman/ });
    await thread.getByText(`Assigned to ${org.me.user.name}`).waitFor();

    await menu.click();
    await page.getByRole('menuitem', { name: 'Unassign' }).click();
    await thread.getByText('Unassigned', { exact: true }).waitFor();

    await menu.click();
    await page.getByRole('menuitem', { name: 'Move to another inbox…' }).click();
    const move = page.getByRole('dialog', { name: 'Move to another inbox' });
    await move.getByLabel('Inbox').selectOption({ label: 'Billing' });
    await move.getByRole('button', { name: 'Move' }).click();
    await thread.getByText(/· Billing/).waitFor();

    await menu.click();
    await page.getByRole('menuitem', { name: 'Block the contact…' }).click();
    const confirm = page.getByRole('alertdialog', { name: /Block Aisha Rahman/ });
    await confirm.waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/responsive-block-confirm.png` });
    await confirm.getByRole('button', { name: 'Keep talking' }).click();
    await confirm.waitFor({ state: 'hidden' });
    expect((await org.owner.get(`/api/v1/contacts/${aishaId}`)).body.blocked).toBe(false);

    await menu.click();
    await page.getByRole('menuitem', { name: 'Block the contact…' }).click();
    await confirm.getByRole('button', { name: 'Block' }).click();
    await thread.getByText(/· blocked/).waitFor();
    expect((await org.owner.get(`/api/v1/contacts/${aishaId}`)).body.blocked).toBe(true);
    await page.context().close();
  });
});
