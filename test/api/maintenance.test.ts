/** The hourly maintenance job (graphile-worker cron): auto-archive (M2) and held guest conversations (P4). */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { eventually, inbound, setupApp, signIn, signupOrg, type TestContext } from '../helpers.js';

let ctx: TestContext;
beforeAll(async () => {
  ctx = await setupApp({}, { worker: true });
});

const runMaintenanceJob = () => ctx.deps.db.execute(sql`select graphile_worker.add_job('maintenance', '{}'::json)`);

describe('the maintenance job', () => {
  it('is scheduled hourly by cron in the worker', async () => {
    const { rows } = await ctx.deps.db.execute<{ identifier: string }>(sql`select identifier from graphile_worker._private_known_crontabs`);
    expect(rows.map((r) => r.identifier)).toContain('maintenance');
  });

  it('archives conversations idle for 12 months and, in a new month, shows guest conversations held over the limit', async () => {
    const org = await signupOrg(ctx.app, 'Maintained Clinic');
    const slug = org.me.clinics[0].slug;
    await ctx.deps.db.execute(sql`update plan_entitlements set guest_conversations_per_month = 1 where plan = 'free'`);
    try {
      const idle = (await inbound(org, 'An old question', '+14155550701')).conversationId;
      ctx.clock.advance(370 * 86_400_000);
      const post = (email: string) => ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${slug}/messages`, payload: { name: 'Web Guest', email, body: `Hello from ${email}` } });
      expect((await post('first@example.com')).statusCode).toBe(201);
      expect((await post('second@example.com')).statusCode).toBe(402);

      ctx.clock.advance(32 * 86_400_000);
      await runMaintenanceJob();
      const owner = await signIn(ctx.app, org.me.user.email);
      await eventually(async () => {
        const archived = await owner.get('/api/v1/conversations?status=archived');
        expect(archived.body.items.map((c: { id: string }) => c.id)).toContain(idle);
        expect((await owner.get('/api/v1/conversations?q=second@example.com')).body.items).toHaveLength(1);
      });
      expect((await owner.get('/api/v1/plan')).body.usage).toMatchObject({ guestConversationsThisMonth: 1, heldConversations: 0 });
    } finally {
      await ctx.deps.db.execute(sql`update plan_entitlements set guest_conversations_per_month = 25 where plan = 'free'`);
    }
  });
});
