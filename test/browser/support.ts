/** What every browser test shares: the Chromium test/setup/chromium.ts found, and an accessibility check with axe-core. */
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { setupApp, type TestContext } from '../helpers.js';

/**
 * English, US: the app picks its language from the browser for a user who chose none, and the
 * tests find elements by their English names, whatever the machine's own locale.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: inject('chromiumPath'),
    args: ['--lang=en-US', '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

let axeSource: string | undefined;

/**
 * axe-core's serious and critical findings on the page, as readable lines. axe goes in through the
 * DevTools protocol (page.evaluate), which the page's Content-Security-Policy does not govern, so
 * the pages are tested under their real policy.
 */
export async function seriousViolations(page: Page): Promise<string[]> {
  axeSource ??= readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => (window as unknown as { axe: { run: () => Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } }).axe.run());
  return result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

/** Collects the page's Content-Security-Policy refusals (an inline script or style the policy blocked). */
export function cspRefusals(page: Page): string[] {
  const refusals: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) refusals.push(m.text());
  });
  return refusals;
}

/** A staff member signed in through the sign-in page, on the inbox. */
export async function signInStaff(browser: Browser, base: string, email: string, password: string, viewport = { width: 1360, height: 820 }): Promise<Page> {
  const page = await (await browser.newContext({ viewport, locale: 'en-US' })).newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('list', { name: 'Conversations' }).waitFor();
  return page;
}

/** How a browser test file begins: the app on a free port, a browser, and the folder screenshots go to. */
export async function startBrowserApp(...args: Parameters<typeof setupApp>): Promise<{ ctx: TestContext; base: string; browser: Browser }> {
  const ctx = await setupApp(...args);
  const base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchBrowser();
  await fs.mkdir('test-artifacts', { recursive: true });
  return { ctx, base, browser };
}
