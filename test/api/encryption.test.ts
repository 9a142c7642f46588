/**
 * Encryption at rest (issue 8): what reaches PostgreSQL and the disk is ciphertext, search still
 * finds text, and a key rotation re-encrypts everything while the product keeps answering.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyRing, parseKey, type KeyRing } from '../../src/encryption/keys.js';
import { encryptedTables, storedPlaintext } from '../../src/encryption/rotate.js';
import { getTableColumns, getTableName, is } from 'drizzle-orm';
import { PgTable } from 'drizzle-orm/pg-core';
import * as schema from '../../src/db/schema.js';
import { inbound, setupApp, signupOrg, testEncryptionKey, uploadFile, type Org, type TestContext } from '../helpers.js';

const run = promisify(execFile);
let ctx: TestContext;
let org: Org;
let raw: pg.Client;

const secretWords = 'Hendricks biopsy zygomatic';
const oldKey = parseKey(testEncryptionKey, 'test key');
const newKey = Buffer.alloc(32, 9);

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Encrypted Clinic', { plan: 'pro' });
  raw = new pg.Client({ connectionString: ctx.database.url });
  await raw.connect();
});

afterAll(async () => {
  await raw.end();
});

/** Every encrypted column's stored values, as PostgreSQL holds them. */
async function storedValues(): Promise<string[]> {
  const values: string[] = [];
  for (const t of encryptedTables) {
    for (const c of t.columns) {
      const { rows } = await raw.query(`select "${c.name}" as v from "${getTableName(t.table)}" where "${c.name}" is not null`);
      values.push(...rows.map((r) => r.v as string));
    }
  }
  return values;
}

async function storedFiles(): Promise<Buffer[]> {
  const { rows } = await raw.query('select storage_key from attachments');
  return Promise.all(rows.map((r) => fs.readFile(path.join(ctx.deps.config.attachmentsDir, r.storage_key))));
}

async function searchFinds(q: string, conversationId: string): Promise<boolean> {
  const res = await org.owner.get(`/api/v1/conversations?q=${encodeURIComponent(q)}`);
  expect(res.status).toBe(200);
  return res.body.items.some((c: { id: string }) => c.id === conversationId);
}

let conversationId: string;
let attachmentId: string;
const pdf = Buffer.from(`%PDF-1.4\n% ${secretWords}\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n`);

describe('at rest', () => {
  it('lists every encrypted column of the schema for the rotation', () => {
    const listed = encryptedTables.flatMap((t) => t.columns.map((c) => `${getTableName(t.table)}.${c.name}`));
    const found: string[] = [];
    for (const table of Object.values(schema)) {
      if (!is(table, PgTable)) continue;
      for (const column of Object.values(getTableColumns(table))) {
        if (column.columnType === 'PgCustomColumn' && column.getSQLType() === 'text') found.push(`${getTableName(table)}.${column.name}`);
      }
    }
    expect(found.sort()).toEqual(listed.sort());
  });

  it('stores message text, notes, file names, files, webhook and TOTP secrets only as ciphertext', async () => {
    const msg = await inbound(org, `My ${secretWords} results?`, '+14155550177');
    conversationId = msg.conversationId;
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: `Dr. ${secretWords} will call` })).status).toBe(202);
    expect((await org.owner.post(`/api/v1/conversations/${conversationId}/calls`, { startedAt: '2026-03-01T10:00:00.000Z', durationSeconds: 60, direction: 'outbound', notes: `Discussed ${secretWords}` })).status).toBe(201);
    expect((await org.owner.post(`/api/v1/contacts/${msg.contactId}/notes`, { body: `Family history: ${secretWords}` })).status).toBe(201);
    const upload = await uploadFile(ctx.app, org.owner, `${secretWords}.pdf`, pdf);
    expect(upload.status).toBe(201);
    attachmentId = upload.body.id;
    const hook = await org.owner.post('/api/v1/webhooks', { url: 'https://example.com/hook', events: ['message.created'] });
    expect(hook.status).toBe(201);
    const enrol = await org.owner.post('/api/v1/auth/two-factor/enrol');
    expect(enrol.status).toBe(200);

    const values = await storedValues();
    expect(values.length).toBeGreaterThanOrEqual(6);
    for (const v of values) {
      expect(v).toMatch(/^enc[12]:[0-9a-f]{8}:/);
      for (const secret of ['Hendricks', 'biopsy', hook.body.secret, enrol.body.secret]) expect(v).not.toContain(secret);
    }
    const { rows } = await raw.query('select search::text as s from messages where conversation_id = $1', [conversationId]);
    for (const r of rows) expect(r.s).not.toMatch(/hendricks|biopsy|zygomatic/);
    for (const file of await storedFiles()) expect(file.includes(Buffer.from('Hendricks'))).toBe(false);

    // …and the product shows it all in the clear.
    const thread = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(JSON.stringify(thread.body)).toContain(`Dr. ${secretWords} will call`);
    const file = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(file.rawPayload).toEqual(pdf);
    expect(String(file.headers['content-disposition'])).toContain(encodeURIComponent(`${secretWords}.pdf`));
  });

  it('finds threads by the words of their messages through the blind index', async () => {
    expect(await searchFinds('biopsy', conversationId)).toBe(true);
    expect(await searchFinds('zygom', conversationId)).toBe(true);
    expect(await searchFinds('discussed hendricks', conversationId)).toBe(true);
    expect(await searchFinds('biopsies', conversationId)).toBe(false);
  });
});

