/**
 * Issue 19: what an operator runs Frontdesk with — liveness and readiness probes, Prometheus
 * metrics (optionally behind a bearer token), request ids on every answer and in the jobs they
 * enqueue, and worker logs through pino that name failures without a word of the message.
 */
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/channels/sms/twilio.js';
import { FakeTwilio, twilioError } from '../fakes/twilio.js';
import { Client, eventually, expectProblem, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

const publicUrl = 'https://frontdesk.test';
const metricsToken = 'scrape-me-0123456789';
let ready: TestContext;
let idle: TestContext;
let twilio: FakeTwilio;
let org: Org;
let clinicNumber: string;
const logLines: Record<string, unknown>[] = [];

beforeAll(async () => {
  twilio = await new FakeTwilio().start();
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  ready = await setupApp(
    { SMS_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_API_BASE_URL: twilio.url, PUBLIC_URL: publicUrl },
    { worker: true, logger: pino({ level: 'debug', base: { role: 'worker' } }, sink) },
  );
  // A second install without a worker, its metrics behind a token.
  idle = await setupApp({ METRICS_TOKEN: metricsToken, READY_QUEUE_STUCK_SECONDS: '60' });
  org = await signupOrg(ready.app, 'Operated Dental');
  await org.owner.request('PUT', '/api/v1/plan', { plan: 'accelerator' });
  clinicNumber = (await org.owner.get('/api/v1/sms-inbox/available-numbers?areaCode=415')).body.items[0].phoneNumber;
  expect((await org.owner.post('/api/v1/sms-inbox', { phoneNumber: clinicNumber })).status).toBe(201);
});
afterAll(() => twilio.stop());

const anonymous = (ctx: TestContext) => new Client(ctx.app);

describe('health probes', () => {
  it('/livez answers while the process runs', async () => {
    const res = await anonymous(idle).get('/livez');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok' });
  });

  it('/readyz is ready when the database answers, migrations are applied and a worker beats', async () => {
    const res = await eventually(async () => {
      const r = await anonymous(ready).get('/readyz');
      expect(r.status).toBe(200);
      return r;
    });
    expect(res.body.status).toBe('ready');
    expect(Object.values(res.body.checks).every((c: any) => c.ok)).toBe(true);
  });

  it('/readyz is a 503 problem naming the checks that fail: no worker, a due job waiting too long', async () => {
    let res = await anonymous(idle).get('/readyz');
    expectProblem(res, 503, 'not_ready');
    expect(res.body.checks.worker.ok).toBe(false);
    expect(res.body.checks.database.ok).toBe(true);
    expect(res.body.checks.migrations).toEqual({ ok: true, detail: 'all applied' });
    expect(res.body.checks.queue.ok).toBe(true);

    await idle.deps.db.execute(sql`select graphile_worker.add_job('deliver_message', json_build_object('messageId', gen_random_uuid()), run_at := now() - interval '2 minutes')`);
    res = await anonymous(idle).get('/readyz');
    expectProblem(res, 503, 'not_ready');
    expect(res.body.checks.queue.ok).toBe(false);
    expect(res.body.detail).toBe('not ready: worker, queue');
  });

  it('/health is kept', async () => {
    expect((await anonymous(idle).get('/health')).body).toEqual({ status: 'ok' });
  });
});

describe('request ids', () => {
  it('names a request id on every answer, keeping a proxy\'s and replacing one that is not a plain token', async () => {
    const own = await anonymous(idle).get('/livez');
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect((await anonymous(idle).request('GET', '/livez', undefined, { 'x-request-id': 'lb-7f3a.1' })).headers['x-request-id']).toBe('lb-7f3a.1');
    expect((await anonymous(idle).request('GET', '/livez', undefined, { 'x-request-id': 'has spaces <script>' })).headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const problem = await anonymous(idle).get('/api/v1/me');
    expect(problem.status).toBe(401);
    expect(problem.headers['x-request-id']).toBeTruthy();
  });
});

async function sendSms(phone: string, body: string, requestId: string) {
  const res = await org.owner.request('POST', '/api/v1/conversations', { phone, channel: 'sms', clinicId: org.clinicId, body }, { 'x-request-id': requestId });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

describe('worker logs', () => {
  it('carries the request id into the job it enqueued', async () => {
    twilio.nextSends.push({ status: 503, body: { code: 20500, message: 'Service unavailable', status: 503 } });
    await sendSms('+14155550901', 'Your crown is ready for pickup', 'req-carried-1');
    const line = await eventually(async () => {
      const found = logLines.find((l) => l.requestId === 'req-carried-1' && l.msg === 'job failed; it will be tried again');
      expect(found).toBeDefined();
      return found!;
    }, 20_000);
    expect(line).toMatchObject({ role: 'worker', task: 'deliver_message', level: 40, code: '20500', attempt: 1 });
  });

  it('logs a delivery the provider refused for good at error level, without the message', async () => {
    twilio.nextSends.push(twilioError(21610, 'Attempt to send to unsubscribed recipient'));
    await sendSms('+14155550902', 'Biopsy results are in, please call', 'req-refused-1');
    const line = await eventually(async () => {
      const found = logLines.find((l) => l.requestId === 'req-refused-1' && l.msg === 'job failed');
      expect(found).toBeDefined();
      return found!;
    }, 20_000);
    expect(line).toMatchObject({ level: 50, code: '21610', reason: 'Attempt to send to unsubscribed recipient', task: 'deliver_message' });
    const everything = JSON.stringify(logLines);
    expect(everything).not.toContain('Biopsy');
    expect(everything).not.toContain('crown');
    expect(everything).not.toContain('4155550902');
  });
});

async function scrape(ctx: TestContext, token?: string): Promise<string> {
  const res = await ctx.app.inject({ method: 'GET', url: '/metrics', headers: token ? { authorization: `Bearer ${token}` } : {} });
  expect(res.statusCode, res.body).toBe(200);
  expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.body;
}

const sample = (text: string, name: string, labels = ''): number | null => {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `) || (labels === '' && l.startsWith(`${name} `)));
  return line ? Number(line.split(' ').pop()) : null;
};

describe('metrics', () => {
  it('serves Prometheus text: request durations by route and status, jobs by task and outcome, queue and pool', async () => {
    await anonymous(ready).get('/livez');
    await eventually(async () => {
      const text = await scrape(ready);
      expect(sample(text, 'frontdesk_http_request_duration_seconds_count', 'method="GET",route="/livez",status="200"')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'frontdesk_jobs_total', 'task="deliver_message",outcome="retry"')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'frontdesk_jobs_total', 'task="deliver_message",outcome="failed"')).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'frontdesk_jobs_total', 'task="deliver_message",outcome="done"')).toBeGreaterThanOrEqual(1);
    }, 20_000);
    const text = await scrape(ready);
    expect(sample(text, 'frontdesk_queue_jobs', 'state="due"')).not.toBeNull();
    expect(sample(text, 'frontdesk_queue_oldest_due_job_seconds')).not.toBeNull();
    expect(sample(text, 'frontdesk_db_pool_connections', 'state="total"')).toBeGreaterThanOrEqual(1);
    expect(text).toContain('# TYPE frontdesk_job_duration_seconds histogram');
    // Routes are patterns: no id or token of a path becomes a label.
    expect(text).not.toMatch(/route="[^"]*[0-9a-f]{8}-[0-9a-f]{4}/);
  });

  it('reports the queue depth and the oldest due job\'s age of the install', async () => {
    const text = await scrape(idle, metricsToken);
    expect(sample(text, 'frontdesk_queue_jobs', 'state="due"')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'frontdesk_queue_oldest_due_job_seconds')).toBeGreaterThanOrEqual(120);
  });

  it('times inbound filing: from the webhook accepted to the message in its conversation', async () => {
    const form = { MessageSid: 'SMops0000000000000000000000000001', AccountSid: twilio.accountSid, From: '+14155550903', To: clinicNumber, Body: 'Can I move my appointment?', NumMedia: '0' };
    const res = await ready.app.inject({
      method: 'POST',
      url: '/webhooks/twilio/sms',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(twilio.authToken, `${publicUrl}/webhooks/twilio/sms`, form) },
      payload: new URLSearchParams(form).toString(),
    });
    expect(res.statusCode).toBe(200);
    await eventually(async () => expect(sample(await scrape(ready), 'frontdesk_inbound_filing_lag_seconds_count')).toBeGreaterThanOrEqual(1), 20_000);
  });

  it('counts open event streams', async () => {
    const base = await ready.app.listen({ port: 0, host: '127.0.0.1' });
    const controller = new AbortController();
    const res = await fetch(`${base}/api/v1/events`, { headers: { cookie: org.owner.auth.cookie! }, signal: controller.signal });
    expect(res.status).toBe(200);
    await eventually(async () => expect(sample(await scrape(ready), 'frontdesk_event_streams_open')).toBe(1));
    controller.abort();
    await eventually(async () => expect(sample(await scrape(ready), 'frontdesk_event_streams_open')).toBe(0));
  });

  it('needs the bearer token when METRICS_TOKEN is set', async () => {
    expectProblem(await anonymous(idle).get('/metrics'), 401, 'not_signed_in');
    const wrong = await idle.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    expect(await scrape(idle, metricsToken)).toContain('frontdesk_http_request_duration_seconds');
  });
});
