/**
 * Issue 16: the web app's data layer refetches what a change touched, nothing more — counted as
 * the GET requests the page makes after the change. A reply refetches its thread, the lists and
 * the unread count (not the team, inboxes, templates or clinics the inbox also shows); pausing a
 * campaign refetches the campaigns, not the templates on the same screen. Before the key
 * factories, Settings' changes refetched every query on screen.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { signInStaff, startBrowserApp } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Counting Dental', { plan: 'accelerator' });
});
afterAll(async () => {
  await browser?.close();
});

/** The API reads the page makes from now on, as "GET /api/v1/conversations/:id" (no query, no ids). */
function readsFrom(page: Page): () => string[] {
  const seen: string[] = [];
  page.on('request', (r) => {
    const url = new URL(r.url());
    if (r.method() !== 'GET' || !url.pathname.startsWith('/api/v1/') || url.pathname === '/api/v1/events') return;
    seen.push(url.pathname.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, ':id'));
  });
  return () => [...new Set(seen)].sort();
}

/** Lets refetches a change set off start (the live event of a reply comes after its answer). */
const settle = (page: Page) => page.waitForTimeout(1500);

describe('targeted refetching', () => {
  it('sending a reply refetches that thread, the lists and the unread count; nothing else', async () => {
    const { conversationId } = await inbound(org, 'Is the parking free?', '+14155550951', { name: 'Rita Reply' });
    await org.owner.post('/api/v1/templates', { name: 'Parking', body: 'Parking is free behind the building.' });
    const page = await signInStaff(browser, base, org.me.user.email, password, { width: 1440, height: 900 });
    await page.goto(`${base}/?c=${conversationId}`);
    await page.getByRole('heading', { name: 'Rita Reply' }).waitFor();
    await settle(page);

    const reads = readsFrom(page);
    await page.getByLabel('Message', { exact: true }).fill('Yes, behind the building.');
    const threadRefetched = page.waitForResponse((r) => r.request().method() === 'GET' && r.url().includes(`/api/v1/conversations/${conversationId}`));
    await page.getByRole('button', { name: 'Send', exact: true }).click();
    await threadRefetched;
    await page.getByText('Yes, behind the building.').first().waitFor();
    await settle(page);
    const after = reads();
    expect(after).toContain('/api/v1/conversations/:id');
    expect(after).toContain('/api/v1/conversations');
    expect(after.filter((p) => !['/api/v1/conversations/:id', '/api/v1/conversations', '/api/v1/unread-count'].includes(p))).toEqual([]);
    await page.screenshot({ path: `${artifacts}/data-layer-reply-1440.png` });
  });

  it('pausing a campaign refetches the campaigns, not the templates beside them', async () => {
    const templateId = (await org.owner.post('/api/v1/templates', { name: 'Reminder', body: 'See you tomorrow at {{clinic.name}}.' })).body.id;
    expect((await org.owner.post('/api/v1/campaigns', { name: 'Day-before reminders', trigger: 'appointment_reminder', hoursBefore: 24, templateId })).status).toBe(201);
    const page = await signInStaff(browser, base, org.me.user.email, password, { width: 390, height: 844 });
    await page.goto(`${base}/settings/campaigns`);
    await page.getByRole('row', { name: /Day-before reminders/ }).waitFor();
    await settle(page);

    const reads = readsFrom(page);
    await page.getByRole('button', { name: 'Pause' }).click();
    await page.getByRole('row', { name: /Day-before reminders \(paused\)/ }).waitFor();
    await settle(page);
    expect(reads()).toEqual(['/api/v1/campaigns']);
    // On a phone the campaign is a card: each cell as wide as the row, not a 70 px column that breaks words.
    const row = page.getByRole('row', { name: /Day-before reminders/ });
    const rowBox = (await row.boundingBox())!;
    const whenBox = (await row.getByRole('cell', { name: /before each appointment/ }).boundingBox())!;
    expect(whenBox.width).toBeGreaterThan(rowBox.width * 0.8);
    await page.screenshot({ path: `${artifacts}/data-layer-campaigns-390.png` });
  });
});
