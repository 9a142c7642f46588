/**
 * Issue 21: the unread count is kept (unread_counts, by triggers in the writing transaction), not
 * recounted. Over random sequences of the writes that move it — new conversations one or many at a
 * time, read/unread, close/reopen, archive, hide, hold, a move to another clinic, a change of
 * channel, mute and unmute, deletion, bulk updates — every user's count from the API equals the
 * full recount (the query GET /api/v1/unread-count ran before), for an admin, a receptionist of one
 * clinic without the SMS inbox, and a nurse of two clinics with it.
 */
import { sql, type SQL } from 'drizzle-orm';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { setupApp, signupOrg, type Client, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let clinics: string[];
let users: { name: string; id: string; client: Client; admin: boolean; clinicIds: string[]; inbox: boolean }[];

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Counting Dental');
  const second = (await org.owner.post('/api/v1/clinics', { name: 'Second' })).body.id as string;
  const third = (await org.owner.post('/api/v1/clinics', { name: 'Third' })).body.id as string;
  clinics = [org.clinicId, second, third];
  const receptionist = await org.addUser('receptionist', { clinicIds: [org.clinicId], privileges: ['send_messages'] });
  const nurse = await org.addUser('nurse', { clinicIds: [org.clinicId, second], privileges: ['send_messages', 'inbox'] });
  users = [
    { name: 'owner', id: org.me.user.id, client: org.owner, admin: true, clinicIds: clinics, inbox: true },
    { name: 'receptionist', ...receptionist, admin: false, clinicIds: [org.clinicId], inbox: false },
    { name: 'nurse', ...nurse, admin: false, clinicIds: [org.clinicId, second], inbox: true },
  ];
});

/** The full recount: what unreadCount's query was before the counts were kept. */
async function recount(user: (typeof users)[number]): Promise<number> {
  const clinicsSeen = user.admin ? sql`true` : sql`c.clinic_id in (${sql.join(user.clinicIds.map((id) => sql`${id}::uuid`), sql`, `)})`;
  const { rows } = await ctx.deps.db.execute<{ n: number }>(sql`
    select count(*)::int as n from conversations c
    left join conversation_user_state s on s.conversation_id = c.id and s.user_id = ${user.id}
    where c.org_id = ${org.orgId} and c.hidden_at is null and c.held_at is null and ${clinicsSeen} and ${user.inbox ? sql`true` : sql`c.channel <> 'sms'`}
      and c.unread and c.status = 'open' and c.archived_at is null and coalesce(s.muted, false) = false`);
  return rows[0].n;
}

const channel = fc.constantFrom('sms', 'email', 'whatsapp');
const newThread = fc.record({ clinic: fc.nat(2), channel, unread: fc.boolean(), open: fc.boolean() });
/** Which of the conversations made so far (modulo their number). */
const pick = fc.nat(1000);
const operation = fc.oneof(
  fc.record({ op: fc.constant('create' as const), threads: fc.array(newThread, { minLength: 1, maxLength: 4 }) }),
  fc.record({ op: fc.constant('unread' as const), pick, value: fc.boolean() }),
  fc.record({ op: fc.constant('status' as const), pick, open: fc.boolean() }),
  fc.record({ op: fc.constant('archive' as const), pick, value: fc.boolean() }),
  fc.record({ op: fc.constant('hide' as const), pick, value: fc.boolean() }),
  fc.record({ op: fc.constant('hold' as const), pick, value: fc.boolean() }),
  fc.record({ op: fc.constant('move' as const), pick, clinic: fc.nat(2) }),
  fc.record({ op: fc.constant('channel' as const), pick, channel }),
  fc.record({ op: fc.constant('mute' as const), pick, user: fc.nat(2), value: fc.boolean() }),
  fc.record({ op: fc.constant('delete' as const), pick }),
  fc.record({ op: fc.constant('readClinic' as const), clinic: fc.nat(2) }),
  fc.record({ op: fc.constant('unreadAll' as const) }),
);
type Operation = typeof operation extends fc.Arbitrary<infer T> ? T : never;

