/**
 * I19: the inbox stays right across a dropped live connection. The server ends the stream (here: a
 * change of the user's privileges, as an admin would make), the browser reconnects by itself with
 * the last event's id, and the message that came in meanwhile appears — replayed when the gap is
 * short, refetched after `resync` when it is older than the replay window.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { replayWindowMs } from '../../src/realtime/replay.js';
import { inbound, password, signupOrg, type Org, type TestContext } from '../helpers.js';
import { startBrowserApp, signInStaff } from './support.js';

const artifacts = 'test-artifacts';
let ctx: TestContext;
let base: string;
let browser: Browser;
let org: Org;
let n = 0;

beforeAll(async () => {
  ({ ctx, base, browser } = await startBrowserApp());
  org = await signupOrg(ctx.app, 'Live Dental');
  await inbound(org, 'Is the parking free?', 'parking@example.com', { channel: 'email', name: 'Paula Park' });
});
afterAll(async () => {
  await browser?.close();
});

/** A receptionist signed in on `viewport`; their id, for the admin to change their privileges. */
async function receptionist(viewport: { width: number; height: number }): Promise<{ page: Page; id: string }> {
  const email = `rita${++n}@live.test`;
  const made = await org.owner.post('/api/v1/users', { name: `Rita Reception ${n}`, email, password, role: 'receptionist', privileges: ['send_messages', 'contacts'], clinicIds: [org.clinicId] });
  expect(made.status).toBe(201);
  return { page: await signInStaff(browser, base, email, password, viewport), id: made.body.id };
}

/** Ends the user's open streams the way an admin's change does; the browser reconnects about 3 s later. */
async function dropStreams(userId: string, privileges: string[]): Promise<void> {
  expect((await org.owner.patch(`/api/v1/users/${userId}`, { privileges })).status).toBe(200);
}

describe('the inbox across a dropped live connection', () => {
  it.each([
    ['phone', { width: 390, height: 844 }],
    ['desktop', { width: 1440, height: 900 }],
  ])('shows what came in while it was away (%s)', async (name, viewport) => {
    const { page, id } = await receptionist(viewport);
    const list = page.getByRole('list', { name: 'Conversations' });
    await list.getByText('Paula Park').waitFor();

    // A short gap: replayed from the last event's id.
    await dropStreams(id, ['send_messages', 'contacts', 'inbox']);
    await inbound(org, `Can I come at 4? (${name})`, `late-${name}@example.com`, { channel: 'email', name: `Leo Late ${name}` });
    await list.getByText(`Leo Late ${name}`).waitFor({ timeout: 15_000 });

    // A gap longer than the window: resync, and the inbox refetches.
    await dropStreams(id, ['send_messages', 'contacts']);
    ctx.clock.advance(replayWindowMs + 60_000);
    await inbound(org, `Running late (${name})`, `later-${name}@example.com`, { channel: 'email', name: `Lena Later ${name}` });
    await list.getByText(`Lena Later ${name}`).waitFor({ timeout: 15_000 });
    await page.screenshot({ path: `${artifacts}/live-reconnect-${name}.png` });
    await page.context().close();
  });
});
