/**
 * Issue 17, defect 3 (seed 003): a signed-in portal patient attaches a photo to their reply, sends it,
 * sees it in their thread, and the staff thread shows it — on a phone and on a desktop.
 */
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { startBrowserApp, seriousViolations, signInStaff } from './support.js';

const artifacts = 'test-artifacts';
// A real JPEG from @fastify/static's test fixtures (see test/fixtures/media/README.md).
const photoPath = new URL('../fixtures/media/photo.jpg', import.meta.url).pathname;
const photo = readFileSync(photoPath);
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Harbor Attach Dental', { plan: 'pro' });
});
afterAll(async () => {
  await browser?.close();
});

async function loaded(img: ReturnType<Page['getByRole']>) {
  await img.waitFor();
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
}

describe.each([
  ['phone', { width: 390, height: 844 }],
  ['desktop', { width: 1440, height: 900 }],
])('the portal reply box on a %s', (size, viewport) => {
  it('attaches a photo, sends it with a line of text, and the staff thread shows the photo', async () => {
    const name = `Aria Attach ${size}`;
    const contact = await org.owner.post('/api/v1/contacts', { name, email: `aria.${size}@example.com` });
    const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
    const page = await (await browser.newContext({ viewport })).newPage();
    await page.goto(invite.body.inviteUrl.replace('http://localhost:3000', base));
    await page.getByLabel('New password').fill('portal-pass-1234');
    await page.getByLabel('The same password again').fill('portal-pass-1234');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await page.getByLabel('Chat with the clinic in the portal').check();
    await page.getByText('The clinic can message you here').waitFor();
    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'portal', clinicId: org.clinicId, body: 'Could you send us a photo of the swelling?' });
    expect(started.status).toBe(201);

    await page.reload();
    await page.getByRole('link', { name: /Harbor Attach Dental Main/ }).click();
    await page.getByText('Could you send us a photo of the swelling?').waitFor();
    await page.getByLabel('Attach a photo or PDF').setInputFiles(photoPath);
    await page.getByText(`Attached: photo.jpg (${Math.ceil(photo.length / 1024)} KB)`).waitFor();
    await page.getByLabel('Reply').fill('Here is the photo');
    await page.getByLabel('Reply').press('Enter');
    await loaded(page.getByRole('img', { name: 'photo.jpg' }));
    await page.getByText('Here is the photo').waitFor();
    expect(await page.getByText(`Attached: photo.jpg (${Math.ceil(photo.length / 1024)} KB)`).count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `${artifacts}/portal-attach-${size}.png`, fullPage: true });

    const staff = await signInStaff(browser, base, org.me.user.email, password, viewport);
    await staff.getByRole('button', { name: new RegExp(`^${name}`) }).click();
    await staff.getByText('Here is the photo').last().waitFor();
    const shown = staff.getByRole('img', { name: /photo\.jpg/ }).first();
    await loaded(shown);
    await shown.scrollIntoViewIfNeeded();
    await staff.screenshot({ path: `${artifacts}/portal-attach-staff-${size}.png` });
  });
});
