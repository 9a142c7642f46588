/**
 * Issue 8, faults. (1) The server process is killed (SIGKILL) in the middle of a burst of staff sends
 * and signed inbound SMS webhooks, then started again: every request it had accepted is stored exactly
 * once and every accepted send reaches the provider. (2) PostgreSQL stops under load: requests get a
 * clean 503 problem, the process stays up, and it serves again once PostgreSQL is back. Both servers
 * log at info level to files, which are then searched for every message text the test sent: none
 * may appear (no PHI in logs).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.js';
import { FakeTwilio } from '../fakes/twilio.js';
import { dropDatabase, prepareTemplate, withDatabase } from '../setup/template.js';
import { stopAll, until } from './support.js';
import { testEncryptionKey } from '../helpers.js';
import { openBound } from '../../src/encryption/cipher.js';
import { keyRing, parseKey } from '../../src/encryption/keys.js';

/** TEST_DATABASE_URL's server, or the embedded one when none answers there (test/setup/postgres.ts). */
const adminUrl = inject('adminUrl');
const dbName = `frontdesk_faults_${randomBytes(4).toString('hex')}`;
const url = withDatabase(adminUrl, dbName);
const publicUrl = 'https://faults.frontdesk.test';
const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'frontdesk-faults-'));
// The embedded PostgreSQL runs as its own user (as root, `postgres`) and must reach its folder in here.
fs.chmodSync(logDir, 0o755);
const marker = `PHI-${randomBytes(4).toString('hex')}`;
const sidSuffix = randomBytes(4).toString('hex');
/** Every message text this test sends carries the marker, so the log scan can look for all of them. */
const sentTexts: string[] = [];
const children: ChildProcess[] = [];
let twilio: FakeTwilio;

beforeAll(async () => {
  await prepareTemplate(adminUrl, dbName);
  twilio = await new FakeTwilio().start();
});

