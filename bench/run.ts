/**
 * `npm run bench`: the inbox API's read paths under load, on the demo organization plus a bulk of
 * generated conversations. Prints a table and writes bench/results.json. The full-scale data set
 * generator and the PostgreSQL-ceiling comparison come with the performance issue.
 *
 *   npm run bench -- --conversations 20000 --messages 8 --seconds 5 --connections 10 --sends 200
 *
 * Providers are local: a Twilio-speaking server on loopback receives the sends.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import pg from 'pg';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../src/config.js';
import { openConfiguredDatabase } from '../src/db/open.js';
import { seedDemo } from '../src/demo/seed.js';
import { systemClock, type Deps } from '../src/deps.js';
import { startRuntime } from '../src/runtime.js';
import { twilioSignature } from '../src/channels/sms/twilio.js';
import { FakeTwilio } from '../test/fakes/twilio.js';
import type { KeyRing } from '../src/encryption/keys.js';
import { acceptColumnBoundTexts, pgArray, storedPhrases } from './dataset.js';
import { recordRead, recordSend, replayRead, replaySend } from './send-replay.js';
import { buildApp } from '../src/server.js';
import { deliverTask, inboundTask } from '../src/delivery/queue.js';
import { pushTask } from '../src/notifications/push.js';
import { webhookDeliverTask } from '../src/hooks/queue.js';

const { values: args } = parseArgs({
  options: {
    conversations: { type: 'string', default: '5000' },
    messages: { type: 'string', default: '8' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '10' },
    sends: { type: 'string', default: '200' },
    'sse-clients': { type: 'string', default: '500' },
    /** Signed inbound webhooks posted at once. */
    burst: { type: 'string', default: '10000' },
    /** Only the inbound scenarios (a quick look while working on the worker); results.json is left alone. */
    'inbound-only': { type: 'boolean', default: false },
    /** Only the spread send scenario and its PostgreSQL-alone replay; results.json is left alone. */
    'send-only': { type: 'boolean', default: false },
    /** Only the read scenarios (lists, searches, thread, unread count) and their PostgreSQL-alone replays; results.json is left alone. */
    'reads-only': { type: 'boolean', default: false },
    /** Only the 20- and 200-staff-online scenarios; results.json is left alone. */
    'staff-only': { type: 'boolean', default: false },
    /** Use the data already in DATABASE_URL (from `npm run bench:seed`) instead of generating some. */
    seeded: { type: 'boolean', default: false },
    /** The worker in a process of its own (`--role worker`) beside the web process (`--role web`), as docs/deploying.md suggests at scale. */
    'split-worker': { type: 'boolean', default: false },
    /** Write the server's CPU profile (node --cpu-prof) into this folder when it stops. */
    profile: { type: 'string' },
  },
});
const volume = { conversations: Number(args.conversations), messages: Number(args.messages) };

