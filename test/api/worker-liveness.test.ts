/**
 * S3: the sweep that hands back a crashed worker's jobs must never take a job from a live one —
 * even one that waits on a slow provider far longer than the stale limit (2 s here).
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeTwilio } from '../fakes/twilio.js';
import { setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let twilio: FakeTwilio;
let org: Org;

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  ctx = await setupApp(
    { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_API_BASE_URL: twilio.url, PUBLIC_URL: 'https://frontdesk.test' },
    { worker: true },
  );
  org = await signupOrg(ctx.app, 'Slow Provider Dental', { plan: 'accelerator' });
  const numbers = await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415');
  expect((await org.owner.post('/api/v1/sms-inbox', { phoneNumber: numbers.body.items[0].phoneNumber })).status).toBe(201);
});
afterAll(() => twilio.stop());

describe('the stale-worker sweep', () => {
  it('leaves a live worker’s long job alone', async () => {
    twilio.nextSends.push('hang');
    const sent = await org.owner.post('/api/v1/conversations', { phone: '+14155550931', channel: 'sms', clinicId: org.clinicId, body: 'Slow one' });
    expect(sent.status).toBe(201);
    await twilio.waitForSends(1);
    const lockedBy = async () =>
      (await ctx.deps.db.execute<{ locked_by: string | null }>(sql`select locked_by from graphile_worker.jobs where task_identifier = 'deliver_message'`)).rows[0]?.locked_by;
    const owner = await lockedBy();
    expect(owner).toMatch(/^pool-/);
    const deadline = Date.now() + 4_000;
    while (Date.now() < deadline) {
      expect(await ctx.runtime.worker!.sweep()).toEqual([]);
      await new Promise((r) => setTimeout(r, 500));
    }
    expect(await lockedBy()).toBe(owner);
    expect(twilio.sends).toHaveLength(1);
  });
});