describe('the blind index of each organization', () => {
  it('gives equal words unrelated tokens in two organizations, and each finds its own', async () => {
    const other = await signupOrg(ctx.app, 'Other Encrypted Clinic', { plan: 'pro' });
    const mine = await inbound(org, 'Periodontal flare again', '+14155550181');
    const theirs = await inbound(other, 'Periodontal flare again', '+14155550182');
    const tokensOf = async (id: string) => {
      const { rows } = await raw.query("select array_to_string(tsvector_to_array(search), ' ') as t from messages where id = $1", [id]);
      return new Set((rows[0].t as string).split(' ').filter((t) => /^[0-9a-f]{12}$/.test(t)));
    };
    const a = await tokensOf(mine.messageId);
    const b = await tokensOf(theirs.messageId);
    expect(a.size).toBeGreaterThan(5);
    expect([...a].filter((t) => b.has(t))).toEqual([]);
    expect(await searchFinds('periodontal', mine.conversationId)).toBe(true);
    const theirSearch = await other.owner.get('/api/v1/conversations?q=periodontal');
    expect(theirSearch.body.items.map((c: { id: string }) => c.id)).toEqual([theirs.conversationId]);
  });
});

/** What a restart with other keys does to this process: the columns' ring, the services' and the files'. */
async function restartWith(ring: KeyRing) {
  await ctx.runtime.useKeys(ring);
  expect(ctx.deps.keys).toBe(ring);
}

describe('key rotation', () => {
  it('re-encrypts rows written before encryption, and every row and file under a new key, while the product runs', async () => {
    // An install from before encryption: a message in plain text, searchable by its plain words.
    await raw.query('update encryption_state set plaintext_refused_at = null');
    await restartWith(ctx.deps.keys);
    const legacy = await inbound(org, 'placeholder', '+14155550188');
    await raw.query(`begin; set local frontdesk.reencrypting = 'on';
      update messages set body = 'Legacy crossbite question', search = to_tsvector('simple', 'Legacy crossbite question') where id = '${legacy.messageId}'; commit;`);
    expect(JSON.stringify((await org.owner.get(`/api/v1/conversations/${legacy.conversationId}`)).body)).toContain('Legacy crossbite question');

    // Every process restarts with the new key, the old one still readable…
    const rotating = keyRing(newKey, [oldKey]);
    await restartWith(rotating);

    // …and the rotation runs as the command operators run, while patients keep writing.
    const env = { ...process.env, DATABASE_URL: ctx.database.url, ATTACHMENTS_DIR: ctx.deps.config.attachmentsDir, DATA_DIR: ctx.deps.config.dataDir, ENCRYPTION_KEY: newKey.toString('base64'), ENCRYPTION_PREVIOUS_KEYS: testEncryptionKey };
    const command = run('npx', ['tsx', 'src/encryption/cli.ts'], { env, cwd: process.cwd() });
    const during: number[] = [];
    let finished = false;
    void command.finally(() => (finished = true));
    for (let i = 0; !finished || i < 5; i++) {
      during.push((await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: `During rotation ${i}` })).status);
      during.push((await org.owner.get(`/api/v1/conversations/${conversationId}`)).status);
    }
    const { stdout } = await command;
    expect(stdout).toMatch(/done in .* s: \d+ rows .*1 files, 0 files missing/);
    expect(stdout).toMatch(/no value is left in clear/);
    expect(new Set(during)).toEqual(new Set([200, 202]));

    // Nothing is left under the old key, nor in the clear.
    const current = rotating.current.id;
    for (const v of await storedValues()) expect(/^enc[12]:/.test(v) && v.slice(5).startsWith(`${current}:`), v.slice(0, 20)).toBe(true);
    for (const file of await storedFiles()) expect(file.subarray(4, 8).toString('hex')).toBe(current);

    // The old key is dropped: everything still reads, and search finds old and new text.
    await restartWith(keyRing(newKey));
    const thread = JSON.stringify((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body);
    expect(thread).toContain(`Dr. ${secretWords} will call`);
    expect(thread).toContain('During rotation 0');
    expect(JSON.stringify((await org.owner.get(`/api/v1/conversations/${legacy.conversationId}`)).body)).toContain('Legacy crossbite question');
    expect(await searchFinds('biopsy', conversationId)).toBe(true);
    expect(await searchFinds('crossbite', legacy.conversationId)).toBe(true);
    const file = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${attachmentId}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload).toEqual(pdf);
  }, 120_000);
});

