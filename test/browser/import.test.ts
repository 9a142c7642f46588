/**
 * Issue 22 in a real browser: an admin brings the practice system's CSV through Settings → Import
 * patients — upload, match the columns with a preview, check (refused rows and why), import with
 * progress — at phone and desktop size, and the imported opt-out shows with its source.
 */
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
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
  org = await signupOrg(ctx.app, 'Lakeside Dental', { plan: 'pro' });
});
afterAll(async () => {
  await browser?.close();
});

async function signedIn(viewport: { width: number; height: number }): Promise<Page> {
  const page = await (await browser.newContext({ viewport })).newPage();
  await page.goto(base);
  await page.getByLabel('Email').fill(org.me.user.email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('button', { name: 'Import patients' }).click();
  await page.getByRole('heading', { name: 'Import patients' }).waitFor();
  return page;
}

/** A practice system's export: Excel's BOM and CRLF, and a phone column whose name we cannot guess. */
const exportFile = (prefix: string, area: string) =>
  '\uFEFF' +
  [
    'Chart #,First Name,Last Name,Tel (texts),Email,Birth Date,Do Not Text',
    `${prefix}-1,Maria,Gonzalez,(${area}) 555-0101,maria.${prefix}@example.com,04/12/1988,N`,
    `${prefix}-2,"O'Brien, Jr.",Sean,(${area}) 555-0102,,1979-11-30,Y`,
    `${prefix}-3,Finn,Landline,+44 20 7946 0018,,,N`,
    `${prefix}-4,Ada,Twice,(${area}) 555-0101,,,N`,
  ].join('\r\n') +
  '\r\n';

/** Nothing wider than the screen: a receptionist on a phone scrolls down, never sideways. */
async function expectNoSidewaysScroll(page: Page) {
  const { scroll, client } = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
  expect(scroll).toBeLessThanOrEqual(client);
}

async function runWizard(page: Page, shot: string, prefix: string, area: string) {
  await page.getByLabel('CSV file').setInputFiles({ name: 'pms-export.csv', mimeType: 'text/csv', buffer: Buffer.from(exportFile(prefix, area)) });
  await page.getByRole('heading', { name: 'Match the columns of pms-export.csv' }).waitFor();
  // Guessed from the headers; the phone column needs a person.
  expect(await page.getByLabel('First name').inputValue()).toBe('First Name');
  expect(await page.getByLabel('Patient ID (practice system)').inputValue()).toBe('Chart #');
  expect(await page.getByLabel('Mobile phone').inputValue()).toBe('');
  await page.getByLabel('Mobile phone').selectOption('Tel (texts)');
  const preview = page.getByRole('table', { name: 'Preview of the first rows' });
  await preview.getByRole('cell', { name: `(${area}) 555-0101` }).first().waitFor();
  expect(await preview.getByRole('cell', { name: "O'Brien, Jr." }).count()).toBe(1);
  expect(await seriousViolations(page)).toEqual([]);
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${artifacts}/import-map-${shot}.png`, fullPage: true });

  await page.getByRole('button', { name: 'Check the file' }).click();
  const refused = page.getByRole('table', { name: 'Rows that will not be imported' });
  await refused.getByRole('cell', { name: /landline/ }).waitFor();
  await refused.getByRole('cell', { name: /the same person as line 2 \(same phone\)/ }).waitFor();
  await page.getByText('2 rows will not be imported').waitFor();
  expect(await seriousViolations(page)).toEqual([]);
  await expectNoSidewaysScroll(page);
  await page.screenshot({ path: `${artifacts}/import-check-${shot}.png`, fullPage: true });

  await page.getByRole('button', { name: 'Import 2 rows' }).click();
  const done = page.getByRole('status').filter({ hasText: 'Import finished' });
  await done.waitFor();
  expect(await done.textContent()).toMatch(/2 new contacts were added.*1 was opted out.*2 rows refused/);
  await page.screenshot({ path: `${artifacts}/import-done-${shot}.png`, fullPage: true });
}

describe('the import wizard (issue 22)', () => {
  it('imports a practice system export at desktop size, and the opt-out shows where it came from', async () => {
    const page = await signedIn({ width: 1440, height: 900 });
    await runWizard(page, 'desktop', 'D', '415');
    const contacts = await org.owner.get('/api/v1/contacts?q=Gonzalez');
    expect(contacts.body.items).toEqual([expect.objectContaining({ name: 'Maria Gonzalez', phone: '+14155550101', externalId: 'D-1', dateOfBirth: '1988-04-12' })]);

    // The way out is beside the way in: the contacts download is the import's own format.
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: /Contacts \(CSV/ }).click();
    const csv = await fs.readFile((await (await download).path())!, 'utf8');
    expect(csv).toMatch(/^External ID,Name,Phone/);
    expect(csv).toContain('D-1,Maria Gonzalez,+14155550101');

    await page.getByRole('button', { name: 'Opted-out patients' }).click();
    const row = page.getByRole('row', { name: /O'Brien, Jr\. Sean/ });
    await row.getByText(/imported by Olive Owner/).waitFor();
    await page.screenshot({ path: `${artifacts}/import-optouts-desktop.png`, fullPage: true });
  });

  it('works the same at phone size', async () => {
    const page = await signedIn({ width: 390, height: 844 });
    await runWizard(page, 'phone', 'P', '628');
    await expectNoSidewaysScroll(page);
  });
});
