/**
 * M11 and S4 in the browser: a patient's photo-only MMS shows as the photo, inline, in the thread
 * and on their profile; a WhatsApp reaction shows as the emoji on the clinic's message. On a phone
 * (390×844) and a desktop (1440×900). The MMS comes as Twilio posts it, signed, its photo fetched
 * from the local Twilio media store (test/fakes/twilio.ts); the photo is @fastify/static's sample.jpg.
 */
import fs from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openOptional } from '../../src/encryption/columns.js';
import { eventually, password, type Org, type TestContext } from '../helpers.js';
import { setupProviders } from '../providers.js';
import { launchBrowser, seriousViolations, signInStaff } from './support.js';

const photo = readFileSync(new URL('../fixtures/media/photo.jpg', import.meta.url));
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;

beforeAll(async () => {
  const providers = await setupProviders('Photo Dental');
  ({ ctx, org } = providers);
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  browser = await launchBrowser();
  await fs.mkdir('test-artifacts', { recursive: true });

  // A photo-only MMS from Pat.
  const sid = 'MM0000000000000000000000000000b001';
  await providers.twilioWebhook({ MessageSid: sid, From: '+14155550191', Body: '', NumMedia: '1', MediaUrl0: providers.twilio.addMedia(sid, photo, 'image/jpeg'), MediaContentType0: 'image/jpeg' });
  const [mms] = await eventually(async () => {
    const items = (await org.owner.get('/api/v1/conversations?q=5550191')).body.items;
    expect(items).toHaveLength(1);
    return items;
  });
  await ctx.deps.db.execute(`update contacts set name = 'Pat Photo' where id = '${mms.contact.id}'` as never);

  // Wanda on WhatsApp: a question, the clinic's answer, and her 👍 on it.
  const whatsapp = (message: Record<string, unknown>) => providers.whatsappWebhook('14155550192', 'Wanda Thumbs', message);
  await whatsapp({ id: 'wamid.q1', type: 'text', text: { body: 'Is parking free?' } });
  const [wa] = await eventually(async () => {
    const items = (await org.owner.get('/api/v1/conversations?q=5550192')).body.items;
    expect(items).toHaveLength(1);
    return items;
  });
  const reply = await org.owner.post(`/api/v1/conversations/${wa.id}/messages`, { body: 'Yes, behind the building.' });
  const wamid = await eventually(async () => {
    const m = await ctx.deps.db.query.messages.findFirst({ where: (t, { eq }) => eq(t.id, reply.body.id) });
    expect(m!.providerMessageId).toBeTruthy();
    return m!.providerMessageId!;
  });
  await whatsapp({ id: 'wamid.r1', type: 'reaction', reaction: { message_id: wamid, emoji: '👍' } });
  await eventually(async () => {
    const row = (await ctx.deps.db.query.messages.findFirst({ where: (t, { eq }) => eq(t.id, reply.body.id) }))!;
    expect(openOptional(row, row.patientReaction)).toBe('👍');
  });
});
afterAll(async () => {
  await browser?.close();
});

const signedIn = (viewport: { width: number; height: number }) => signInStaff(browser, base, org.me.user.email, password, viewport);

const photoShown = async (page: Page) => {
  const img = page.getByRole('img', { name: /Photo: photo-1\.jpg/ }).first();
  await img.waitFor();
  // The image really loaded (through the session's download route), not a broken icon.
  await expect.poll(() => img.evaluate((el) => (el as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
  await img.scrollIntoViewIfNeeded();
};

describe.each([
  ['phone', { width: 390, height: 844 }],
  ['desktop', { width: 1440, height: 900 }],
])('a patient\'s photo and reaction on a %s', (name, viewport) => {
  it('shows a photo-only MMS inline in the thread and on the patient\'s profile', async () => {
    const page = await signedIn(viewport);
    await page.getByRole('button', { name: /^Pat Photo/ }).click();
    await photoShown(page);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `test-artifacts/mms-photo-thread-${name}.png` });

    // A desktop shows the profile link in the thread's header; a phone has it in the thread's menu.
    if (name === 'phone') {
      await page.getByRole('button', { name: 'Conversation actions' }).click();
      await page.getByRole('menuitem', { name: 'Open the patient’s profile' }).click();
    } else {
      const profileLink = await page.getByRole('link', { name: /Open profile/ }).getAttribute('href');
      await page.goto(base + profileLink);
    }
    await page.getByRole('heading', { name: 'Pat Photo' }).waitFor();
    await photoShown(page);
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `test-artifacts/mms-photo-profile-${name}.png` });
  });

  it('shows a WhatsApp reaction as the emoji on the clinic\'s message', async () => {
    const page = await signedIn(viewport);
    await page.getByRole('button', { name: /^Wanda Thumbs/ }).click();
    await page.getByLabel('The patient reacted 👍').waitFor();
    expect(await seriousViolations(page)).toEqual([]);
    await page.screenshot({ path: `test-artifacts/whatsapp-reaction-${name}.png` });
  });
});
