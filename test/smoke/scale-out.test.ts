/**
 * B1/B4: two web processes and two workers on one PostgreSQL. A message sent through web A reaches
 * an event stream open on web B; "is replying" too; every delivery job runs exactly once. They
 * start together on an empty database, which they migrate once between them.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { openDatabase, type Database } from '../../src/db/client.js';
import { FakeTwilio } from '../fakes/twilio.js';
import pg from 'pg';
import { dropDatabase, withDatabase } from '../setup/template.js';
import { startFrontdesk, stopAll, until } from './support.js';
import { testEncryptionKey } from '../helpers.js';

/** TEST_DATABASE_URL's server, or the embedded one when none answers there (test/setup/postgres.ts). */
const adminUrl = inject('adminUrl');
const dbName = `frontdesk_scale_${randomBytes(4).toString('hex')}`;
const url = withDatabase(adminUrl, dbName);
let twilio: FakeTwilio;
let database: Database;
const children: ChildProcess[] = [];
const web: string[] = [];

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });

const start = (role: 'web' | 'worker', env: Record<string, string>, port?: number) =>
  startFrontdesk(children, ['--role', role], { ...env, ...(port ? { PORT: String(port), HOST: '127.0.0.1' } : {}) });

beforeAll(async () => {
  // An empty database: the four processes start together and migrate it once between them.
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`create database ${dbName}`).finally(() => admin.end());
  twilio = await new FakeTwilio().start();
  const env = {
    DATABASE_URL: url,
    ENCRYPTION_KEY: testEncryptionKey,
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
    PUBLIC_URL: 'https://frontdesk.test',
    LOG_LEVEL: 'warn',
    WEB_BUILD: 'off',
    SESSION_IDLE_MINUTES: '600',
  };
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    start('web', env, port);
    web.push(`http://127.0.0.1:${port}`);
  }
  start('worker', env);
  start('worker', env);
  for (const address of web) await until(`${address} to answer`, async () => (await fetch(`${address}/health`)).ok);
  database = openDatabase(url);
});

afterAll(async () => {
  stopAll(children, 'SIGTERM');
  await database?.close();
  await twilio?.stop();
  await new Promise((r) => setTimeout(r, 500));
  await dropDatabase(adminUrl, dbName);
});

/** Server-sent events from one process, as parsed JSON payloads. */
function listen(address: string, cookie: string) {
  const events: { type: string; messageId?: string; conversationId?: string; user?: { name: string } }[] = [];
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(`${address}/api/v1/events`, { headers: { cookie, accept: 'text/event-stream' }, signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const type = /^event: (.+)$/m.exec(block)?.[1];
        const data = /^data: (.+)$/m.exec(block)?.[1];
        if (type && data) events.push({ type, ...JSON.parse(data) });
      }
    }
  })().catch(() => {});
  return { events, close: () => controller.abort() };
}

describe('two web processes and two workers on one database', () => {
  it('carries events across processes and runs each delivery once', async () => {
    const [a, b] = web;
    const signup = await fetch(`${a}/api/v1/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ organizationName: 'Scaled Clinic', clinicName: 'Scaled Main', name: 'Sam Scale', email: `sam-${dbName}@example.com`, password: 'scale-out-password' }),
    });
    const me = await signup.json();
    const cookie = signup.headers.get('set-cookie')!.split(';')[0];
    const write = (address: string, path: string, body: unknown, method = 'POST') =>
      fetch(`${address}${path}`, { method, headers: { cookie, 'x-csrf-token': me.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await write(a, '/api/v1/plan', { plan: 'accelerator' }, 'PUT')).status).toBe(200);
    expect((await write(b, '/api/v1/sms-inbox', { phoneNumber: '+14155550460' })).status).toBe(201);

    // A colleague signed in on web B watches; the owner works through web A.
    const colleague = { email: `ada-${dbName}@example.com`, password: 'colleague-password' };
    expect((await write(a, '/api/v1/users', { name: 'Ada Admin', ...colleague, role: 'admin', privileges: ['send_messages', 'inbox', 'contacts'], clinicIds: [] })).status).toBe(201);
    const login = await fetch(`${b}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(colleague) });
    const stream = listen(b, login.headers.get('set-cookie')!.split(';')[0]);
    await new Promise((r) => setTimeout(r, 500));
    const sent: { conversationId: string; messageId: string }[] = [];
    for (let i = 0; i < 20; i++) {
      const res = await write(a, '/api/v1/conversations', { phone: `+1415555${String(4700 + i)}`, channel: 'sms', clinicId: me.clinics[0].id, body: `Reminder ${i}` });
      expect(res.status).toBe(201);
      const body = await res.json();
      sent.push({ conversationId: body.conversation.id, messageId: body.message.id });
    }
    await until('web B to see every message web A took', async () => sent.every((s) => stream.events.some((e) => e.type === 'message.created' && e.messageId === s.messageId)));

    expect((await write(a, `/api/v1/conversations/${sent[0].conversationId}/typing`, {})).status).toBeLessThan(300);
    await until('"is replying" from A to reach B', async () => stream.events.some((e) => e.type === 'conversation.typing' && e.conversationId === sent[0].conversationId));

    await until('every message to be sent', async () => {
      const { rows } = await database.db.execute<{ n: number }>(sql`select count(*)::int as n from messages where status = 'sent'`);
      return rows[0].n === 20;
    });
    expect(twilio.sends).toHaveLength(20);
    expect(new Set(twilio.sends.map((s) => s.form.Body)).size).toBe(20);
    const { rows } = await database.db.execute<{ attempts: number }>(sql`select count(*)::int as attempts from delivery_attempts group by message_id`);
    expect(rows.every((r) => r.attempts === 1)).toBe(true);
    stream.close();
  });
});
