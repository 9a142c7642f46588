/** The hourly maintenance job (graphile-worker cron): auto-archive (M2) and held guest conversations (P4). */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { archiveBatch } from '../../src/conversations/state.js';
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

  it('archives 14,000 idle conversations at once, in batches, and finishes (it overflowed the stack and retried forever)', async () => {
    const org = await signupOrg(ctx.app, 'Fourteen Thousand Dental');
    const idle = 14_000;
    // One statement: the contacts and their conversations, idle since long before the cutoff.
    await ctx.deps.db.execute(sql`
      with new_contacts as (
        insert into contacts (org_id, type, name, phone)
        select ${org.orgId}, 'patient', 'Idle Patient ' || g, '+1415' || lpad((3000000 + g)::text, 7, '0') from generate_series(1, ${idle}) g
        returning id)
      insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, status, last_activity_at, created_at)
      select ${org.orgId}, ${org.clinicId}, ${org.inboxId}, id, 'sms', 'sms', 'closed', ${ctx.clock.now().toISOString()}::timestamptz - interval '400 days', ${ctx.clock.now().toISOString()}::timestamptz - interval '400 days'
      from new_contacts`);
    const open = (await inbound(org, 'Still talking', '+14155550702')).conversationId;
    await runMaintenanceJob();
    await eventually(async () => {
      const { rows } = await ctx.deps.db.execute<{ archived: number; audited: number; jobs: number }>(sql`
        select (select count(*)::int from conversations where org_id = ${org.orgId} and archived_at is not null) as archived,
               (select count(*)::int from audit_log where org_id = ${org.orgId} and action = 'conversation.auto_archive') as audited,
               (select count(*)::int from graphile_worker.jobs where task_identifier = 'maintenance') as jobs`);
      expect(rows[0]).toEqual({ archived: idle, audited: idle, jobs: 0 });
    }, 25_000);
    const [still] = (await ctx.deps.db.execute<{ archived_at: string | null }>(sql`select archived_at from conversations where id = ${open}`)).rows;
    expect(still.archived_at).toBeNull();
    // A batch per transaction: the rows were written by that many of them.
    const [{ transactions }] = (await ctx.deps.db.execute<{ transactions: number }>(sql`select count(distinct xmin::text)::int as transactions from conversations where org_id = ${org.orgId} and archived_at is not null`)).rows;
    expect(transactions).toBeGreaterThanOrEqual(Math.ceil(idle / archiveBatch));
  });
});
