/**
 * The patients' side in a real browser: the guest journey from the clinic's public page to the
 * clinic's answer on the private link (P1), and portal chat with a sensitive message (P2, M12).
 */
import fs from 'node:fs/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';
import { launchBrowser, seriousViolations } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;
let slug: string;

beforeAll(async () => {
  ctx = await setupApp({}, { worker: true });
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  await fs.mkdir(artifacts, { recursive: true });
  org = await signupOrg(ctx.app, 'Harbor Family Dental', { plan: 'pro' });
  slug = org.me.clinics[0].slug;
  await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { address: '12 Harbor St, Portland, OR', phone: '+15035550100' });
});
afterAll(async () => {
  await browser?.close();
});

async function newPage(): Promise<Page> {
  return (await browser.newContext({ viewport: { width: 1000, height: 800 } })).newPage();
}

describe('the guest journey (P1)', () => {
  it('writes from the public page, opens the private link, and sees the clinic’s reply arrive', async () => {
    const page = await newPage();
    await page.goto(`${base}/c/${slug}`);
    await page.getByRole('heading', { name: 'Harbor Family Dental Main' }).waitFor();
    await page.getByText('Mon–Fri 8:00–17:00').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    await page.getByLabel('Your name').fill('Greta Guest');
    await page.getByLabel('Email').fill('greta@example.com');
    await page.getByLabel('Message', { exact: true }).fill('Do you see children on Saturdays?');
    await page.getByRole('button', { name: 'Send message' }).click();

    await page.waitForURL(/\/g\/[A-Za-z0-9_-]{43}$/);
    const privateLink = page.url();
    const thread = page.getByRole('list').first();
    await thread.getByText('Do you see children on Saturdays?').waitFor();
    expect(await seriousViolations(page)).toEqual([]);

    // A staff member answers through the API; the open page shows it without a reload.
    const list = await org.owner.get('/api/v1/conversations?channel=web');
    const conversation = list.body.items.find((c: { contact: { email: string } }) => c.contact.email === 'greta@example.com');
    const sent = await org.owner.post(`/api/v1/conversations/${conversation.id}/messages`, { channel: 'web', body: 'Yes — Saturdays 9 to 12. Shall we book you in?' });
    expect(sent.status).toBe(202);
    await thread.getByText('Yes — Saturdays 9 to 12. Shall we book you in?').waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${artifacts}/guest-thread.png` });

    // The guest writes back without JavaScript's help: a plain form post.
    await page.getByLabel('Your reply').fill('Yes please, 10 am.');
    await page.getByRole('button', { name: 'Send reply' }).click();
    await page.waitForURL(privateLink);
    await page.getByText('Yes please, 10 am.').waitFor();
    const staffView = await org.owner.get(`/api/v1/conversations/${conversation.id}`);
    expect(staffView.body.messages.map((m: { body: string }) => m.body)).toEqual([
      'Do you see children on Saturdays?',
      'Yes — Saturdays 9 to 12. Shall we book you in?',
      'Yes please, 10 am.',
    ]);
    expect(staffView.body.messages[1].status).toBe('read');
  });

  it('reads the thread with JavaScript off', async () => {
    const created = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${slug}/messages`, payload: { name: 'Nico Noscript', email: 'nico@example.com', body: 'Plain HTML please' }, remoteAddress: '203.0.113.9' });
    const context = await browser.newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(created.json().guestUrl.replace('http://localhost:3000', base));
    await page.getByText('Plain HTML please').waitFor();
    expect(await page.getByRole('heading', { name: /Your conversation with/ }).count()).toBe(1);
    await context.close();
  });
});

describe('portal chat (P2, M12)', () => {
  it('the patient activates the account, opts in, unlocks a sensitive message with the password, and answers', async () => {
    const contact = await org.owner.post('/api/v1/contacts', { name: 'Paula Portal', email: 'paula.portal@example.com' });
    const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
    const page = await newPage();
    await page.goto(invite.body.inviteUrl.replace('http://localhost:3000', base));
    await page.getByLabel('New password').fill('portal-pass-1234');
    await page.getByLabel('The same password again').fill('portal-pass-1234');
    await page.getByRole('button', { name: 'Save and sign in' }).click();
    await page.getByRole('heading', { name: 'Messages' }).waitFor();
    await page.getByLabel('Chat with the clinic in the portal').check();
    await page.getByText('The clinic can message you here').waitFor();

    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'portal', clinicId: org.clinicId, body: 'Your lab results are in.' });
    expect(started.status).toBe(201);
    const id = started.body.conversation.id;
    await org.owner.post(`/api/v1/conversations/${id}/messages`, { channel: 'portal', body: 'Cholesterol 180 mg/dL: normal.', sensitive: true });
    await eventually(async () => {
      const messages = (await org.owner.get(`/api/v1/conversations/${id}`)).body.messages;
      expect(messages.map((m: { status: string }) => m.status)).toEqual(['sent', 'sent']);
    });

    await page.reload();
    await page.getByRole('link', { name: /Harbor Family Dental Main/ }).click();
    await page.getByText('A sensitive message is waiting').waitFor();
    expect(await page.getByText('Cholesterol 180').count()).toBe(0);
    expect(await seriousViolations(page)).toEqual([]);
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${id}`)).body.messages[0].status).toBe('read'));
    expect((await org.owner.get(`/api/v1/conversations/${id}`)).body.messages[1].status).toBe('delivered');

    await page.getByLabel('Your password', { exact: true }).fill('portal-pass-1234');
    await page.getByRole('button', { name: 'Show sensitive messages' }).click();
    await page.getByText('Cholesterol 180 mg/dL: normal.').waitFor();
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${id}`)).body.messages[1].status).toBe('read'));

    const plan = await org.owner.post('/api/v1/artifacts', { contactId: contact.body.id, kind: 'treatment_plan', externalId: 'TP-PAULA', title: 'Two crowns, upper left' });
    await org.owner.post(`/api/v1/conversations/${id}/messages`, { channel: 'portal', card: { kind: 'treatment_plan', artifactId: plan.body.id } });
    const card = page.getByText('Two crowns, upper left');
    await card.waitFor({ timeout: 15_000 });
    expect(await page.getByRole('link', { name: 'Open' }).getAttribute('href')).toMatch(/\/l\/[A-Za-z0-9_-]{32}$/);

    await page.getByLabel('Reply', { exact: true }).fill('Thank you!');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Thank you!').waitFor();
    await page.screenshot({ path: `${artifacts}/portal-thread.png` });
    const staff = await org.owner.get(`/api/v1/conversations/${id}`);
    expect(staff.body.messages.at(-1)).toMatchObject({ direction: 'inbound', channel: 'portal', body: 'Thank you!' });
  });
});