afterAll(async () => {
  stopAll(children, 'SIGKILL');
  await twilio?.stop();
  await dropDatabase(adminUrl, dbName);
  fs.rmSync(logDir, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** `npm start`'s program, its output appended to a log file for the scan. */
function startServer(env: Record<string, string>, logName: string): ChildProcess {
  const out = fs.openSync(path.join(logDir, logName), 'a');
  const child = spawn('node_modules/.bin/tsx', ['src/main.ts'], { env: { ...process.env, WEB_BUILD: 'off', LOG_LEVEL: 'info', ...env }, detached: true, stdio: ['ignore', out, out] });
  children.push(child);
  return child;
}

const healthy = (base: string) => until('the server to answer', () => fetch(`${base}/health`).then((r) => r.ok), 90_000);

async function signUp(base: string) {
  const res = await fetch(`${base}/api/v1/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ organizationName: 'Fault Clinic', clinicName: 'Fault Main', name: 'Fay Owner', email: `fay-${randomBytes(3).toString('hex')}@example.com`, password: 'a long fault passphrase' }),
  });
  expect(res.status).toBe(201);
  const me = await res.json();
  const cookie = res.headers.get('set-cookie')!.split(';')[0];
  const call = (method: string, route: string, body?: unknown) =>
    fetch(`${base}${route}`, { method, headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  return { me, call };
}

describe('the server killed during a burst', () => {
  it('keeps every accepted message exactly once and delivers every accepted send', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: url,
      ENCRYPTION_KEY: testEncryptionKey,
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: publicUrl,
      SMS_PROVIDER: 'twilio',
      TWILIO_ACCOUNT_SID: twilio.accountSid,
      TWILIO_AUTH_TOKEN: twilio.authToken,
      TWILIO_API_BASE_URL: twilio.url,
      WORKER_STALE_SECONDS: '2',
    };
    const first = startServer(env, 'kill.log');
    await healthy(base);
    const { me, call } = await signUp(base);
    expect((await call('PUT', '/api/v1/plan', { plan: 'accelerator' })).status).toBe(200);
    const clinicNumber = (await (await call('POST', '/api/v1/sms-inbox', { phoneNumber: '+14155550100' })).json()).phoneNumber;
    const opening = `${marker} hello, is this the clinic?`;
    sentTexts.push(opening);
    const started = await call('POST', '/api/v1/conversations', { clinicId: me.clinics[0].id, channel: 'sms', phone: '+14155550123', body: opening });
    expect(started.status, await started.clone().text()).toBe(201);
    const conversationId = (await started.json()).conversation.id;

    // The burst: 200 staff replies and 200 patient texts at once; the process dies part-way.
    const acceptedSends: string[] = [];
    const acceptedSids: string[] = [];
    const refusedSends: string[] = [];
    const burst: Promise<void>[] = [];
    for (let i = 0; i < 200; i++) {
      const reply = `${marker} reply ${i}: your appointment is confirmed`;
      sentTexts.push(reply);
      burst.push(
        call('POST', `/api/v1/conversations/${conversationId}/messages`, { body: reply })
          .then(async (r) => {
            if (r.status === 202) acceptedSends.push((await r.json()).id);
            else refusedSends.push(`${r.status} ${(await r.text()).slice(0, 120)}`);
          })
          .catch(() => {}),
      );
      const text = `${marker} patient text ${i}: my tooth hurts`;
      sentTexts.push(text);
      const form = { MessageSid: `SMfault${i}x${sidSuffix}`, AccountSid: twilio.accountSid, From: `+1415777${String(i).padStart(4, '0')}`, To: clinicNumber, Body: text };
      burst.push(
        fetch(`${base}/webhooks/twilio/sms`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, `${publicUrl}/webhooks/twilio/sms`, form) },
          body: new URLSearchParams(form).toString(),
        })
          .then((r) => {
            if (r.ok) acceptedSids.push(form.MessageSid);
          })
          .catch(() => {}),
      );
    }
    await until('part of the burst to be accepted', async () => acceptedSends.length >= 20 && acceptedSids.length >= 20, 60_000).catch((e) => {
      throw new Error(`${(e as Error).message}: ${acceptedSends.length} sends accepted, refused: ${refusedSends.slice(0, 3).join(' | ')}`);
    });
    process.kill(-first.pid!, 'SIGKILL');
    await Promise.all(burst);
    const acceptedBeforeKill = { sends: acceptedSends.length, inbound: acceptedSids.length };

    startServer(env, 'kill.log');
    await healthy(base);
    const db = new pg.Client({ connectionString: url });
    await db.connect();
    try {
      const stored = async () => {
        const sends = (await db.query<{ id: string; n: number }>(`select id, count(*) over (partition by id)::int as n from messages where id = any($1::uuid[])`, [acceptedSends])).rows;
        const inbound = (await db.query<{ sid: string; n: number }>(`select provider_message_id as sid, count(*)::int as n from messages where provider_message_id = any($1) group by 1`, [acceptedSids])).rows;
        return { sends, inbound };
      };
      // Inbound webhooks are filed by the worker after acceptance: wait until all are in their thread.
      const found = await until('every accepted text to be filed', async () => {
        const s = await stored();
        return s.inbound.length === acceptedSids.length ? s : undefined;
      }, 90_000);
      expect(found.sends.map((r) => r.id).sort()).toEqual([...acceptedSends].sort());
      expect(found.sends.every((r) => r.n === 1)).toBe(true);
      expect(acceptedBeforeKill.sends).toBeGreaterThanOrEqual(20);
      expect(found.inbound.every((r) => r.n === 1)).toBe(true);
      // Every accepted send leaves its queue and reaches the provider.
      await until('every accepted send to reach Twilio', async () => {
        const { rows } = await db.query<{ n: number }>(`select count(*)::int as n from messages where id = any($1::uuid[]) and status = 'queued'`, [acceptedSends]);
        return rows[0].n === 0;
      }, 90_000);
      // The database holds ciphertext; the provider got the text.
      const keys = keyRing(parseKey(testEncryptionKey, 'test key'));
      const delivered = new Set(twilio.sends.map((s) => s.form.Body));
      const acceptedBodies = (await db.query<{ id: string; org_id: string; body: string }>(`select id, org_id, body from messages where id = any($1::uuid[])`, [acceptedSends])).rows.map((r) =>
        openBound(keys, r.body, { table: 'messages', column: 'body', orgId: r.org_id, rowId: r.id }, { unbound: 'refuse', plaintext: 'refuse' }),
      );
      expect(acceptedBodies.filter((b) => !delivered.has(b))).toEqual([]);
      console.log(
        `SIGKILL mid-burst: ${acceptedBeforeKill.sends} sends and ${acceptedBeforeKill.inbound} inbound texts accepted before the kill; found after restart ${found.sends.length} and ${found.inbound.length}, each once; ${acceptedBodies.length} sends delivered`,
      );
    } finally {
      await db.end();
    }
  });
});

describe('PostgreSQL restarted under load', () => {
  let embedded: EmbeddedDatabase | undefined;
  const dataDir = path.join(logDir, 'pg');
  afterAll(async () => {
    await embedded?.stop();
  });

  it('answers 503 while it is down and recovers without a restart of the process', async () => {
    const pgPort = await freePort();
    embedded = await startEmbeddedPostgres({ dataDir, port: pgPort, log: () => {} });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const server = startServer({ DATABASE_URL: embedded.url, ENCRYPTION_KEY: testEncryptionKey, PORT: String(port), HOST: '127.0.0.1', PUBLIC_URL: publicUrl }, 'pg-restart.log');
    await healthy(base);
    const { me, call } = await signUp(base);
    const text = `${marker} from the portal of a patient`;
    sentTexts.push(text);
    const inbound = await call('POST', '/api/v1/simulator/inbound', { clinicId: me.clinics[0].id, channel: 'email', from: 'pat@example.com', body: text });
    expect(inbound.status).toBe(201);

    await embedded.stop();
    const during: number[] = [];
    const problems: string[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await call('GET', '/api/v1/conversations');
      during.push(res.status);
      if (res.status === 503) problems.push((await res.json()).code);
    }
    expect(during.every((s) => s === 503), during.join(',')).toBe(true);
    expect(new Set(problems)).toEqual(new Set(['database_unavailable']));
    expect(server.exitCode).toBeNull();

    embedded = await startEmbeddedPostgres({ dataDir, port: pgPort, log: () => {} });
    const back = await until('the server to serve again', async () => {
      const res = await call('GET', '/api/v1/conversations');
      return res.status === 200 ? res.json() : undefined;
    }, 60_000);
    expect(back.items).toHaveLength(1);
    expect(server.exitCode).toBeNull();
    console.log(`PostgreSQL stopped: ${during.length}/${during.length} requests answered 503 database_unavailable; served again after restart, same process`);
  });
});

describe('logs', () => {
  it('hold none of the message texts sent during the runs above', () => {
    const logs = fs.readdirSync(logDir).filter((f) => f.endsWith('.log')).map((f) => fs.readFileSync(path.join(logDir, f), 'utf8'));
    const all = logs.join('\n');
    expect(all.length).toBeGreaterThan(1000);
    expect(sentTexts.length).toBeGreaterThan(400);
    expect(all).not.toContain(marker);
    console.log(`log scan: ${sentTexts.length} message texts, ${all.split('\n').length} log lines, none found`);
  });
});
