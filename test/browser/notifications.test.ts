/**
 * Issue 16: a receptionist is told when a patient writes while the app is open — a desktop
 * notification (permission granted through playwright) that says no more than the clinic, a click
 * that opens the thread — and nothing for a thread they muted. The page's Notification constructor
 * is the browser's own, wrapped to record what was shown.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inbound, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { startBrowserApp, seriousViolations } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Riverside');
});
afterAll(async () => {
  await browser?.close();
});

interface Shown {
  title: string;
  body: string;
  tag: string;
}

async function signedIn(width = 1440, height = 900): Promise<Page> {
  // The laptop is set to Tokyo; the clinic is in New York: quiet hours are the clinic's.
  const context = await browser.newContext({ viewport: { width, height }, permissions: ['notifications'], timezoneId: 'Asia/Tokyo' });
  await context.addInitScript(() => {
    const Real = window.Notification;
    const shown: { title: string; body: string; tag: string }[] = [];
    const instances: Notification[] = [];
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        super(title, options);
        shown.push({ title, body: options?.body ?? '', tag: options?.tag ?? '' });
        instances.push(this);
      }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    Object.defineProperty(Recorded, 'requestPermission', { value: Real.requestPermission.bind(Real) });
    Object.assign(window, { Notification: Recorded, __shown: shown, __click: (i: number) => instances[i]!.onclick?.(new Event('click')) });
    // The page's event stream says `ready` once the server delivers to it: what a patient writes before then is not news to this page.
    const RealSource = window.EventSource;
    class Watched extends RealSource {
      constructor(url: string | URL, init?: EventSourceInit) {
        super(url, init);
        this.addEventListener('ready', () => Object.assign(window, { __live: true }));
      }
    }
    Object.assign(window, { EventSource: Watched });
  });
  const page = await context.newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(org.me.user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Conversations' }).waitFor();
  return page;
}

/** Until the page's live stream is open: a message sent sooner reaches the list but rings no bell (it happened before the page listened). */
const listening = (page: Page) => page.waitForFunction(() => (window as unknown as { __live?: boolean }).__live === true);

const shown = (page: Page) => page.evaluate(() => (window as unknown as { __shown: Shown[] }).__shown);

describe('notifications while the app is open', () => {
  it('a receptionist chooses them in Settings, is told a patient wrote (no health data), and the click opens the thread; a muted thread stays silent', async () => {
    const page = await signedIn();
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Notifications' }).click();
    await page.getByRole('heading', { name: 'Notifications' }).waitFor();
    await page.getByText('This browser shows notifications.').waitFor();
    await page.getByLabel('Every new patient message').check();
    await page.getByLabel('Quiet hours (in America/New_York time)').check();
    await page.getByLabel('From').fill('03:00');
    await page.getByLabel('Until').fill('03:01');
    await page.getByRole('button', { name: 'Save notifications' }).click();
    await page.getByText('Saved.').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/notifications-settings.png` });
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: `${artifacts}/notifications-settings-390.png`, fullPage: true });
    await page.setViewportSize({ width: 1440, height: 900 });
    expect((await org.owner.get('/api/v1/me/notifications')).body).toMatchObject({ level: 'all', sound: true, quietHours: { start: 180, end: 181, timeZone: 'America/New_York' } });

    await page.getByRole('link', { name: /Inbox/ }).click();
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await listening(page);
    const first = await inbound(org, 'My biopsy came back, can we talk?', '+14155550901', { name: 'Maria Gonzalez' });
    await expect.poll(() => shown(page), { timeout: 10_000 }).toHaveLength(1);
    const [note] = await shown(page);
    expect(note).toEqual({ title: 'New message', body: 'Riverside Main', tag: `conversation-${first.conversationId}` });

    await page.evaluate(() => (window as unknown as { __click: (i: number) => void }).__click(0));
    await page.getByRole('heading', { name: 'Maria Gonzalez' }).waitFor();
    expect(new URL(page.url()).searchParams.get('c')).toBe(first.conversationId);

    await page.getByRole('button', { name: 'Conversation actions' }).click();
    await page.getByRole('menuitem', { name: 'Mute notifications' }).click();
    await page.getByText(/· muted/).waitFor();
    await page.goto(`${base}/`);
    await page.getByRole('list', { name: 'Conversations' }).waitFor();
    await listening(page);
    const muted = await inbound(org, 'Hello again', '+14155550901');
    expect(muted.conversationId).toBe(first.conversationId);
    const other = await inbound(org, 'Can I book a cleaning?', '+14155550902', { name: 'James Carter' });
    await expect.poll(async () => (await shown(page)).map((n) => n.tag), { timeout: 10_000 }).toContain(`conversation-${other.conversationId}`);
    expect((await shown(page)).map((n) => n.tag)).not.toContain(`conversation-${first.conversationId}`);
    expect(JSON.stringify(await shown(page))).not.toMatch(/biopsy|cleaning|Maria|James|555/);
  });
});