async function generate(deps: Deps, orgId: string): Promise<void> {
  const started = Date.now();
  await acceptColumnBoundTexts(deps.db);
  const stored = storedPhrases(deps.keys, orgId, ['Can I move my appointment to Thursday?', 'Your cleaning is confirmed for 9:30.', 'Is my crown covered by insurance?', 'Please send the invoice for my last visit.', 'The numbness should wear off in a few hours.']);
  const phrases = { bodies: pgArray(stored.bodies), vectors: pgArray(stored.vectors) };
  await deps.db.execute(sql`
    with clinics as (select array_agg(id order by created_at) ids from clinics where org_id = ${orgId}),
         inbox as (select id from inboxes where org_id = ${orgId} order by created_at limit 1),
         new_contacts as (
           insert into contacts (org_id, type, name, phone)
           select ${orgId}, (case when g % 3 = 0 then 'lead' else 'patient' end)::contact_type,
                  'Bench Patient ' || g, '+1415' || lpad((2000000 + g)::text, 7, '0')
           from generate_series(1, ${volume.conversations}) g
           returning id, name)
    insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, unread, last_activity_at, created_at)
    select ${orgId}, (select ids from clinics)[1 + (row_number() over ()) % 3], (select id from inbox), c.id,
           (array['sms','email','whatsapp','sms'])[1 + (row_number() over ()) % 4]::channel,
           (array['sms','email','whatsapp','sms'])[1 + (row_number() over ()) % 4]::channel,
           (row_number() over ()) % 4 = 0,
           now() - ((row_number() over ()) || ' minutes')::interval, now() - interval '30 days'
    from new_contacts c`);
  await deps.db.execute(sql`
    insert into messages (org_id, conversation_id, direction, channel, body, search, status, sender_user_id, created_at, status_at)
    select c.org_id, c.id, d.direction::direction, c.channel,
           (${phrases.bodies}::text[])[1 + (n + length(c.id::text)) % 5], (${phrases.vectors}::text[])[1 + (n + length(c.id::text)) % 5]::tsvector,
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

type Row = { name: string; p50: number; p99: number; rps: number; note?: string };

function print(row: Row): void {
  console.log(`${row.name.padEnd(40)} p50 ${String(row.p50).padStart(5)} ms   p99 ${String(row.p99).padStart(5)} ms   ${String(row.rps).padStart(6)} /s${row.note ? `   ${row.note}` : ''}`);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

interface Probes {
  name: string;
  commonest: { surname: string; contacts: number };
  phone: string;
  word: string;
}

/** Search probes drawn from the data: a patient's surname, the commonest surname, and a word of a message in their thread. */
async function drawProbes(deps: Deps, address: string, cookie: string, orgId: string, probe: { name: string; phone: string; conversation_id: string }): Promise<Probes> {
  const [commonest] = (
    await deps.db.execute<{ surname: string; contacts: number }>(sql`
      select split_part(name, ' ', 2) as surname, count(*)::int as contacts from contacts where org_id = ${orgId} and name like '% %' group by 1 order by 2 desc limit 1`)
  ).rows;
  const thread = await (await fetch(`${address}/api/v1/conversations/${probe.conversation_id}`, { headers: { cookie } })).json();
  const words = (thread.messages as { body: string }[]).flatMap((m) => m.body.split(/[^\p{L}]+/u)).filter((w) => w.length >= 5);
  return { name: probe.name.split(' ')[1] ?? probe.name, commonest, phone: probe.phone, word: words[0]?.toLowerCase() ?? 'appointment' };
}

/**
 * The reads staff do, each measured through the API and then as PostgreSQL alone running the very
 * statements the route ran for it (recorded once through the in-process app: the session's lookup,
 * the page, its joins), over as many connections — the issue's "same SQL, same connections". The
 * notes say each target met or missed: lists, filters and the thread ≥ 50% of PostgreSQL alone,
 * the unread count at least as fast as the default list, every search ≥ 25% of the default list.
 */
async function readScenarios(deps: Deps, databaseUrl: string, address: string, cookie: string, threadId: string, probe: Probes): Promise<Row[]> {
  const typedPhone = `(${probe.phone.slice(2, 5)}) ${probe.phone.slice(5, 8)}-${probe.phone.slice(8)}`;
  type Kind = 'list' | 'search' | 'thread' | 'unread';
  const scenarios: [string, string, Kind][] = [
    ['list: default (all open)', '/api/v1/conversations', 'list'],
    ['list: open & unread', '/api/v1/conversations?status=unread', 'list'],
    ['list: unassigned patients, sms', '/api/v1/conversations?assignee=none&contactType=patient&channel=sms', 'list'],
    ['list: overdue', '/api/v1/conversations?overdue=true', 'list'],
    [`search: name "${probe.name}"`, `/api/v1/conversations?q=${encodeURIComponent(probe.name)}`, 'search'],
    [`search: commonest surname "${probe.commonest.surname}" (${probe.commonest.contacts} contacts)`, `/api/v1/conversations?q=${encodeURIComponent(probe.commonest.surname)}`, 'search'],
    [`search: two letters "${probe.name.slice(0, 2)}"`, `/api/v1/conversations?q=${encodeURIComponent(probe.name.slice(0, 2))}`, 'search'],
    [`search: one letter "${probe.name.slice(0, 1)}"`, `/api/v1/conversations?q=${encodeURIComponent(probe.name.slice(0, 1))}`, 'search'],
    [`search: phone ${typedPhone}`, `/api/v1/conversations?q=${encodeURIComponent(typedPhone)}`, 'search'],
    [`search: message word "${probe.word}"`, `/api/v1/conversations?q=${encodeURIComponent(probe.word)}`, 'search'],
    ['search: a word nothing contains', '/api/v1/conversations?q=zyxwvutsrq', 'search'],
    ['thread: open one', `/api/v1/conversations/${threadId}`, 'thread'],
    ['unread count', '/api/v1/unread-count', 'unread'],
  ];
  const app = await buildApp(deps);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(args.connections) });
  const rows: Row[] = [];
  let defaultList: Row | undefined;
  const verdict = (met: boolean) => (met ? 'met' : 'missed');
  try {
    for (const [name, url, kind] of scenarios) {
      const r = await autocannon({ url: `${address}${url}`, headers: { cookie }, connections: Number(args.connections), duration: Number(args.seconds) });
      if (r.non2xx) throw new Error(`${name}: ${r.non2xx} non-2xx answers`);
      const row: Row = { name, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average) };
      defaultList ??= row;
      const statements = await recordRead(app, cookie, url);
      const raw = await measurePool(pool, `  PostgreSQL alone: its ${statements.length} statements`, Number(args.seconds), Number(args.connections), (c) => replayRead(c, statements), false);
      const share = Math.round((row.rps / raw.rps) * 100);
      const ofList = Math.round((row.rps / defaultList.rps) * 100);
      row.note =
        kind === 'search'
          ? `${ofList}% of the default list (target ≥ 25%: ${verdict(ofList >= 25)}); ${share}% of PostgreSQL alone`
          : kind === 'unread'
            ? `${ofList}% of the default list (target ≥ 100%: ${verdict(ofList >= 100)}); ${share}% of PostgreSQL alone`
            : `${share}% of PostgreSQL alone running its ${statements.length} statements (target ≥ 50%: ${verdict(share >= 50)})`;
      print(row);
      rows.push(row);
    }
  } finally {
    await pool.end();
    await app.close();
  }
  return rows;
}

/** `connections` clients of `pool` running `run` back to back for `seconds`: latency and rate. */
async function measurePool(pool: pg.Pool, name: string, seconds: number, connections: number, run: (c: pg.PoolClient, n: number) => Promise<unknown>, show = true): Promise<Row> {
  const times: number[] = [];
  const end = Date.now() + seconds * 1000;
  let n = 0;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      const client = await pool.connect();
      try {
        while (Date.now() < end) {
          const t0 = process.hrtime.bigint();
          await run(client, n++);
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      } finally {
        client.release();
      }
    }),
  );
  times.sort((a, b) => a - b);
  const row = { name, p50: +percentile(times, 50).toFixed(1), p99: +percentile(times, 99).toFixed(1), rps: Math.round(times.length / seconds) };
  if (show) print(row);
  return row;
}

/**
 * The ceiling: what PostgreSQL alone does here for the default list (the two statements the API
 * runs: the page's ids off the activity index, then the rows with their joins) and for storing a
 * message, with as many connections as the HTTP clients. Every API figure is read against these.
 */
async function rawCeiling(databaseUrl: string, keys: KeyRing, orgId: string, conversationId: string, seconds: number, connections: number): Promise<{ list: Row; insert: Row }> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: connections });
  const listSql = `with page as (
      select id from conversations where org_id = $1 and hidden_at is null and held_at is null and status = 'open' and archived_at is null
      order by last_activity_at desc nulls last, id desc nulls last limit 51)
    select c.*, ct.name, ct.phone, m.body, m.direction, m.status, u.name as sender
    from page join conversations c using (id) join contacts ct on ct.id = c.contact_id
    left join messages m on m.id = c.last_message_id left join users u on u.id = m.sender_user_id
    order by c.last_activity_at desc, c.id desc`;
  const insertSql = `insert into messages (org_id, conversation_id, direction, channel, body, search, status, created_at, status_at)
    values ($1, $2, 'inbound', 'sms', $3, $4, 'read', now(), now())`;
  // The stored form of the probe's text, sealed once: PostgreSQL's own cost, not the encryption's.
  const probe = storedPhrases(keys, orgId, ['ceiling probe']);
  const measure = (name: string, run: (c: pg.PoolClient) => Promise<unknown>) => measurePool(pool, name, seconds, connections, run);
  try {
    const list = await measure('PostgreSQL alone: default list', (c) => c.query(listSql, [orgId]));
    // Messages are never deleted (a trigger refuses it), so the probe writes into an archived
    // conversation of its own, out of every list, where its rows stay.
    const { rows } = await pool.query<{ id: string }>(
      `with ct as (insert into contacts (org_id, type, name) values ($1, 'lead', 'Ceiling probe') returning id)
       insert into conversations (org_id, clinic_id, inbox_id, contact_id, channel, origin_channel, status, archived_at)
       select c.org_id, c.clinic_id, c.inbox_id, ct.id, 'sms', 'sms', 'closed', now() from conversations c, ct where c.id = $2 returning id`,
      [orgId, conversationId],
    );
    const insert = await measure('PostgreSQL alone: store a message', (c) => c.query(insertSql, [orgId, rows[0].id, probe.bodies[0], probe.vectors[0]]));
    return { list, insert };
  } finally {
    await pool.end();
  }
}

/** How many sends the API accepts per second (stored as queued with their job; delivery is the worker's). */
async function sendAccept(address: string, cookie: string, csrf: string, clinicId: string): Promise<Row> {
  const started = await fetch(`${address}/api/v1/conversations`, {
    method: 'POST',
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ email: `accept-${process.pid}@bench.test`, channel: 'email', clinicId, body: 'Benchmark thread' }),
  });
  const conversationId = (await started.json()).conversation.id;
  const r = await autocannon({
    url: `${address}/api/v1/conversations/${conversationId}/messages`,
    method: 'POST',
    connections: Number(args.connections),
    duration: Number(args.seconds),
    headers: { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' },
    body: JSON.stringify({ channel: 'email', body: 'Benchmark: your appointment is confirmed.' }),
  });
  if (r.non2xx) throw new Error(`send accept: ${r.non2xx} non-2xx answers`);
  const row = { name: 'send: API accepts (202, queued)', p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average) };
  print(row);
  return row;
}

/**
 * What clinics do: the bench's clients sending into 1,000 different SMS threads (no two waiting on
 * one thread's row lock), against PostgreSQL alone running the statements of one such send —
 * recorded from the route, replayed with each thread's ids — over the same number of connections.
 */
async function sendSpread(deps: Deps, databaseUrl: string, address: string, auth: { cookie: string; csrf: string }, orgId: string): Promise<Row[]> {
  const { rows: targets } = await deps.db.execute<{ conversationId: string; contactId: string }>(sql`
    select c.id as "conversationId", c.contact_id as "contactId" from conversations c join contacts ct on ct.id = c.contact_id
    where c.org_id = ${orgId} and c.channel = 'sms' and c.status = 'open' and c.archived_at is null and c.hidden_at is null and c.held_at is null
      and ct.phone is not null and not 'sms' = any(ct.opted_out) and not ct.blocked
    order by c.last_activity_at desc limit 1000`);
  if (targets.length < 2) throw new Error('send spread: the data set has no open SMS threads to send into');
  const body = 'Benchmark: your appointment is confirmed.';
  const app = await buildApp(deps);
  const recorded = await recordSend(app, auth, { ...targets[0], orgId }, body).finally(() => app.close());
  let n = 0;
  const r = await autocannon({
    url: address,
    connections: Number(args.connections),
    duration: Number(args.seconds),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => ({
          ...req,
          path: `/api/v1/conversations/${targets[n++ % targets.length].conversationId}/messages`,
          headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf, 'content-type': 'application/json' },
          body: JSON.stringify({ body }),
        }),
      },
    ],
  });
  if (r.non2xx) throw new Error(`send spread: ${r.non2xx} non-2xx answers`);
  const api: Row = { name: `send: API accepts, ${targets.length} threads`, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average) };
  print(api);
  const pool = new pg.Pool({ connectionString: databaseUrl, max: Number(args.connections) });
  try {
    const raw = await measurePool(pool, `PostgreSQL alone: a send's ${recorded.statements.length} statements`, Number(args.seconds), Number(args.connections), (client, i) =>
      replaySend(client, recorded, targets[i % targets.length]),
    );
    const share = Math.round((api.rps / raw.rps) * 100);
    api.note = `${share}% of PostgreSQL alone (target ≥ 40%: ${share >= 40 ? 'met' : 'missed'})`;
    console.log(`send spread: ${api.note}`);
    return [raw, api];
  } finally {
    await pool.end();
  }
}

