/** Builds the real app on a fresh database cloned from the run's template, and talks to it over HTTP (inject). */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, expect, inject } from 'vitest';
import { loadConfig } from '../src/config.js';
import { openDatabase, type Database } from '../src/db/client.js';
import type { Clock, Deps } from '../src/deps.js';
import type { App } from '../src/http/types.js';
import { createLogger, type Logger } from '../src/ops/log.js';
import { startRuntime, type Runtime } from '../src/runtime.js';
import { buildApp } from '../src/server.js';
import { withDatabase } from './setup/template.js';

/** A clock that moves 10 ms forward on every reading, so every write has its own instant and order is stable. */
export class TestClock implements Clock {
  constructor(private time = new Date('2026-03-02T09:00:00.000Z')) {}
  now(): Date {
    this.time = new Date(this.time.getTime() + 10);
    return this.time;
  }
  advance(ms: number): void {
    this.time = new Date(this.time.getTime() + ms);
  }
}

export interface TestContext {
  runtime: Runtime;
  app: App;
  deps: Deps;
  database: Database;
  clock: TestClock;
}

async function tempDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'frontdesk-test-'));
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  return dir;
}

export async function cloneTemplate(): Promise<string> {
  const adminUrl = inject('adminUrl');
  const name = `frontdesk_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`create database ${name} template ${inject('templateDb')}`);
  } finally {
    await admin.end();
  }
  afterAll(async () => {
    const dropper = new pg.Client({ connectionString: adminUrl });
    await dropper.connect();
    await dropper.query(`drop database if exists ${name} with (force)`).finally(() => dropper.end());
  });
  return withDatabase(adminUrl, name);
}

/** Every test process shares one data key, as every process of an install must (ENCRYPTION_KEY). */
export const testEncryptionKey = Buffer.alloc(32, 7).toString('base64');

/** One app per test file, on its own database; closed after the file's tests. */
export async function setupApp(env: Record<string, string> = {}, opts: { worker?: boolean; databaseUrl?: string; logger?: Logger } = {}): Promise<TestContext> {
  const url = opts.databaseUrl ?? (await cloneTemplate());
  const database = openDatabase(url, { max: 5 });
  const clock = new TestClock();
  // Every test signs in from 127.0.0.1 within one window of the test clock: the per-address sign-in
  // limit is the security test's to set.
  const config = loadConfig({ DATABASE_URL: url, DATA_DIR: await tempDir(), WORKER_STALE_SECONDS: '2', LOGIN_LIMIT_PER_IP: '10000/900', ENCRYPTION_KEY: testEncryptionKey, ...env });
  // The worker's log lines are a test's to read (opts.logger); by default they stay out of the test output.
  const runtime = await startRuntime(config, database, { clock, worker: opts.worker ?? false, logger: opts.logger ?? createLogger('silent', 'worker') });
  const app = await buildApp(runtime.deps);
  afterAll(async () => {
    await app.close();
    await runtime.close();
    await database.close();
  });
  return { app, deps: runtime.deps, database, clock, runtime };
}

export interface Reply<T = any> {
  status: number;
  body: T;
  headers: Record<string, unknown>;
}

/** A signed-in browser (cookie + CSRF token) or an integration (bearer token). */
export class Client {
  constructor(
    readonly app: App,
    readonly auth: { cookie?: string; csrf?: string; bearer?: string } = {},
  ) {}

  async request<T = any>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, body?: unknown, extraHeaders: Record<string, string> = {}): Promise<Reply<T>> {
    const headers: Record<string, string> = { ...extraHeaders };
    if (this.auth.cookie) headers.cookie = this.auth.cookie;
    if (this.auth.bearer) headers.authorization = `Bearer ${this.auth.bearer}`;
    if (this.auth.csrf && method !== 'GET') headers['x-csrf-token'] = this.auth.csrf;
    const res = await this.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    const text = res.body;
    // Pages and CSV exports come back as their text; JSON (and problem documents) parsed.
    const json = String(res.headers['content-type'] ?? '').includes('json');
    return { status: res.statusCode, body: text ? (json ? JSON.parse(text) : text) : null, headers: res.headers };
  }
  get<T = any>(url: string) {
    return this.request<T>('GET', url);
  }
  post<T = any>(url: string, body?: unknown) {
    return this.request<T>('POST', url, body ?? {});
  }
  patch<T = any>(url: string, body: unknown) {
    return this.request<T>('PATCH', url, body);
  }
  put<T = any>(url: string, body: unknown) {
    return this.request<T>('PUT', url, body);
  }
}

export const password = 'correct-horse-battery';
let counter = 0;
const unique = () => `${Date.now().toString(36)}${(counter++).toString(36)}${randomBytes(2).toString('hex')}`;

function sessionFrom(app: App, res: { headers: Record<string, unknown>; body: any }): Client {
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : String(setCookie)).split(';')[0];
  return new Client(app, { cookie, csrf: res.body.csrfToken });
}

export interface Org {
  /** Replaceable: a test whose clock outlives the session signs in again. */
  owner: Client;
  me: any;
  orgId: string;
  clinicId: string;
  inboxId: string;
  /** Adds a team member and signs them in. */
  addUser(role: 'admin' | 'doctor' | 'nurse' | 'receptionist', opts?: { privileges?: string[]; clinicIds?: string[] }): Promise<{ client: Client; id: string }>;
}

export async function signupOrg(app: App, name = 'Clinic Group', opts: { plan?: 'free' | 'pro' | 'accelerator' } = {}): Promise<Org> {
  const email = `owner-${unique()}@example.com`;
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/signup',
    payload: { organizationName: name, clinicName: `${name} Main`, name: 'Olive Owner', email, password },
  });
  expect(res.statusCode, res.body).toBe(201);
  const owner = sessionFrom(app, { headers: res.headers, body: res.json() });
  const me = res.json();
  const inboxes = await owner.get('/api/v1/inboxes');
  if (opts.plan && opts.plan !== 'free') expect((await owner.request('PUT', '/api/v1/plan', { plan: opts.plan })).status).toBe(200);
  const org: Org = {
    owner,
    me,
    orgId: me.organization.id,
    clinicId: me.clinics[0].id,
    inboxId: inboxes.body.items[0].id,
    async addUser(role, opts = {}) {
      const userEmail = `${role}-${unique()}@example.com`;
      // The owner of the moment: a test whose clock outlived the first session has signed in again.
      const created = await org.owner.post('/api/v1/users', {
        name: `${role[0].toUpperCase()}${role.slice(1)} ${unique().slice(-4)}`,
        email: userEmail,
        password,
        role,
        privileges: opts.privileges ?? ['send_messages', 'inbox', 'contacts'],
        clinicIds: opts.clinicIds ?? [me.clinics[0].id],
      });
      expect(created.status, JSON.stringify(created.body)).toBe(201);
      return { client: await signIn(app, userEmail), id: created.body.id };
    },
  };
  return org;
}

export async function signIn(app: App, email: string, pass = password): Promise<Client> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: pass } });
  expect(res.statusCode, res.body).toBe(200);
  return sessionFrom(app, { headers: res.headers, body: res.json() });
}

/** A patient texting the clinic, through the simulator's inbound route (the same way in as a webhook). */
export async function inbound(org: Org, body: string, from = '+14155550134', opts: { channel?: 'sms' | 'email' | 'whatsapp'; clinicId?: string; name?: string } = {}) {
  const res = await org.owner.post('/api/v1/simulator/inbound', {
    clinicId: opts.clinicId ?? org.clinicId,
    channel: opts.channel ?? 'sms',
    from,
    body,
    ...(opts.name ? { name: opts.name } : {}),
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body as { conversationId: string; messageId: string; contactId: string };
}

export function expectProblem(res: Reply, status: number, code?: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
  expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String), type: expect.any(String) });
  if (code) expect(res.body.code).toBe(code);
}

/** Polls until `check` passes or `ms` runs out: for outcomes the delivery worker produces in the background. */
export async function eventually<T>(check: () => Promise<T>, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** The 8-byte PNG signature and an IHDR chunk: enough for a PNG to be known by its bytes. */
export const png = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489', 'hex');

function multipart(filename: string, bytes: Buffer) {
  const boundary = '----frontdesk' + Math.random().toString(16).slice(2);
  const payload = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  return { payload, contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Uploads a file as the signed-in browser would (multipart, with the CSRF header). */
export async function uploadFile(app: App, client: Client, filename: string, bytes: Buffer): Promise<Reply> {
  const { payload, contentType } = multipart(filename, bytes);
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/attachments',
    headers: { cookie: client.auth.cookie!, 'x-csrf-token': client.auth.csrf!, 'content-type': contentType },
    payload,
  });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

export interface ImportFields {
  mapping?: object;
  kind?: string;
  dryRun?: boolean;
}

/** A multipart upload as the wizard and practice systems send it: the fields first, then the file. */
export async function importContactsCsv(app: App, client: Client, csv: string | Buffer, fields: ImportFields = {}): Promise<Reply> {
  const boundary = '----frontdeskimport' + Math.random().toString(16).slice(2);
  const field = (name: string, value: string) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
  const head = [
    fields.mapping ? field('mapping', JSON.stringify(fields.mapping)) : '',
    fields.kind ? field('kind', fields.kind) : '',
    fields.dryRun !== undefined ? field('dryRun', String(fields.dryRun)) : '',
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="patients.csv"\r\nContent-Type: text/csv\r\n\r\n`,
  ].join('');
  const payload = Buffer.concat([Buffer.from(head), Buffer.isBuffer(csv) ? csv : Buffer.from(csv), Buffer.from(`\r\n--${boundary}--\r\n`)]);
  const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  if (client.auth.cookie) headers.cookie = client.auth.cookie;
  if (client.auth.csrf) headers['x-csrf-token'] = client.auth.csrf;
  const res = await app.inject({ method: 'POST', url: '/api/v1/contacts/import', headers, payload });
  return { status: res.statusCode, body: res.json(), headers: res.headers };
}

