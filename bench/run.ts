/**
 * `npm run bench`: the inbox API's read paths under load, on the demo organization plus a bulk of
 * generated conversations. Prints a table and writes bench/results.json. The full-scale data set
 * generator and the PostgreSQL-ceiling comparison come with the performance issue.
 *
 *   npm run bench -- --conversations 20000 --messages 8 --seconds 5 --connections 10
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/open.js';
import { seedDemo } from '../src/demo/seed.js';
import { systemClock, type Deps } from '../src/deps.js';
import { startRuntime } from '../src/runtime.js';
import { buildApp } from '../src/server.js';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '5000' },
    messages: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
  },
});
const volume = { conversations: Number(args.conversations), messages: Number(args.messages) };

async function generate(deps: Deps, orgId: string): Promise<void> {
  const started = Date.now();
  await deps.db.execute(sql`
    with clinics as (select array_agg(id order by created_at) ids from clinics where org_id = ${orgId}),
         inbox as (select id from inboxes where org_id = ${orgId} order by created_at limit 1),
         new_contacts as (
           insert into contacts (org_id, type, name, phone)
           select ${orgId}, (case when g % 3 = 0 then 'lead' else 'patient' end)::contact_type,
                  'Bench Patient ' || g, '+1415' || lpad((2000000 + g)::text, 7, '0')
           from generate_series(1, ${volume.conversations}) g
           returning id, name)
    insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, unread, last_activity_at, created_at)
    select ${orgId}, (select ids from clinics)[1 + (row_number() over ()) % 3], (select id from inbox), c.id,
           (array['sms','email','whatsapp','sms'])[1 + (row_number() over ()) % 4]::channel,
           (row_number() over ()) % 4 = 0,
           now() - ((row_number() over ()) || ' minutes')::interval, now() - interval '30 days'
    from new_contacts c`);
  await deps.db.execute(sql`
    insert into messages (org_id, conversation_id, direction, channel, body, status, sender_user_id, created_at, status_at)
    select c.org_id, c.id, d.direction::direction, c.channel,
           (array['Can I move my appointment to Thursday?', 'Your cleaning is confirmed for 9:30.', 'Is my crown covered by insurance?',
                  'Please send the invoice for my last visit.', 'The numbness should wear off in a few hours.'])[1 + (n + length(c.id::text)) % 5] || ' #' || n,
           (case when d.direction = 'inbound' then 'read' else 'delivered' end)::message_status,
           case when d.direction = 'outbound' then (select id from users where org_id = c.org_id and role = 'main_admin') end,
           c.last_activity_at - ((${volume.messages} - n) || ' hours')::interval, c.last_activity_at
    from conversations c
    cross join generate_series(1, ${volume.messages}) n
    cross join lateral (select case when n % 2 = 1 then 'inbound' else 'outbound' end as direction) d
    where c.org_id = ${orgId} and c.last_message_id is null`);
  await deps.db.execute(sql`
    update conversations c set last_message_id = m.id
    from (select distinct on (conversation_id) conversation_id, id from messages where org_id = ${orgId} order by conversation_id, created_at desc) m
    where m.conversation_id = c.id and c.org_id = ${orgId} and c.last_message_id is null`);
  await deps.db.execute(sql`analyze`);
  console.log(`generated ${volume.conversations} conversations × ${volume.messages} messages in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-bench-'));
  await fs.chmod(dataDir, 0o755);
  const config = { ...loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' }), sessionIdleMinutes: 600 };
  const database = await openConfiguredDatabase(config, () => {});
  const runtime = await startRuntime(config, database, { clock: systemClock, worker: true });
  const deps: Deps = runtime.deps;
  const app = await buildApp(deps);
  try {
    await seedDemo(deps);
    const [{ org_id: orgId }] = (await deps.db.execute<{ org_id: string }>(sql`select org_id from users where email = 'owner@demo.frontdesk.test'`)).rows;
    await generate(deps, orgId);
    const address = await app.listen({ port: 0, host: '127.0.0.1' });
    const login = await fetch(`${address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'owner@demo.frontdesk.test', password: 'frontdesk-demo' }),
    });
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const threadId = (await (await fetch(`${address}/api/v1/conversations?limit=1`, { headers: { cookie } })).json()).items[0].id;

    const scenarios: [string, string][] = [
      ['list: default (all open)', '/api/v1/conversations'],
      ['list: open & unread', '/api/v1/conversations?status=unread'],
      ['list: unassigned patients, sms', '/api/v1/conversations?assignee=none&contactType=patient&channel=sms'],
      ['search: name', '/api/v1/conversations?q=Maria'],
      ['search: phone (415) 555-0134', `/api/v1/conversations?q=${encodeURIComponent('(415) 555-0134')}`],
      ['search: message text', '/api/v1/conversations?q=insurance'],
      ['thread: open one', `/api/v1/conversations/${threadId}`],
      ['unread count', '/api/v1/unread-count'],
    ];
    const results = [];
    for (const [name, url] of scenarios) {
      const r = await autocannon({
        url: `${address}${url}`,
        headers: { cookie },
        connections: Number(args.connections),
        duration: Number(args.seconds),
      });
      if (r.non2xx) throw new Error(`${name}: ${r.non2xx} non-2xx answers`);
      results.push({ name, url, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average) });
      console.log(`${name.padEnd(36)} p50 ${String(r.latency.p50).padStart(4)} ms   p99 ${String(r.latency.p99).padStart(4)} ms   ${String(Math.round(r.requests.average)).padStart(6)} req/s`);
    }
    const out = { at: new Date().toISOString(), machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, database: config.databaseUrl ? 'DATABASE_URL' : 'embedded', volume, connections: Number(args.connections), results };
    await fs.writeFile(path.join(import.meta.dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  } finally {
    await app.close();
    await runtime.close();
    await database.close();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();