/** A signed Twilio webhook (https://www.twilio.com/docs/messaging/guides/webhook-request), a new MessageSid each, from one of `senders` patients. */
function signedWebhook(deps: Deps, clinicNumber: string, authToken: string, tag: string, senders: number): autocannon.Request & { path: string } {
  const path = '/webhooks/twilio/sms';
  let n = 0;
  return {
    method: 'POST',
    path,
    setupRequest: (req) => {
      n++;
      const form = { MessageSid: `SMbench${process.pid}${tag}${n}`, AccountSid: 'ACbench', From: `+1415666${String(n % senders).padStart(4, '0')}`, To: clinicNumber, Body: `Benchmark message ${n}: can I move my appointment?`, NumMedia: '0' };
      return {
        ...req,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(authToken, deps.config.publicUrl + path, form) },
        body: new URLSearchParams(form).toString(),
      };
    },
  };
}

/** How the worker has filed inbound texts so far: together, alone, or alone after a batch fell back (its /metrics counter). */
async function filingSplit(address: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${address}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^frontdesk_inbound_filed_total\{how="(\w+)"\} (\d+)/gm)].map((m) => [m[1], Number(m[2])]));
}

/** The server's statements to the database so far (its /metrics counter). */
async function statementsSent(address: string): Promise<number> {
  const text = await (await fetch(`${address}/metrics`)).text();
  return Number(/^frontdesk_db_statements_total (\d+)/m.exec(text)?.[1] ?? NaN);
}

