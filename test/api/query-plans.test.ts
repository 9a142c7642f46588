/**
 * B4: every list and search query the inbox runs has an index to use. The test records the SQL each
 * route sends, then asks PostgreSQL for its plan with sequential scans priced out: a plan that still
 * scans conversations or messages end to end has no index for that query and fails the test.
 */
import { sql } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { encodeCursor } from '../../src/db/keyset.js';
import { benchPassword, seedDataSet } from '../../bench/dataset.js';
import { type Client, setupApp, signIn, type TestContext } from '../helpers.js';

let ctx: TestContext;
let owner: Client;
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
  // PLANS_DATABASE_URL names a database `npm run bench:seed` filled (the full set); without it the
  // test builds the same shape at a size a test can afford (~10 s): one organization, so its 55,000
  // conversations make 1,100 pages of 50, and the planner decides with real statistics.
  const fullSet = process.env.PLANS_DATABASE_URL;
  ctx = await setupApp({}, { databaseUrl: fullSet });
  if (!fullSet) await seedDataSet(ctx.deps.db, ctx.deps.keys, { orgs: 1, clinics: 3, contacts: 60_000, conversations: 55_000, messages: 220_000 });
  // The data set's texts are bound to their column only (bench/dataset.ts): a process restarted after the seed reads them.
  await ctx.runtime.useKeys(ctx.deps.keys);
  owner = await signIn(ctx.app, 'owner@org1.bench.test', benchPassword);
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    record(args);
    return originalClientQuery.apply(this, args);
  } as never;
  // Seeding 220,000 messages takes ~10 s alone and over a minute beside other suites on 2 cores.
}, 240_000);

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
  const res = await owner.get(url);
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

  it('plans against a realistic data set: names drawn per row (commonest surname 1–5%), valid phone numbers', async () => {
    const { rows } = await ctx.deps.db.execute<{ surname: string; share: number; names: number }>(sql`
      select split_part(name, ' ', 2) as surname, count(*)::float / sum(count(*)) over () as share, count(*) over ()::int as names
      from contacts where email is null or email not like '%bench.test' group by 1 order by count(*) desc limit 1`);
    expect(rows[0].share).toBeGreaterThan(0.01);
    expect(rows[0].share).toBeLessThan(0.05);
    expect(rows[0].names).toBeGreaterThan(200);
    const { rows: phones } = await ctx.deps.db.execute<{ phone: string }>(sql`select phone from contacts where phone is not null order by random() limit 2000`);
    const invalid = phones.map((p) => p.phone).filter((p) => !parsePhoneNumberFromString(p)?.isValid());
    expect(invalid).toEqual([]);
  });

  it('page 1,000 reads no more than page 1 (keyset pagination)', async () => {
    const [deep] = (await ctx.deps.db.execute<{ at: Date; id: string }>(sql`
      select last_activity_at as at, id from conversations where org_id = (select org_id from users where email = 'owner@org1.bench.test')
      order by last_activity_at desc, id desc offset ${999 * 50 - 1} limit 1`)).rows;
    const first = await pageCost('/api/v1/conversations?status=all&limit=50');
    const thousandth = await pageCost(`/api/v1/conversations?status=all&limit=50&cursor=${encodeCursor({ at: new Date(deep.at), id: deep.id })}`);
    expect(thousandth.items).toBe(50);
    expect(thousandth.indexRows).toBeLessThanOrEqual(51);
    expect(thousandth.buffers).toBeLessThanOrEqual(first.buffers * 1.5 + 20);
  });
});

/** What one page of the list costs PostgreSQL: buffers touched by all its queries, rows its page query's index scan read. */
async function pageCost(url: string) {
  recording = true;
  const res = await owner.get(url);
  recording = false;
  expect(res.status).toBe(200);
  const pageQuery = recorded.find((q) => /^select "id" from "conversations"/.test(q.text));
  expect(pageQuery, recorded.map((q) => q.text.slice(0, 80)).join('\n')).toBeDefined();
  const client = new pg.Client({ connectionString: ctx.database.url });
  await client.connect();
  try {
    let buffers = 0;
    let indexRows = Infinity;
    for (const q of recorded) {
      const { rows } = (await originalClientQuery.call(client, `explain (analyze, buffers, format json) ${q.text}`, q.values)) as { rows: { 'QUERY PLAN': { Plan: Record<string, unknown> }[] }[] };
      const plan = rows[0]['QUERY PLAN'][0].Plan;
      buffers += Number(plan['Shared Hit Blocks'] ?? 0) + Number(plan['Shared Read Blocks'] ?? 0);
      if (q === pageQuery) {
        const scan = (plan.Plans as Record<string, unknown>[])[0];
        expect(String(scan['Node Type'])).toMatch(/Index/);
        indexRows = Number(scan['Actual Rows']);
      }
    }
    recorded.length = 0;
    return { items: (res.body as { items: unknown[] }).items.length, buffers, indexRows };
  } finally {
    await client.end();
  }
}
