/**
 * Issue 21: a campaign's replies, waiting when the worker comes to them, are filed together (a
 * handful of statements for the lot) and end exactly where one-at-a-time filing puts them: a
 * patient's open thread, the latest closed one reopened, a new lead in a new thread; unread, with
 * a reply-by time, audited, announced live. A keyword among them is still obeyed, on its own.
 * Webhooks are Twilio's real form posts (https://www.twilio.com/docs/messaging/guides/webhook-request),
 * signed as Twilio signs them. No worker runs here: the test files the queued events itself, so
 * every one of them is waiting when the first job runs.
 */
import { sql } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { processInboundEvent } from '../../src/channels/process-inbound.js';
import { contactsByPhone } from '../../src/contacts/service.js';
import { enqueueDelivery, inboundTask } from '../../src/delivery/queue.js';
import { randomUUID } from 'node:crypto';
import { sealForColumn } from '../../src/encryption/columns.js';
import { buyClinicNumber, FakeTwilio, twilioEnv, twilioTextWebhook } from '../fakes/twilio.js';
import { setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const publicUrl = 'https://frontdesk.test';
let ctx: TestContext;
let twilio: FakeTwilio;
let org: Org;
let clinicNumber: string;

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  ctx = await setupApp(twilioEnv(twilio, publicUrl));
  org = await signupOrg(ctx.app, 'Together Dental', { plan: 'accelerator' });
  clinicNumber = await buyClinicNumber(org.owner);
  return () => twilio.stop();
});

let sid = 0;
async function patientTexts(from: string, body: string): Promise<string> {
  const messageSid = `SMtogether${process.pid}x${sid++}`;
  expect(await twilioTextWebhook(ctx.app, twilio, publicUrl, { messageSid, from, to: clinicNumber, body })).toBe(200);
  return messageSid;
}

async function eventOf(messageSid: string): Promise<string> {
  const { rows } = await ctx.deps.db.execute<{ id: string }>(sql`select id from inbound_events where provider_message_id = ${messageSid}`);
  return rows[0].id;
}

/** Files every queued event, as the worker's jobs would, one job after another. */
async function fileAll(): Promise<void> {
  const { rows } = await ctx.deps.db.execute<{ id: string }>(sql`select id from inbound_events where processed_at is null order by seq`);
  for (const { id } of rows) await processInboundEvent(ctx.deps, { eventId: id });
}

const filedHow = async () => {
  const metric = await ctx.deps.metrics.inboundFiled.get();
  return Object.fromEntries(metric.values.map((v) => [v.labels.how, v.value]));
};

async function threadOf(phone: string) {
  const { rows } = await ctx.deps.db.execute<{ id: string; status: string; unread: boolean; awaiting_since: string | null; reply_due_at: string | null; last_message_id: string | null; contact_id: string }>(sql`
    select c.id, c.status, c.unread, c.awaiting_since, c.reply_due_at, c.last_message_id, c.contact_id from conversations c join contacts ct on ct.id = c.contact_id
    where ct.org_id = ${org.orgId} and ct.phone = ${phone} order by c.created_at`);
  return rows;
}