/** Waits (up to two minutes) until the worker has no job left to run but its schedules. */
async function queueDrained(deps: Deps): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const { rows } = await deps.db.execute<{ n: number }>(sql`
      select count(*)::int as n from graphile_worker._private_jobs j join graphile_worker._private_tasks t on t.id = j.task_id
      where t.identifier in (${deliverTask}, ${inboundTask}, ${pushTask}, ${webhookDeliverTask}) and j.attempts < j.max_attempts and j.run_at <= now()`);
    if (rows[0].n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits for the worker to file every accepted event, then reads how long each of the tagged ones took from acceptance to visible. */
async function filed(deps: Deps, tag: string): Promise<{ n: number; seconds: number; lags: number[] }> {
  for (;;) {
    const { rows } = await deps.db.execute<{ pending: number }>(sql`select count(*)::int as pending from inbound_events where processed_at is null`);
    if (rows[0].pending === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const like = `SMbench${process.pid}${tag}%`;
  const { rows } = await deps.db.execute<{ lag: number; seconds: number }>(
    sql`select extract(epoch from processed_at - received_at)::float * 1000 as lag, extract(epoch from max(processed_at) over () - min(received_at) over ())::float as seconds
        from inbound_events where provider_message_id like ${like}`,
  );
  const lags = rows.map((r) => r.lag).sort((a, b) => a - b);
  return { n: rows.length, seconds: rows[0]?.seconds ?? 0, lags };
}

/**
 * A campaign's replies arriving at once: `count` signed webhooks from 2,000 patients as fast as the
 * clients can post them; how fast they are accepted, and filed (visible in their conversations),
 * from the first acceptance to the last one filed.
 */
async function inboundBurst(deps: Deps, address: string, clinicNumber: string, authToken: string, count: number): Promise<Row[]> {
  const request = signedWebhook(deps, clinicNumber, authToken, 'b', 2000);
  const before = await statementsSent(address);
  const splitBefore = await filingSplit(address);
  const r = await autocannon({ url: `${address}${request.path}`, connections: Number(args.connections), amount: count, requests: [request] });
  if (r.non2xx) throw new Error(`inbound webhooks: ${r.non2xx} non-2xx answers`);
  const accepted = { name: 'inbound SMS webhook (signed, accepted)', p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(count / (r.duration || 1)), note: `a burst of ${count}` };
  print(accepted);
  const done = await filed(deps, 'b');
  const perMessage = ((await statementsSent(address)) - before) / done.n;
  const split = await filingSplit(address);
  const how = Object.keys(split).map((k) => `${k} ${split[k] - (splitBefore[k] ?? 0)}`).join(', ');
  const rps = Math.round(done.n / done.seconds);
  const filedRow = {
    name: 'inbound burst → filed in its conversation',
    p50: Math.round(percentile(done.lags, 50)),
    p99: Math.round(percentile(done.lags, 99)),
    rps,
    note: `${done.n} filed in ${done.seconds.toFixed(1)} s (${how || 'split not reported'}), ${perMessage.toFixed(1)} statements each, ${args['split-worker'] ? 'of the web process alone (the worker is another process)' : 'webhook included'} (target ≥ 1,000/s: ${rps >= 1000 ? 'met' : 'missed'})`,
  };
  print(filedRow);
  return [accepted, filedRow];
}

/** Inbound at a steady `rate` a second: from each webhook's acceptance to its message being visible. */
async function inboundSteady(deps: Deps, address: string, clinicNumber: string, authToken: string, rate: number): Promise<Row> {
  const request = signedWebhook(deps, clinicNumber, authToken, 's', 2000);
  const r = await autocannon({ url: `${address}${request.path}`, connections: Number(args.connections), overallRate: rate, duration: Number(args.seconds), requests: [request] });
  if (r.non2xx) throw new Error(`inbound webhooks: ${r.non2xx} non-2xx answers`);
  const done = await filed(deps, 's');
  const p99 = Math.round(percentile(done.lags, 99));
  const row = { name: `inbound at ${rate}/s → visible`, p50: Math.round(percentile(done.lags, 50)), p99, rps: Math.round(done.n / Number(args.seconds)), note: `${done.n} webhooks (target p99 ≤ 2,000 ms: ${p99 <= 2000 ? 'met' : 'missed'})` };
  print(row);
  return row;
}

/**
 * P1: messages from the public page, each from its own client address (X-Forwarded-For behind a
 * trusted proxy) and email, so the per-client rate limits stay on but do not refuse the load.
 */
async function publicPosts(address: string, slug: string): Promise<Row & { guestPath: string }> {
  let n = 0;
  const r = await autocannon({
    url: `${address}/api/v1/public/clinics/${slug}/messages`,
    connections: Number(args.connections),
    duration: Number(args.seconds),
    requests: [
      {
        method: 'POST',
        setupRequest: (req) => {
          n++;
          const client = `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
          return {
            ...req,
            headers: { 'content-type': 'application/json', 'x-forwarded-for': client },
            body: JSON.stringify({ name: `Guest ${n}`, email: `guest${process.pid}x${n}@bench.test`, body: `Benchmark question ${n}: are you taking new patients?` }),
          };
        },
      },
    ],
  });
  if (r.non2xx) throw new Error(`public posts: ${r.non2xx} non-2xx answers`);
  const row = { name: 'public page message (rate limited per client)', p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average), note: `${r['2xx']} accepted` };
  print(row);
  const last = await fetch(`${address}/api/v1/public/clinics/${slug}/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '10.255.255.254' },
    body: JSON.stringify({ name: 'Thread Reader', email: `reader${process.pid}@bench.test`, body: 'A thread to read back' }),
  });
  return { ...row, guestPath: new URL((await last.json()).guestUrl).pathname };
}

/** P1: time to first byte of the guest's private thread page, measured at the response headers. */
async function guestPageTtfb(address: string, guestPath: string, requests = 2000, concurrency = Number(args.connections)): Promise<Row> {
  const url = new URL(guestPath, address);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const times: number[] = [];
  let next = 0;
  const started = Date.now();
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const t0 = process.hrtime.bigint();
      http
        .get(url, { agent, headers: { 'x-forwarded-for': '10.254.0.1' } }, (res) => {
          times.push(Number(process.hrtime.bigint() - t0) / 1e6);
          if (res.statusCode !== 200) reject(new Error(`guest page answered ${res.statusCode}`));
          res.resume();
          res.on('end', resolve);
        })
        .on('error', reject);
    });
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next++ < requests) await one();
  }));
  agent.destroy();
  times.sort((a, b) => a - b);
  const row = { name: 'guest thread page, time to first byte', p50: Math.round(percentile(times, 50)), p99: Math.round(percentile(times, 99)), rps: Math.round(requests / ((Date.now() - started) / 1000)), note: `${requests} requests` };
  print(row);
  return row;
}

