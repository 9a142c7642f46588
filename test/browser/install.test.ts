/**
 * Issue 16: the staff app installs as an app — a web manifest with icons, a service worker that
 * keeps the app shell only (never an API answer), under the real Content-Security-Policy — and
 * shows the unread count on the app's icon through the Badging API.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';
import { cspRefusals, launchBrowser } from './support.js';

let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp({}, { worker: true });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  org = await signupOrg(ctx.app, 'Riverside');
  await inbound(org, 'Is my appointment confirmed?', '+14155550961', { name: 'Maria Gonzalez' });
  await inbound(org, 'Please call me back', '+14155550962', { name: 'James Carter' });
});
afterAll(async () => {
  await browser?.close();
});

describe('the installable app', () => {
  it('links a manifest with icons, runs a service worker that caches the shell only, and badges the unread count', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    // Records what the page asks of the Badging API (headless chromium has no app icon to draw on).
    await context.addInitScript(() => {
      const badges: (number | null)[] = [];
      Object.assign(window, { __badges: badges });
      Object.assign(navigator, { setAppBadge: async (n?: number) => void badges.push(n ?? 0), clearAppBadge: async () => void badges.push(null) });
    });
    const page: Page = await context.newPage();
    const refusals = cspRefusals(page);
    await page.goto(base);
    await page.getByLabel('Email').fill(org.me.user.email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();

    const manifestHref = await page.locator('link[rel=manifest]').getAttribute('href');
    const manifest = await (await page.request.get(`${base}${manifestHref}`)).json();
    expect(manifest).toMatchObject({ name: 'Frontdesk', display: 'standalone', start_url: '/' });
    const sizes = (manifest.icons as { sizes: string; purpose: string; src: string }[]).map((i) => `${i.sizes} ${i.purpose}`);
    expect(sizes).toEqual(expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']));
    for (const icon of manifest.icons as { src: string }[]) {
      const res = await page.request.get(`${base}${icon.src}`);
      expect(res.headers()['content-type']).toBe('image/png');
    }

    await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
    await page.reload();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    expect(await page.evaluate(() => navigator.serviceWorker.controller?.scriptURL)).toBe(`${base}/sw.js`);
    // Open a thread, so API answers with patient data pass through the worker's fetch handler.
    await page.locator('.row-main', { hasText: 'Maria Gonzalez' }).click();
    await page.getByRole('heading', { name: 'Maria Gonzalez' }).waitFor();
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
      return urls;
    });
    expect(cached).toContain('/');
    expect(cached.some((u) => u.startsWith('/assets/') && u.endsWith('.js'))).toBe(true);
    expect(cached.filter((u) => !(u === '/' || u.startsWith('/assets/') || u.startsWith('/icons/') || u === '/manifest.webmanifest'))).toEqual([]);

    // Reading Maria's thread leaves one unread conversation: the icon follows.
    await expect.poll(() => page.evaluate(() => (window as unknown as { __badges: (number | null)[] }).__badges.at(-1))).toBe(1);
    expect(refusals).toEqual([]);
    await context.close();
  });
});