describe('filing a campaign’s replies together (issue 21)', () => {
  it('files many patients’ texts in one go, each where one-at-a-time filing puts it', async () => {
    // Before the burst: a patient with an open thread, and one whose thread was closed.
    const open = '+14155550801';
    const closed = '+14155550802';
    await patientTexts(open, 'Hello');
    await patientTexts(closed, 'Hi there');
    await fileAll();
    const [closedThread] = await threadOf(closed);
    expect((await org.owner.post(`/api/v1/conversations/${closedThread.id}/close`, {})).status).toBe(200);
    const [openThread] = await threadOf(open);
    expect((await org.owner.post(`/api/v1/conversations/${openThread.id}/read`, {})).status).toBe(200);
    const unreadBefore = (await org.owner.get('/api/v1/unread-count')).body.unread;
    const liveBefore = Number((await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from live_events where org_id = ${org.orgId} and event->>'type' = 'message.created'`)).rows[0].n);

    const newcomers = Array.from({ length: 40 }, (_, i) => `+1415555${String(2000 + i).padStart(4, '0')}`);
    const sids = [await patientTexts(open, 'Yes, Tuesday works'), await patientTexts(closed, 'Can I come earlier?'), await patientTexts('+14155550803', 'STOP')];
    for (const phone of newcomers) sids.push(await patientTexts(phone, `Confirming, ${phone}`));
    const before = await filedHow();
    // The first job files them all: every other job then finds its event filed.
    await processInboundEvent(ctx.deps, { eventId: await eventOf(sids[0]) });
    const pending = (await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from inbound_events where processed_at is null`)).rows[0].n;
    expect(pending).toBe(0);
    const after = await filedHow();
    expect((after.together ?? 0) - (before.together ?? 0)).toBe(42);
    expect((after.alone ?? 0) - (before.alone ?? 0)).toBe(1);
    expect(after.fallback ?? 0).toBe(before.fallback ?? 0);

    // The open thread took its reply; the closed one is reopened (not a second thread); newcomers are leads with a thread each.
    const [o] = await threadOf(open);
    expect(o).toMatchObject({ id: openThread.id, status: 'open', unread: true });
    expect(o.awaiting_since).not.toBeNull();
    const reopened = await threadOf(closed);
    expect(reopened).toHaveLength(1);
    expect(reopened[0]).toMatchObject({ id: closedThread.id, status: 'open', unread: true });
    for (const phone of newcomers) {
      const threads = await threadOf(phone);
      expect(threads, phone).toHaveLength(1);
      expect(threads[0].reply_due_at, phone).not.toBeNull();
      const thread = (await org.owner.get(`/api/v1/conversations/${threads[0].id}`)).body;
      expect(thread.messages.map((m: { body: string }) => m.body)).toEqual([`Confirming, ${phone}`]);
      expect(thread.messages[0].id).toBe(threads[0].last_message_id);
    }
    const { rows: leads } = await ctx.deps.db.execute<{ type: string; name: string }>(sql`select type, name from contacts where org_id = ${org.orgId} and phone = ${newcomers[0]}`);
    expect(leads).toEqual([{ type: 'lead', name: newcomers[0] }]);
    const openBody = (await org.owner.get(`/api/v1/conversations/${o.id}`)).body.messages.map((m: { body: string }) => m.body);
    expect(openBody).toEqual(['Hello', 'Yes, Tuesday works']);

    // The keyword among them was obeyed on its own: opted out and told so.
    const { rows: stopped } = await ctx.deps.db.execute<{ opted_out_sms: boolean }>(sql`select 'sms' = any(opted_out) as opted_out_sms from contacts where org_id = ${org.orgId} and phone = '+14155550803'`);
    expect(stopped[0].opted_out_sms).toBe(true);

    // Counted unread — the STOP's new thread too — (the maintained counts follow the batch's update), audited, announced: one of each per text.
    expect((await org.owner.get('/api/v1/unread-count')).body.unread).toBe(unreadBefore + 3 + newcomers.length);
    const { rows: audited } = await ctx.deps.db.execute<{ n: number }>(sql`
      select count(*)::int as n from audit_log a join messages m on m.id::text = a.subject_id
      where a.org_id = ${org.orgId} and a.action = 'message.receive' and m.provider_message_id = any(${sql.param(sids)}::text[])`);
    expect(audited[0].n).toBe(sids.length);
    const liveAfter = Number((await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from live_events where org_id = ${org.orgId} and event->>'type' = 'message.created'`)).rows[0].n);
    // One per patient message, and one for the STOP's confirmation.
    expect(liveAfter - liveBefore).toBe(sids.length + 1);
  });

  it('files a retried webhook whose message is already stored once, and nothing twice', async () => {
    const sidA = await patientTexts('+14155550901', 'Running late');
    await fileAll();
    // The provider's retry of a message filed before its event was marked: the event comes back pending.
    const payload = sealForColumn('inbound_events', 'payload', JSON.stringify({ from: '+14155550901', to: clinicNumber, body: 'Running late' }));
    await ctx.deps.db.execute(sql`update inbound_events set processed_at = null, payload = ${payload} where provider_message_id = ${sidA}`);
    const sidB = await patientTexts('+14155550902', 'See you soon');
    await processInboundEvent(ctx.deps, { eventId: await eventOf(sidB) });
    const { rows } = await ctx.deps.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where provider_message_id = ${sidA}`);
    expect(rows[0].n).toBe(1);
    const { rows: events } = await ctx.deps.db.execute<{ pending: number }>(sql`select count(*)::int as pending from inbound_events where processed_at is null`);
    expect(events[0].pending).toBe(0);
  });

  it('leaves texts to a clinic that is closed and answers after hours to one-at-a-time filing, which answers each once', async () => {
    const reply = 'We are closed now and will answer when we open at 8.';
    expect((await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { afterHoursReply: reply })).status).toBe(200);
    // The test clock reads Monday just past 09:00 UTC: 04:00 in New York, before the clinic opens at 8.
    const phones = ['+14155550951', '+14155550952', '+14155550953'];
    const sids = [];
    for (const phone of phones) sids.push(await patientTexts(phone, 'Is anyone there?'));
    const before = await filedHow();
    await processInboundEvent(ctx.deps, { eventId: await eventOf(sids[0]) });
    const after = await filedHow();
    expect((after.alone ?? 0) - (before.alone ?? 0)).toBe(phones.length);
    expect((after.together ?? 0) - (before.together ?? 0)).toBe(0);
    for (const phone of phones) {
      const [thread] = await threadOf(phone);
      const bodies = (await org.owner.get(`/api/v1/conversations/${thread.id}`)).body.messages.map((m: { body: string }) => m.body);
      expect(bodies, phone).toEqual(['Is anyone there?', reply]);
    }
    expect((await org.owner.patch(`/api/v1/clinics/${org.clinicId}`, { afterHoursReply: null })).status).toBe(200);
  });
});