/** Idle: one message at a time, from the API's answer to the provider receiving the request. */
async function sendToProvider(address: string, cookie: string, csrf: string, clinicId: string, twilio: FakeTwilio): Promise<Row & { conversationId: string }> {
  const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
  const started = await fetch(`${address}/api/v1/conversations`, { method: 'POST', headers, body: JSON.stringify({ phone: '+14155550177', channel: 'sms', clinicId, body: 'warm-up' }) });
  const conversationId = (await started.json()).conversation.id;
  const samples: number[] = [];
  const total = Number(args.sends);
  for (let i = 0; i < total; i++) {
    const before = twilio.sends.length;
    const t0 = performance.now();
    const res = await fetch(`${address}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers, body: JSON.stringify({ body: `Reminder ${i}` }) });
    if (res.status !== 202) throw new Error(`send answered ${res.status}`);
    while (twilio.sends.length === before) await new Promise((r) => setTimeout(r, 1));
    samples.push(twilio.sends[before].at - t0);
  }
  samples.sort((a, b) => a - b);
  const row = { name: 'send: API call → provider receives it', p50: Math.round(percentile(samples, 50) * 10) / 10, p99: Math.round(percentile(samples, 99) * 10) / 10, rps: 0, note: `${total} sends, one at a time` };
  print(row);
  return { ...row, conversationId };
}

/** The web app's first load: the JavaScript and CSS index.html pulls in, gzipped. */
async function webBundle(): Promise<Row> {
  const { build } = await import('vite');
  await build({ configFile: path.join(import.meta.dirname, '..', 'vite.config.ts'), logLevel: 'warn' });
  const dist = path.join(import.meta.dirname, '..', 'dist', 'web');
  const html = await fs.readFile(path.join(dist, 'index.html'), 'utf8');
  const assets = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+)"/g)].map((m) => m[1]!);
  let js = 0;
  let css = 0;
  for (const asset of assets) {
    const gz = gzipSync(await fs.readFile(path.join(dist, asset))).length;
    if (asset.endsWith('.js')) js += gz;
    else css += gz;
  }
  const row = { name: 'web app first load (gzip)', p50: 0, p99: 0, rps: 0, note: `${(js / 1024).toFixed(1)} KB JavaScript + ${(css / 1024).toFixed(1)} KB CSS` };
  print(row);
  return row;
}

/** B1: from a message being sent to each of `clients` open event streams hearing of it. */
/** The event name of one Server-Sent Events block (which may start with its `id:` line). */
const eventOf = (block: string) => /^event: (.+)$/m.exec(block)?.[1];

async function sseFanOut(address: string, cookie: string, csrf: string, conversationId: string, clients: number, messages: number): Promise<Row> {
  const arrivals = new Map<string, number[]>();
  const sentAt = new Map<string, number>();
  const requests: http.ClientRequest[] = [];
  let ready = 0;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < clients; i++) {
      const req = http.get(`${address}/api/v1/events`, { headers: { cookie, accept: 'text/event-stream' }, agent: false }, (res) => {
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const now = performance.now();
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (eventOf(block) === 'ready' && ++ready === clients) resolve();
            if (eventOf(block) === 'message.created') {
              const id = JSON.parse(block.split('data: ')[1]!).messageId as string;
              arrivals.set(id, [...(arrivals.get(id) ?? []), now]);
            }
          }
        });
      });
      req.on('error', reject);
      requests.push(req);
    }
  });
  const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
  for (let i = 0; i < messages; i++) {
    const t0 = performance.now();
    const res = await fetch(`${address}/api/v1/conversations/${conversationId}/messages`, { method: 'POST', headers, body: JSON.stringify({ body: `Fan-out ${i}` }) });
    if (res.status !== 202) throw new Error(`fan-out send answered ${res.status}: ${await res.text()}`);
    const { id } = (await res.json()) as { id: string };
    sentAt.set(id, t0);
    const deadline = Date.now() + 10_000;
    while ((arrivals.get(id)?.length ?? 0) < clients && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 200));
  }
  requests.forEach((r) => r.destroy());
  const samples = [...sentAt].flatMap(([id, t0]) => (arrivals.get(id) ?? []).map((t) => t - t0)).sort((a, b) => a - b);
  const expected = clients * messages;
  const row = {
    name: `SSE: send → ${clients} open streams`,
    p50: Math.round(percentile(samples, 50) * 10) / 10,
    p99: Math.round(percentile(samples, 99) * 10) / 10,
    rps: 0,
    note: `${samples.length}/${expected} deliveries, ${messages} messages`,
  };
  print(row);
  return row;
}

/** `count` receptionists of the organization with every clinic, signed in: the session cookies. Made once per run, shared by the staff scenarios. */
async function staffSessions(deps: Deps, address: string, owner: { email: string; password: string }, orgId: string, count: number): Promise<string[]> {
  const tag = `s${process.pid}`;
  // The owner's hash: every one of them signs in with the owner's password, without hashing 200 passwords here.
  await deps.db.execute(sql`
    with made as (
      insert into users (org_id, name, email, password_hash, role, privileges)
      select ${orgId}, 'Bench Staff ' || g, ${tag} || '-' || g || '@staff.bench.test', u.password_hash, 'receptionist', '{send_messages,inbox,contacts}'
      from generate_series(1, ${count}) g, users u where u.email = ${owner.email}
      returning id)
    insert into user_clinics (user_id, clinic_id) select made.id, c.id from made, clinics c where c.org_id = ${orgId}`);
  const cookies: string[] = [];
  for (let g = 1; g <= count; g++) {
    const res = await fetch(`${address}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: `${tag}-${g}@staff.bench.test`, password: owner.password }) });
    if (res.status !== 200) throw new Error(`staff sign-in answered ${res.status}: ${await res.text()}`);
    cookies.push(res.headers.get('set-cookie')!.split(';')[0]);
  }
  return cookies;
}

