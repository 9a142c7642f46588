/**
 * S3: a worker killed (SIGKILL) while the provider is still answering its send loses nothing: a new
 * worker takes the job back within seconds, and each try is made once, on its own attempt row.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { openDatabase, type Database } from '../../src/db/client.js';
import { startRuntime, type Runtime } from '../../src/runtime.js';
import { buildApp } from '../../src/server.js';
import type { App } from '../../src/http/types.js';
import { systemClock } from '../../src/deps.js';
import { FakeTwilio } from '../fakes/twilio.js';
import { dropDatabase, prepareTemplate, withDatabase } from '../setup/template.js';
import { startFrontdesk, stopAll, until } from './support.js';
import { testEncryptionKey } from '../helpers.js';

/** TEST_DATABASE_URL's server, or the embedded one when none answers there (test/setup/postgres.ts). */
const adminUrl = inject('adminUrl');
const dbName = `frontdesk_crash_${randomBytes(4).toString('hex')}`;
const url = withDatabase(adminUrl, dbName);
let twilio: FakeTwilio;
let database: Database;
let runtime: Runtime;
let app: App;
let env: Record<string, string>;
const children: ChildProcess[] = [];

beforeAll(async () => {
  await prepareTemplate(adminUrl, dbName);
  twilio = await new FakeTwilio().start();
  env = {
    DATABASE_URL: url,
    ENCRYPTION_KEY: testEncryptionKey,
    SMS_PROVIDER: 'twilio',
    TWILIO_ACCOUNT_SID: twilio.accountSid,
    TWILIO_AUTH_TOKEN: twilio.authToken,
    TWILIO_API_BASE_URL: twilio.url,
    PUBLIC_URL: 'https://frontdesk.test',
    WORKER_STALE_SECONDS: '2',
    LOG_LEVEL: 'warn',
  };
  database = openDatabase(url);
  runtime = await startRuntime(loadConfig(env), database, { clock: systemClock, worker: false, smtp: false });
  app = await buildApp(runtime.deps);
});

afterAll(async () => {
  stopAll(children, 'SIGKILL');
  await app?.close();
  await runtime?.close();
  await database?.close();
  await twilio?.stop();
  await dropDatabase(adminUrl, dbName);
});

const startWorkerProcess = () => startFrontdesk(children, ['--role', 'worker'], env);

describe('a worker killed mid-send', () => {
  it('loses nothing and sends once per attempt record', async () => {
    const signup = await app.inject({
      method: 'POST',
      url: '/api/v1/signup',
      payload: { organizationName: 'Crash Clinic', clinicName: 'Crash Clinic', name: 'Cora', email: `cora-${dbName}@example.com`, password: 'crash-test-password' },
    });
    const cookie = String(signup.headers['set-cookie']).split(';')[0];
    const headers = { cookie, 'x-csrf-token': signup.json().csrfToken };
    await app.inject({ method: 'PUT', url: '/api/v1/plan', headers, payload: { plan: 'accelerator' } });
    await app.inject({ method: 'POST', url: '/api/v1/sms-inbox', headers, payload: { phoneNumber: '+14155550420' } });
    twilio.nextSends.push('hang');
    const sent = await app.inject({
      method: 'POST',
      url: '/api/v1/conversations',
      headers,
      payload: { phone: '+14155550421', channel: 'sms', clinicId: signup.json().clinics[0].id, body: 'Your appointment is tomorrow at 9' },
    });
    expect(sent.statusCode).toBe(201);
    const messageId: string = sent.json().message.id;

    const first = startWorkerProcess();
    await until('the first worker to call Twilio', async () => twilio.sends.length === 1);
    process.kill(-first.pid!, 'SIGKILL');

    startWorkerProcess();
    const status = await until('the message to be sent by the second worker', async () => {
      const { rows } = await database.db.execute<{ status: string }>(sql`select status from messages where id = ${messageId}`);
      return rows[0].status === 'sent' ? rows[0].status : undefined;
    });
    expect(status).toBe('sent');
    expect(twilio.sends).toHaveLength(2);
    expect(twilio.sends.every((s) => s.form.Body === 'Your appointment is tomorrow at 9')).toBe(true);
    const { rows: attempts } = await database.db.execute<{ attempt: number; outcome: string | null }>(
      sql`select attempt, outcome from delivery_attempts where message_id = ${messageId} order by attempt`,
    );
    expect(attempts).toEqual([
      { attempt: 1, outcome: null },
      { attempt: 2, outcome: 'sent' },
    ]);
  });
});
