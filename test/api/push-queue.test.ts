/**
 * Issue 16: a patient's message queues the push job only where someone could receive a push — an
 * organization without a subscribed device queues nothing. No worker runs here, so what was queued
 * stays in graphile-worker's table to be counted.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { FakePushService } from '../fakes/push.js';
import { inbound, setupApp, signupOrg, type TestContext } from '../helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp({}, { worker: false });
});

const pushJobsFor = async (messageId: string) =>
  (await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from graphile_worker.jobs where task_identifier = 'push_notify' and key = ${`push:${messageId}`}`)).rows[0]!.n;

describe('the push job', () => {
  it('is not queued for an organization with no subscribed device, and is once one subscribes', async () => {
    const org = await signupOrg(ctx.app, 'Riverside');
    const before = await inbound(org, 'Can I move my appointment?', '+14155550941');
    expect(before.messageId).toBeTruthy();
    expect(await pushJobsFor(before.messageId)).toBe(0);

    // A browser-made key pair; nothing is sent to the endpoint, since no worker runs.
    const { keys } = new FakePushService().device('front-desk-pc').subscription;
    const created = await org.owner.post('/api/v1/push/subscriptions', { endpoint: 'https://push.example/front-desk-pc', keys });
    expect(created.status).toBe(201);
    const after = await inbound(org, 'Also, is parking free?', '+14155550941');
    expect(await pushJobsFor(after.messageId)).toBe(1);

    // Another organization's device does not make this one's messages queue pushes.
    const other = await signupOrg(ctx.app, 'Lakeside');
    const elsewhere = await inbound(other, 'Hello', '+14155550942');
    expect(await pushJobsFor(elsewhere.messageId)).toBe(0);
  });
});
