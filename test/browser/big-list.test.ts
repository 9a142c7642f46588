/** M6 at volume: 10,000 conversations scroll as a virtual list — only the rows on screen are in the page. */
import { sql } from 'drizzle-orm';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './support.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { password, setupApp, signupOrg, type TestContext } from '../helpers.js';

let ctx: TestContext;
let browser: Browser;
let base: string;
let email: string;

beforeAll(async () => {
  ctx = await setupApp();
  base = await ctx.app.listen({ port: 0, host: '127.0.0.1' });
  const org = await signupOrg(ctx.app, 'Busy Clinic');
  email = org.me.user.email;
  await ctx.deps.db.execute(sql`
    with new_contacts as (
      insert into contacts (org_id, type, name, phone)
      select ${org.orgId}, 'patient', 'Patient ' || lpad(g::text, 5, '0'), '+1415' || (3000000 + g)::text
      from generate_series(1, 10000) g
      returning id, name)
    insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, unread, last_activity_at)
    select ${org.orgId}, ${org.clinicId}, ${org.inboxId}, c.id, 'sms', 'sms', false, now() - (substr(c.name, 9)::int || ' minutes')::interval
    from new_contacts c`);
  browser = await launchBrowser();
});
afterAll(() => browser?.close());

describe('a list of 10,000 conversations', () => {
  it('keeps only the visible rows in the page while scrolling through pages of 50', async () => {
    const page = await browser.newPage({ viewport: { width: 1360, height: 820 } });
    await page.goto(base);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByRole('button', { name: /^Patient 00001/ }).waitFor();
    for (let i = 0; i < 8; i++) {
      await list.evaluate((el) => el.scrollBy(0, el.scrollHeight));
      await page.waitForTimeout(150);
    }
    await expect.poll(() => list.evaluate((el) => el.scrollHeight)).toBeGreaterThan(68 * 300);
    const rendered = await list.getByRole('listitem').count();
    expect(rendered).toBeLessThan(60);
    expect(await list.getByRole('button', { name: /^Patient 00001/ }).count()).toBe(0);
  });
});