let made = 0;
async function apply(step: Operation, threads: string[]): Promise<void> {
  const db = ctx.deps.db;
  const one = (p: number) => threads[p % threads.length];
  const set = async (p: number, change: SQL) => {
    if (threads.length) await db.execute(sql`update conversations set ${change} where id = ${one(p)}`);
  };
  const at = (value: boolean) => (value ? sql`now()` : sql`null`);
  switch (step.op) {
    case 'create': {
      // Several conversations in one statement, as an import or a campaign makes them.
      const values = step.threads.map((t) => {
        made++;
        return sql`(${`Counted ${made}`}, ${`+1415${String(7000000 + made)}`}, ${clinics[t.clinic]}::uuid, ${t.channel}::channel, ${t.unread}::boolean, ${t.open ? 'open' : 'closed'}::conversation_status)`;
      });
      const { rows } = await db.execute<{ id: string }>(sql`
        with v(name, phone, clinic_id, channel, unread, status) as (values ${sql.join(values, sql`, `)}),
        people as (insert into contacts (org_id, type, name, phone) select ${org.orgId}, 'patient', name, phone from v returning id, phone)
        insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, unread, status)
        select ${org.orgId}, v.clinic_id, ${org.inboxId}, people.id, v.channel, v.channel, v.unread, v.status from v join people using (phone)
        returning id`);
      threads.push(...rows.map((r) => r.id));
      return;
    }
    case 'unread':
      return set(step.pick, sql`unread = ${step.value}`);
    case 'status':
      return set(step.pick, sql`status = ${step.open ? 'open' : 'closed'}`);
    case 'archive':
      return set(step.pick, sql`archived_at = ${at(step.value)}`);
    case 'hide':
      return set(step.pick, sql`hidden_at = ${at(step.value)}`);
    case 'hold':
      return set(step.pick, sql`held_at = ${at(step.value)}`);
    case 'move':
      return set(step.pick, sql`clinic_id = ${clinics[step.clinic]}`);
    case 'channel':
      return set(step.pick, sql`channel = ${step.channel}`);
    case 'mute':
      if (!threads.length) return;
      await db.execute(sql`
        insert into conversation_user_state (conversation_id, user_id, muted) values (${one(step.pick)}, ${users[step.user].id}, ${step.value})
        on conflict (conversation_id, user_id) do update set muted = excluded.muted`);
      return;
    case 'delete': {
      if (!threads.length) return;
      const id = threads.splice(step.pick % threads.length, 1)[0];
      await db.execute(sql`delete from conversation_user_state where conversation_id = ${id}`);
      await db.execute(sql`delete from conversations where id = ${id}`);
      return;
    }
    case 'readClinic':
      await db.execute(sql`update conversations set unread = false where org_id = ${org.orgId} and clinic_id = ${clinics[step.clinic]}`);
      return;
    case 'unreadAll':
      await db.execute(sql`update conversations set unread = true where org_id = ${org.orgId}`);
      return;
  }
}

describe('kept unread counts (issue 21)', () => {
  it('equal the full recount for every user after any sequence of writes', async () => {
    const threads: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(operation, { minLength: 1, maxLength: 25 }), async (steps) => {
        for (const step of steps) await apply(step, threads);
        for (const user of users) {
          const kept = (await user.client.get('/api/v1/unread-count')).body.unread;
          expect(kept, user.name).toBe(await recount(user));
          for (const clinicId of user.clinicIds) {
            const inClinic = (await user.client.get(`/api/v1/unread-count?clinicId=${clinicId}`)).body.unread;
            expect(inClinic, `${user.name} in one clinic`).toBe(await recount({ ...user, admin: false, clinicIds: [clinicId] }));
          }
        }
      }),
      { numRuns: 30, seed: 21 },
    );
  });

  it("a transaction writes one count row per clinic and class, however many of its conversations it changes", async () => {
    // Filing a burst changes dozens of one clinic's conversations in several statements; had each
    // conversation its own row of the 16, two filing transactions would take them in different
    // orders and deadlock.
    const threads: string[] = [];
    await apply({ op: 'create', threads: Array.from({ length: 4 }, () => ({ clinic: 0, channel: 'sms' as const, unread: false, open: true })) }, threads);
    for (let i = 0; i < 9; i++) await apply({ op: 'create', threads: Array.from({ length: 4 }, () => ({ clinic: 0, channel: 'sms' as const, unread: false, open: true })) }, threads);
    const written = await ctx.deps.db.transaction(async (tx) => {
      for (let i = 0; i < threads.length; i += 10) {
        await tx.execute(sql`update conversations set unread = true where id in (${sql.join(threads.slice(i, i + 10).map((id) => sql`${id}::uuid`), sql`, `)})`);
      }
      const { rows } = await tx.execute<{ n: number }>(sql`select count(*)::int as n from unread_counts where xmin = pg_current_xact_id()::xid`);
      return rows[0].n;
    });
    expect(threads).toHaveLength(40);
    expect(written).toBe(1);
    for (const user of users) expect((await user.client.get('/api/v1/unread-count')).body.unread, user.name).toBe(await recount(user));
  });
});
