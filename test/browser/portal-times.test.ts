/**
 * Issue 17, defect 8: the portal shows times in the clinic's zone, in the staff app's format, even
 * when the patient's device is set to another zone (here Tokyo, for a clinic in Los Angeles).
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clinicTime } from '../../src/orgs/rules.js';
import { signupOrg, type Org, type TestContext } from '../helpers.js';
import { startBrowserApp } from './support.js';

const artifacts = 'test-artifacts';
const clinicZone = 'America/Los_Angeles';
const deviceZone = 'Asia/Tokyo';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp({}, { worker: true }));
  org = await signupOrg(ctx.app, 'Pacific Smiles', { plan: 'pro' });
  expect((await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { timezone: clinicZone })).status).toBe(200);
});
afterAll(async () => {
  await browser?.close();
});

describe.each([
  ['phone', { width: 390, height: 844 }],
  ['desktop', { width: 1440, height: 900 }],
])('portal times on a %s set to another zone', (size, viewport) => {
  it("shows the thread's times in the clinic's zone, as the staff app does", async () => {
    const contact = await org.owner.post('/api/v1/contacts', { name: `Tomo ${size}`, email: `tomo.${size}@example.com` });
    const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
    const page = await (await browser.newContext({ viewport, timezoneId: deviceZone })).newPage();
    await page.goto(invite.body.inviteUrl.replace('http://localhost:3000', base));
    await page.getByLabel('New password').fill('portal-pass-1234');
    await page.getByLabel('The same password again').fill('portal-pass-1234');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByLabel('Chat with the clinic in the portal').check();
    await page.getByText('The clinic can message you here').waitFor();
    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'portal', clinicId: org.clinicId, body: 'Your cleaning is booked.' });
    expect(started.status).toBe(201);
    const sentAt = (await org.owner.get(`/api/v1/conversations/${started.body.conversation.id}`)).body.messages[0].createdAt;
    const clinicWhen = clinicTime(sentAt, clinicZone);
    const deviceWhen = clinicTime(sentAt, deviceZone);
    expect(clinicWhen).not.toBe(deviceWhen);

    await page.reload();
    await page.getByRole('link', { name: /Pacific Smiles Main/ }).click();
    await page.getByText('Your cleaning is booked.').waitFor();
    await page.getByText(clinicWhen).waitFor();
    expect(await page.getByText(deviceWhen).count()).toBe(0);
    await page.screenshot({ path: `${artifacts}/portal-times-${size}.png` });
  });
});