/**
 * Issue 21: `cookies.length` different staff with an open event stream each while patients text
 * at `rate` a second: how long each inbound message takes from being filed (its created_at) to
 * reaching every stream, and the server's statements per inbound message — which must not grow
 * with the people online.
 */
async function staffOnline(deps: Deps, address: string, clinicNumber: string, authToken: string, cookies: string[], rate: number): Promise<Row> {
  const arrivals: { id: string; at: number }[] = [];
  const requests: http.ClientRequest[] = [];
  let ready = 0;
  await new Promise<void>((resolve, reject) => {
    for (const cookie of cookies) {
      const req = http.get(`${address}/api/v1/events`, { headers: { cookie, accept: 'text/event-stream' }, agent: false }, (res) => {
        if (res.statusCode !== 200) reject(new Error(`event stream answered ${res.statusCode}`));
        let buffer = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = Date.now();
          buffer += chunk;
          let end;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const block = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (eventOf(block) === 'ready' && ++ready === cookies.length) resolve();
            if (eventOf(block) === 'message.created') arrivals.push({ id: JSON.parse(block.split('data: ')[1]!).messageId as string, at });
          }
        });
      });
      req.on('error', reject);
      requests.push(req);
    }
  });
  const tag = `u${cookies.length}x`;
  const request = signedWebhook(deps, clinicNumber, authToken, tag, 500);
  const before = await statementsSent(address);
  const r = await autocannon({ url: `${address}${request.path}`, connections: 5, overallRate: rate, duration: Number(args.seconds), requests: [request] });
  if (r.non2xx) throw new Error(`inbound webhooks: ${r.non2xx} non-2xx answers`);
  const done = await filed(deps, tag);
  // The streams' last deliveries and the unread counts they read.
  await new Promise((res) => setTimeout(res, 1000));
  const perMessage = ((await statementsSent(address)) - before) / done.n;
  requests.forEach((req) => req.destroy());
  const like = `SMbench${process.pid}${tag}%`;
  const { rows } = await deps.db.execute<{ id: string; at: number }>(
    sql`select id, (extract(epoch from created_at) * 1000)::float8 as at from messages where channel = 'sms' and provider_message_id like ${like}`,
  );
  const createdAt = new Map(rows.map((m) => [m.id, m.at]));
  const samples = arrivals.filter((a) => createdAt.has(a.id)).map((a) => a.at - createdAt.get(a.id)!).sort((a, b) => a - b);
  const p99 = Math.round(percentile(samples, 99));
  // The fan-out alone: from a message's first stream to its last (what grows with the people online).
  const reach = new Map<string, { first: number; last: number }>();
  for (const a of arrivals) {
    const r = reach.get(a.id);
    reach.set(a.id, r ? { first: Math.min(r.first, a.at), last: Math.max(r.last, a.at) } : { first: a.at, last: a.at });
  }
  const spread = [...reach.values()].map((r) => r.last - r.first).sort((a, b) => a - b);
  const row = {
    name: `staff online: ${cookies.length} users, inbound ${rate}/s`,
    p50: Math.round(percentile(samples, 50)),
    p99,
    rps: Math.round(done.n / Number(args.seconds)),
    note: `${samples.length}/${rows.length * cookies.length} deliveries, from the message's filing transaction to every stream; first stream to last p99 ${Math.round(percentile(spread, 99))} ms; ${perMessage.toFixed(1)} statements per inbound message (target p99 ≤ 100 ms: ${p99 <= 100 ? 'met' : 'missed'})`,
  };
  print(row);
  return row;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** The server runs as `npm start` would, in its own process, so the load generator does not share its event loop. */
