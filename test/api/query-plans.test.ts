/**
 * B4: every list and search query the inbox runs has an index to use. The test records the SQL each
 * route sends, then asks PostgreSQL for its plan with sequential scans priced out: a plan that still
 * scans conversations or messages end to end has no index for that query and fails the test.
 */
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
const recorded: { text: string; values: unknown[] }[] = [];
let recording = false;

type QueryFn = (...args: unknown[]) => unknown;
const originalClientQuery = pg.Client.prototype.query as unknown as QueryFn;

function record(args: unknown[]) {
  if (!recording) return;
  const [first, second] = args;
  const text = typeof first === 'string' ? first : (first as { text?: string })?.text;
  // drizzle sends ({ text, rowMode }, params); others (text, params) or ({ text, values }).
  const values = Array.isArray(second) ? second : (first as { values?: unknown[] })?.values;
  if (text && /^\s*select/i.test(text) && /"(conversations|messages)"/.test(text)) recorded.push({ text, values: values ?? [] });
}

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Planned Clinic', { plan: 'pro' });
  await inbound(org, 'Is my crown covered by insurance?', '+14155550801', { name: 'Maria Plan' });
  // Enough rows of the real shape for the planner to have statistics.
  await ctx.deps.db.execute(sql`
    with c as (
      insert into contacts (org_id, type, name, phone)
      select ${org.orgId}, 'patient', 'Patient ' || g, '+1415' || (5000000 + g)::text from generate_series(1, 3000) g
      returning id)
    insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, unread, last_activity_at, archived_at)
    select ${org.orgId}, ${org.clinicId}, ${org.inboxId}, c.id, 'sms', 'sms', random() < 0.2, now() - random() * interval '300 days',
           case when random() < 0.1 then now() else null end
    from c`);
  await ctx.deps.db.execute(sql`
    insert into messages (org_id, conversation_id, direction, channel, body, status, created_at, status_at)
    select c.org_id, c.id, 'inbound', 'sms', 'Question number ' || n || ' about appointments', 'read', c.last_activity_at - n * interval '1 hour', c.last_activity_at
    from conversations c cross join generate_series(1, 6) n where c.org_id = ${org.orgId} and c.last_message_id is null`);
  await ctx.deps.db.execute(sql`analyze contacts; analyze conversations; analyze messages`);
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    record(args);
    return originalClientQuery.apply(this, args);
  } as never;
});

afterAll(() => {
  pg.Client.prototype.query = originalClientQuery as never;
});

afterEach(() => {
  recording = false;
  recorded.length = 0;
});

/** The nodes of a plan that read a whole table of the inbox. */
function seqScans(plan: Record<string, unknown>, out: string[] = []): string[] {
  if (plan['Node Type'] === 'Seq Scan' && ['conversations', 'messages'].includes(String(plan['Relation Name']))) out.push(String(plan['Relation Name']));
  for (const child of (plan.Plans as Record<string, unknown>[] | undefined) ?? []) seqScans(child, out);
  return out;
}

async function plansOf(url: string) {
  recording = true;
  const res = await org.owner.get(url);
  recording = false;
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const client = new pg.Client({ connectionString: ctx.database.url });
  await client.connect();
  const scans: string[] = [];
  try {
    await client.query('begin');
    await client.query('set local enable_seqscan = off');
    for (const q of recorded) {
      const { rows } = await originalClientQuery.call(client, `explain (format json) ${q.text}`, q.values) as { rows: { 'QUERY PLAN': { Plan: Record<string, unknown> }[] }[] };
      scans.push(...seqScans(rows[0]['QUERY PLAN'][0].Plan).map((t) => `${t} in: ${q.text.slice(0, 160)}`));
    }
    await client.query('rollback');
  } finally {
    await client.end();
  }
  return { queries: recorded.length, scans };
}

describe('query plans (B4)', () => {
  it.each([
    ['the default view', '/api/v1/conversations'],
    ['open & unread', '/api/v1/conversations?status=unread'],
    ['all closed', '/api/v1/conversations?status=closed'],
    ['archived', '/api/v1/conversations?status=archived'],
    ['unassigned', '/api/v1/conversations?assignee=none'],
    ['mine', '/api/v1/conversations?assignee=me'],
    ['patients, SMS, from patients', '/api/v1/conversations?contactType=patient&channel=sms&direction=inbound'],
    ['starred', '/api/v1/conversations?starred=true'],
    ['overdue', '/api/v1/conversations?overdue=true'],
    ['search by name', '/api/v1/conversations?q=Patient%201234'],
    ['search by phone typed another way', `/api/v1/conversations?q=${encodeURIComponent('(415) 500-1234')}`],
    ['search by message text', '/api/v1/conversations?q=insurance'],
    ['the unread count', '/api/v1/unread-count'],
  ])('%s uses indexes only', async (_, url) => {
    const { queries, scans } = await plansOf(url);
    expect(queries).toBeGreaterThan(0);
    expect(scans).toEqual([]);
  });

  it('a deep page reads no more rows than a first page (keyset pagination)', async () => {
    let cursor: string | null = null;
    for (let page = 0; page < 40; page++) {
      const res: { body: { nextCursor: string | null } } = await org.owner.get(`/api/v1/conversations?status=all&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      cursor = res.body.nextCursor;
    }
    expect(cursor).toBeTruthy();
    recording = true;
    await org.owner.get(`/api/v1/conversations?status=all&limit=50&cursor=${encodeURIComponent(cursor!)}`);
    recording = false;
    const pageQuery = recorded.find((q) => /^select "id" from "conversations"/.test(q.text));
    expect(pageQuery, recorded.map((q) => q.text.slice(0, 80)).join('\n')).toBeDefined();
    const client = new pg.Client({ connectionString: ctx.database.url });
    await client.connect();
    try {
      const { rows } = (await originalClientQuery.call(client, `explain (analyze, format json) ${pageQuery!.text}`, pageQuery!.values)) as { rows: { 'QUERY PLAN': { Plan: Record<string, unknown> }[] }[] };
      const limit = rows[0]['QUERY PLAN'][0].Plan;
      const scan = (limit.Plans as Record<string, unknown>[])[0];
      expect(String(scan['Node Type'])).toMatch(/Index/);
      expect(Number(scan['Actual Rows'])).toBeLessThanOrEqual(51);
    } finally {
      await client.end();
    }
  });
});