describe('values in clear after every row is encrypted', () => {
  it('are refused as an integrity failure, and audited, instead of shown as text', async () => {
    expect(await storedPlaintext(ctx.database.db)).toBe('refuse');
    const planted = await inbound(org, 'sealed as it should be', '+14155550189');
    await raw.query(`begin; set local frontdesk.reencrypting = 'on'; update messages set body = 'Planted around the product' where id = '${planted.messageId}'; commit;`);
    const res = await org.owner.get(`/api/v1/conversations/${planted.conversationId}`);
    expect(res.status).toBe(500);
    expect(res.body.code).toBe('integrity_failure');
    expect(JSON.stringify(res.body)).not.toContain('Planted');
    const audit = await org.owner.get('/api/v1/audit?action=encryption.integrity_failure');
    expect(audit.body.items[0]).toMatchObject({ action: 'encryption.integrity_failure', outcome: 'denied' });
  });

  it("on a patient's own page is an HTML page they understand, not JSON, and audited", async () => {
    const posted = await ctx.app.inject({
      method: 'POST',
      url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`,
      payload: { name: 'Gina Guest', email: 'gina-integrity@example.com', body: 'Is my result back?' },
      remoteAddress: '198.51.100.91',
    });
    expect(posted.statusCode, posted.body).toBe(201);
    const token = new URL(posted.json().guestUrl).pathname.split('/')[2];
    await raw.query(`begin; set local frontdesk.reencrypting = 'on'; update messages set body = 'Planted on the guest page' where body like 'enc%' and conversation_id = (select conversation_id from messages order by created_at desc limit 1); commit;`);
    const before = (await org.owner.get('/api/v1/audit?action=encryption.integrity_failure')).body.items.length;
    const page = await ctx.app.inject({ method: 'GET', url: `/g/${token}`, headers: { accept: 'text/html' } });
    expect(page.statusCode).toBe(500);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('This conversation cannot be shown');
    expect(page.body).not.toContain('Planted');
    expect(page.body).not.toContain('integrity_failure');
    const after = (await org.owner.get('/api/v1/audit?action=encryption.integrity_failure')).body.items.length;
    expect(after).toBeGreaterThan(before);
  });

  it('a file in clear on disk is refused too, though its checksum matches, and audited', async () => {
    const bytes = Buffer.from('%PDF-1.4 planted around the product');
    const upload = await uploadFile(ctx.app, org.owner, 'planted.pdf', bytes);
    expect(upload.status).toBe(201);
    const { rows } = await raw.query('select storage_key from attachments where id = $1', [upload.body.id]);
    // Written in clear beside the product, as a restore of a pre-encryption backup would: same bytes, same SHA-256.
    await fs.writeFile(path.join(ctx.deps.config.attachmentsDir, rows[0].storage_key), bytes);
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${upload.body.id}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(res.statusCode).not.toBe(200);
    expect(res.json().code).toBe('attachment_corrupted');
    expect(res.body).not.toContain('planted');
    const audit = await org.owner.get(`/api/v1/audit?subjectId=${upload.body.id}`);
    expect(audit.body.items.map((e: { action: string }) => e.action)).toContain('attachment.integrity_failure');
  });
});