describe("a burst's senders are found by their number's own index", () => {
  it('looks 160 numbers of one area code up in the unique index, not the trigram index built for searching', async () => {
    // A practice's patients share an area code, so their numbers share most trigrams: a trigram
    // lookup of 160 of them reads every patient's posting lists (330 ms here, against 1 ms).
    await ctx.deps.db.execute(sql`
      insert into contacts (org_id, type, name, phone)
      select ${org.orgId}, 'patient', 'Area Code ' || g, '+1415' || lpad((5550000 + g)::text, 7, '0') from generate_series(1, 6000) g
      on conflict do nothing`);
    await ctx.deps.db.execute(sql`analyze contacts`);
    const phones = Array.from({ length: 160 }, (_, i) => `+1415${5550001 + i * 37}`);
    const query = contactsByPhone(ctx.deps.db, org.orgId, phones).toSQL();
    const { rows } = await ctx.database.pool.query(`explain (format json) ${query.sql}`, query.params);
    const plan = JSON.stringify(rows[0]['QUERY PLAN']);
    expect(plan).not.toMatch(/contacts_phone_(trgm|search)_idx/);
    expect(await contactsByPhone(ctx.deps.db, org.orgId, phones)).toHaveLength(160);
  });
});

describe('a reply is filed before a queue of sends', () => {
  it("comes first in the worker's queue, ahead of deliveries queued before it", async () => {
    // A campaign queued thousands of sends; a patient answers while they wait.
    await ctx.deps.db.transaction(async (tx) => {
      for (let i = 0; i < 20; i++) await enqueueDelivery(tx, randomUUID());
    });
    const eventId = await eventOf(await patientTexts('+14155550901', 'Is the 3pm still on?'));
    // graphile-worker takes the lowest priority number first, then the earliest run_at, then the oldest id.
    const { rows } = await ctx.deps.db.execute<{ task: string; payload: { eventId?: string } }>(sql`
      select t.identifier as task, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where j.locked_at is null order by j.priority, j.run_at, j.id`);
    const reply = rows.findIndex((r) => r.task === inboundTask && r.payload.eventId === eventId);
    const firstSend = rows.findIndex((r) => r.task === 'deliver_message');
    expect(reply).toBeGreaterThanOrEqual(0);
    expect(reply).toBeLessThan(firstSend);
    await ctx.deps.db.execute(sql`delete from graphile_worker._private_jobs where key like 'deliver:%'`);
  });
});