/** One organization's ids, to call a route pattern with: a conversation's unless the path names another kind. */
export interface RouteIds {
  conversation: string;
  message?: string;
  contact?: string;
  user?: string;
  inbox?: string;
  token?: string;
  clinic?: string;
  clinicSlug?: string;
  template?: string;
  webhook?: string;
  campaign?: string;
  emergency?: string;
  guestToken?: string;
}

const idByPrefix: [string, keyof RouteIds][] = [
  ['/api/v1/messages/', 'message'],
  ['/api/v1/contacts/', 'contact'],
  ['/api/v1/users/', 'user'],
  ['/api/v1/inboxes/', 'inbox'],
  ['/api/v1/api-tokens/', 'token'],
  ['/api/v1/clinics/', 'clinic'],
  ['/api/v1/templates/', 'template'],
  ['/api/v1/webhooks/', 'webhook'],
  ['/api/v1/campaigns/', 'campaign'],
  ['/api/v1/emergency-access/', 'emergency'],
];

/** A route pattern (`/api/v1/contacts/:id/notes`) with its parameters filled from `ids`. */
export function fillRoute(path: string, ids: RouteIds): string {
  return path.replace(/:(\w+)/g, (_, param: string) => {
    if (param === 'clinicSlug') return ids.clinicSlug ?? '';
    if (param === 'token') return ids.guestToken ?? '';
    const kind = idByPrefix.find(([prefix]) => path.startsWith(prefix))?.[1] ?? 'conversation';
    return ids[kind] ?? ids.conversation;
  });
}

/** A text with its UUIDs blanked: a check that no phone digits leak ("555") must not trip on a random id that holds them. */
export const withoutIds = (text: string) => text.replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<id>');