async function startServer(env: Record<string, string | undefined>): Promise<{ address: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const split = args['split-worker'];
  const profile = args.profile ? ['--cpu-prof', `--cpu-prof-dir=${args.profile}`] : [];
  const child = spawn('node_modules/.bin/tsx', [...profile, 'src/main.ts', ...(split ? ['--role', 'web'] : [])], { env: { ...env, PORT: String(port), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] });
  const worker = split ? spawn('node_modules/.bin/tsx', [...profile, 'src/main.ts', '--role', 'worker'], { env: { ...env, PORT: String(await freePort()), HOST: '127.0.0.1' }, stdio: ['ignore', 'ignore', 'inherit'] }) : null;
  const address = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error('the server exited');
    if (await fetch(`${address}/health`).then((r) => r.ok, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const stopped = (p: ReturnType<typeof spawn>) => new Promise<void>((resolve) => (p.once('exit', () => resolve()), p.kill('SIGTERM')));
  return { address, stop: async () => void (await Promise.all([stopped(child), ...(worker ? [stopped(worker)] : [])])) };
}

async function main(): Promise<void> {
  const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-bench-'));
  await fs.chmod(dataDir, 0o755);
  const twilio = await new FakeTwilio().start();
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
    PUBLIC_URL: 'https://bench.frontdesk.test',
    SESSION_IDLE_MINUTES: '600',
    // The public-page benchmark spreads its clients with X-Forwarded-For, as a reverse proxy would.
    TRUST_PROXY: 'true',
  };
  const config = loadConfig(env);
  const database = await openConfiguredDatabase(config, () => {});
  const runtime = await startRuntime(config, database, { clock: systemClock, worker: false, smtp: false });
  const deps: Deps = runtime.deps;
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  try {
    if (args.seeded && !config.databaseUrl) throw new Error('--seeded reads the data set at DATABASE_URL: run npm run bench:seed against it first');
    const owner = args.seeded ? { email: 'owner@org1.bench.test', password: 'frontdesk-bench' } : { email: 'owner@demo.frontdesk.test', password: 'frontdesk-demo' };
    if (!args.seeded) await seedDemo(deps);
    const [{ org_id: orgId }] = (await deps.db.execute<{ org_id: string }>(sql`select org_id from users where email = ${owner.email}`)).rows;
    if (!args.seeded) await generate(deps, orgId);
    const [probe] = (
      await deps.db.execute<{ name: string; phone: string; conversation_id: string }>(sql`
        select ct.name, ct.phone, c.id as conversation_id from conversations c join contacts ct on ct.id = c.contact_id
        where c.org_id = ${orgId} and ct.phone like '+1%' and length(ct.phone) = 12 and ct.name ~ '^[[:alpha:]]+ [[:alpha:]'' -]+$' order by c.last_activity_at desc limit 1`)
    ).rows;
    server = await startServer(env);
    const { address } = server;
    const login = await fetch(`${address}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(owner),
    });
    const me = await login.json();
    const cookie = login.headers.get('set-cookie')!.split(';')[0];
    const post = (url: string, body: unknown) =>
      fetch(`${address}${url}`, { method: 'POST', headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    // A second run on the same data set finds the number the first one bought.
    const bought = await post('/api/v1/sms-inbox', { phoneNumber: '+14155550199' });
    const clinicNumber = bought.status === 409 ? (await (await fetch(`${address}/api/v1/sms-inbox`, { headers: { cookie } })).json()).phoneNumber : (await bought.json()).phoneNumber;
    // A patient's thread of the data set, not one an earlier run's send benchmark filled with thousands.
    const threadId = probe.conversation_id;

    const staffScenarios = async () => {
      // Measured on their own: the sends queued by the scenarios before (held back by the burst's filing) delivered first.
      await queueDrained(deps);
      const cookies = await staffSessions(deps, address, owner, orgId, 200);
      return [await staffOnline(deps, address, clinicNumber, twilio.authToken, cookies.slice(0, 20), 20), await staffOnline(deps, address, clinicNumber, twilio.authToken, cookies, 20)];
    };
    if (args['staff-only']) {
      await staffScenarios();
      return;
    }
    if (args['send-only']) {
      await sendSpread(deps, database.url, address, { cookie, csrf: me.csrfToken }, orgId);
      return;
    }
    if (args['inbound-only']) {
      await inboundBurst(deps, address, clinicNumber, twilio.authToken, Number(args.burst));
      await inboundSteady(deps, address, clinicNumber, twilio.authToken, 300);
      return;
    }
    if (args['reads-only']) {
      await readScenarios(deps, database.url, address, cookie, threadId, await drawProbes(deps, address, cookie, orgId, probe));
      return;
    }
    const ceiling = await rawCeiling(database.url, deps.keys, orgId, threadId, Number(args.seconds), Number(args.connections));
    const reads = await readScenarios(deps, database.url, address, cookie, threadId, await drawProbes(deps, address, cookie, orgId, probe));
    const accept = await sendAccept(address, cookie, me.csrfToken, me.clinics[0].id);
    const spread = await sendSpread(deps, database.url, address, { cookie, csrf: me.csrfToken }, orgId);
    const results = [
      ceiling.list,
      ceiling.insert,
      ...reads,
      accept,
      ...spread,
      ...(await inboundBurst(deps, address, clinicNumber, twilio.authToken, Number(args.burst))),
      await inboundSteady(deps, address, clinicNumber, twilio.authToken, 300),
      ...(await staffScenarios()),
    ];
    const ratio = (api: Row, raw: Row) => `${Math.round((api.rps / raw.rps) * 100)}% of PostgreSQL alone`;
    console.log(`\nlist (default view): ${ratio(reads[0], ceiling.list)}; send accept: ${ratio(accept, ceiling.insert)}`);
    reads[0].note = `${reads[0].note}; ${ratio(reads[0], ceiling.list)}'s one-statement list`;
    accept.note = ratio(accept, ceiling.insert);
    const [{ slug }] = (await deps.db.execute<{ slug: string }>(sql`select slug from clinics where org_id = ${orgId} order by created_at limit 1`)).rows;
    const guest = await publicPosts(address, slug);
    results.push(guest, await guestPageTtfb(address, guest.guestPath));
    const send = await sendToProvider(address, cookie, me.csrfToken, me.clinics[0].id, twilio);
    results.push(
      send,
      await sseFanOut(address, cookie, me.csrfToken, send.conversationId, Number(args['sse-clients']), 20),
      await webBundle(),
    );
    const out = { at: new Date().toISOString(), machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`, database: config.databaseUrl ? 'DATABASE_URL' : 'embedded', volume: args.seeded ? 'npm run bench:seed data set' : volume, connections: Number(args.connections), results };
    await fs.writeFile(path.join(import.meta.dirname, 'results.json'), JSON.stringify(out, null, 2) + '\n');
  } finally {
    await server?.stop();
    await runtime.close();
    await database.close();
    await twilio.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  }
}

await main();
