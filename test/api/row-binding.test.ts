/**
 * Issue 15, item 3: a ciphertext is bound to its row (its organization and primary key), so a
 * value copied into another row — of the same organization or another — is refused as an integrity
 * failure and audited, naming the row. Values sealed before the binding (enc1) are read until the
 * rotation has re-sealed them, and refused after.
 */
import { Secret, TOTP } from 'otpauth';
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { sealText } from '../../src/encryption/cipher.js';
import { rotateEncryption, storedUnbound } from '../../src/encryption/rotate.js';
import { inbound, setupApp, signupOrg, uploadFile, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let other: Org;
let raw: pg.Client;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Bound Clinic', { plan: 'pro' });
  other = await signupOrg(ctx.app, 'Other Bound Clinic', { plan: 'pro' });
  raw = new pg.Client({ connectionString: ctx.database.url });
  await raw.connect();
  return () => raw.end();
});

/** Writes `value` into a row as an attacker with the database would (past the trigger that keeps sent messages as they are). */
async function plant(table: string, column: string, id: string, value: string): Promise<void> {
  await raw.query('begin');
  await raw.query(`set local frontdesk.reencrypting = 'on'`);
  await raw.query(`update ${table} set ${column} = $1 where id = $2`, [value, id]);
  await raw.query('commit');
}

const stored = async (table: string, column: string, id: string): Promise<string> =>
  (await raw.query<{ v: string }>(`select ${column} as v from ${table} where id = $1`, [id])).rows[0]!.v;

const failuresFor = async (subjectId: string) =>
  (
    await raw.query<{ org_id: string; actor_user_id: string | null; subject_type: string; details: { column?: string } }>(
      `select org_id, actor_user_id, subject_type, details from audit_log where action = 'encryption.integrity_failure' and subject_id = $1`,
      [subjectId],
    )
  ).rows;

async function expectRefused(res: { status: number; body: unknown }, secret: string) {
  expect(res.status).toBe(500);
  expect((res.body as { code: string }).code).toBe('integrity_failure');
  expect(JSON.stringify(res.body)).not.toContain(secret);
}

describe('a message body moved to another row', () => {
  it('is refused within the same organization, and the refusal is audited with the reader and the row', async () => {
    const source = await inbound(org, 'Source biopsy result', '+14155550301');
    const target = await inbound(org, 'Target question', '+14155550302');
    await plant('messages', 'body', target.messageId, await stored('messages', 'body', source.messageId));

    await expectRefused(await org.owner.get(`/api/v1/conversations/${target.conversationId}`), 'biopsy');
    expect(await failuresFor(target.messageId)).toEqual([
      expect.objectContaining({ org_id: org.orgId, actor_user_id: org.me.user.id, subject_type: 'messages', details: expect.objectContaining({ column: 'messages.body' }) }),
    ]);
    // The source row still reads: only the moved copy is refused.
    expect((await org.owner.get(`/api/v1/conversations/${source.conversationId}`)).status).toBe(200);
  });

  it("is refused in another organization's message", async () => {
    const source = await inbound(org, 'Cross-tenant crown fracture', '+14155550303');
    const target = await inbound(other, 'Other clinic question', '+14155550304');
    await plant('messages', 'body', target.messageId, await stored('messages', 'body', source.messageId));
    await expectRefused(await other.owner.get(`/api/v1/conversations/${target.conversationId}`), 'crown');
    expect((await failuresFor(target.messageId)).map((f) => f.org_id)).toEqual([other.orgId]);
  });

  it('is refused in another column of the same row', async () => {
    const msg = await inbound(org, 'Column swap', '+14155550309');
    await plant('messages', 'full_text', msg.messageId, await stored('messages', 'body', msg.messageId));
    await expectRefused(await org.owner.get(`/api/v1/conversations/${msg.conversationId}`), 'Column swap');
  });
});

describe('other row-bound columns', () => {
  it("refuses a contact note moved to another contact's note", async () => {
    const a = await inbound(org, 'hello', '+14155550305');
    const b = await inbound(org, 'hello', '+14155550306');
    const noteA = await org.owner.post(`/api/v1/contacts/${a.contactId}/notes`, { body: 'Allergic to penicillin' });
    const noteB = await org.owner.post(`/api/v1/contacts/${b.contactId}/notes`, { body: 'No allergies' });
    expect([noteA.status, noteB.status]).toEqual([201, 201]);
    expect((await org.owner.get(`/api/v1/contacts/${b.contactId}`)).body.notes[0].body).toBe('No allergies');
    await plant('contact_notes', 'body', noteB.body.id, await stored('contact_notes', 'body', noteA.body.id));
    await expectRefused(await org.owner.get(`/api/v1/contacts/${b.contactId}`), 'penicillin');
    expect((await failuresFor(noteB.body.id)).map((f) => f.subject_type)).toEqual(['contact_notes']);
  });

  it("refuses an attachment's file name moved to another attachment", async () => {
    const first = await uploadFile(ctx.app, org.owner, 'hiv-test-result.pdf', Buffer.from('%PDF-1.4\n%%EOF\n'));
    const second = await uploadFile(ctx.app, org.owner, 'invoice.pdf', Buffer.from('%PDF-1.4\n% 2\n%%EOF\n'));
    expect([first.status, second.status]).toEqual([201, 201]);
    await plant('attachments', 'filename', second.body.id, await stored('attachments', 'filename', first.body.id));
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${second.body.id}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(res.statusCode).toBe(500);
    expect(res.json().code).toBe('integrity_failure');
    expect(String(res.headers['content-disposition'] ?? '')).not.toContain('hiv');
    expect((await failuresFor(second.body.id)).map((f) => f.subject_type)).toEqual(['attachments']);
  });
});

describe('a card moved to another message', () => {
  it("is refused in the thread, so one patient's card does not show as another's", async () => {
    const a = await inbound(org, 'hello', '+14155550313');
    const b = await inbound(org, 'hello', '+14155550314');
    const send = (conversationId: string, amountCents: number, title: string) =>
      org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { card: { kind: 'payment_request', amountCents, title } });
    const source = await send(a.conversationId, 98_000, 'Root canal balance');
    const target = await send(b.conversationId, 4_500, 'Co-pay');
    expect([source.status, target.status]).toEqual([202, 202]);
    expect(await stored('messages', 'card', target.body.id)).toMatch(/^enc2:/);
    await plant('messages', 'card', target.body.id, await stored('messages', 'card', source.body.id));
    await expectRefused(await org.owner.get(`/api/v1/conversations/${b.conversationId}`), 'Root canal');
    expect((await failuresFor(target.body.id)).map((f) => f.details.column)).toEqual(['messages.card']);
  });
});

describe("an artifact's title and details moved to another artifact", () => {
  it('are refused, and a repeated push seals them for the row it updates', async () => {
    const { contactId } = await inbound(org, 'hello', '+14155550315');
    const push = (externalId: string, title: string, details: string) => org.owner.post('/api/v1/artifacts', { contactId, kind: 'treatment_plan', externalId, title, details });
    const source = await push('PLAN-1', 'Chemotherapy dental plan', 'Fluoride trays before chemo');
    const target = await push('PLAN-2', 'Cleaning', 'Routine');
    expect([source.status, target.status]).toEqual([201, 201]);
    const again = await push('PLAN-2', 'Cleaning and sealants', 'Routine, two sealants');
    expect([again.status, again.body.id]).toEqual([200, target.body.id]);
    expect((await org.owner.get(`/api/v1/contacts/${contactId}/artifacts`)).body.items.map((a: { title: string }) => a.title).sort()).toEqual(['Chemotherapy dental plan', 'Cleaning and sealants']);
    for (const column of ['title', 'details']) expect(await stored('patient_artifacts', column, target.body.id)).toMatch(/^enc2:/);

    await plant('patient_artifacts', 'details', target.body.id, await stored('patient_artifacts', 'details', source.body.id));
    await expectRefused(await org.owner.get(`/api/v1/contacts/${contactId}/artifacts`), 'chemo');
    await plant('patient_artifacts', 'title', target.body.id, await stored('patient_artifacts', 'title', source.body.id));
    await expectRefused(await org.owner.get(`/api/v1/contacts/${contactId}/artifacts`), 'Chemotherapy');
    expect((await failuresFor(target.body.id)).map((f) => [f.subject_type, f.details.column])).toContainEqual(['patient_artifacts', 'patient_artifacts.details']);
  });
});

describe('thread subjects and booking notes', () => {
  it("refuse a thread's subject copied into another thread", async () => {
    const start = (email: string, subject: string) => org.owner.post('/api/v1/conversations', { email, channel: 'email', clinicId: org.clinicId, body: 'We can see you Tuesday', subject });
    const a = (await start('subject-a@example.com', 'Your HIV test appointment')).body.conversation.id as string;
    const b = (await start('subject-b@example.com', 'Your cleaning')).body.conversation.id as string;
    expect((await org.owner.get(`/api/v1/conversations/${b}`)).body.subject).toBe('Your cleaning');
    await plant('conversations', 'subject', b, await stored('conversations', 'subject', a));
    await expectRefused(await org.owner.get(`/api/v1/conversations/${b}`), 'HIV');
    expect((await failuresFor(b)).map((f) => f.subject_type)).toEqual(['conversations']);
  });

  it("refuse a booking's notes copied into another booking", async () => {
    const a = await inbound(org, 'hello', '+14155550311');
    const b = await inbound(org, 'hello', '+14155550312');
    const first = await org.owner.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: '2026-03-10T15:00:00.000Z', contactId: a.contactId, notes: 'Bring the chemo schedule' });
    const second = await org.owner.post('/api/v1/bookings', { clinicId: org.clinicId, startsAt: '2026-03-11T15:00:00.000Z', contactId: b.contactId, notes: 'Cleaning' });
    expect([first.status, second.status], JSON.stringify(first.body)).toEqual([201, 201]);
    expect((await org.owner.get(`/api/v1/contacts/${b.contactId}`)).body.bookings[0].notes).toBe('Cleaning');
    await plant('bookings', 'notes', second.body.id, await stored('bookings', 'notes', first.body.id));
    await expectRefused(await org.owner.get(`/api/v1/contacts/${b.contactId}`), 'chemo');
  });
});

describe('secrets bound to their row', () => {
  it("refuse a TOTP secret copied into another user's row, so its codes do not pass for that user", async () => {
    const attacker = await org.addUser('doctor');
    const victim = await org.addUser('nurse');
    const enrolled = await attacker.client.post('/api/v1/auth/two-factor/enrol');
    expect((await victim.client.post('/api/v1/auth/two-factor/enrol')).status).toBe(200);
    await plant('users', 'totp_secret', victim.id, await stored('users', 'totp_secret', attacker.id));
    const code = new TOTP({ secret: Secret.fromBase32(enrolled.body.secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: ctx.clock.now().getTime() });
    await expectRefused(await victim.client.post('/api/v1/auth/two-factor/confirm', { code }), enrolled.body.secret);
    expect((await failuresFor(victim.id)).map((f) => [f.subject_type, f.details.column])).toEqual([['users', 'users.totp_secret']]);
  });

  it("refuse a webhook's signing secret copied into another endpoint", async () => {
    const first = await org.owner.post('/api/v1/webhooks', { url: 'https://example.com/a', events: ['message.created'] });
    const second = await org.owner.post('/api/v1/webhooks', { url: 'https://example.com/b', events: ['message.created'] });
    await plant('webhook_endpoints', 'secret', second.body.id, await stored('webhook_endpoints', 'secret', first.body.id));
    // A rotation opens the current secret to keep it signing during the overlap: the moved one is refused.
    await expectRefused(await org.owner.post(`/api/v1/webhooks/${second.body.id}/rotate-secret`, {}), first.body.secret);
    const rotated = await org.owner.post(`/api/v1/webhooks/${first.body.id}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    expect(await stored('webhook_endpoints', 'previous_secret', first.body.id)).toMatch(/^enc2:/);
  });
});

describe('values sealed before row binding (enc1)', () => {
  it('are read until the rotation re-seals them for their row, and refused after', async () => {
    const legacy = await inbound(org, 'placeholder', '+14155550307');
    const a = await inbound(org, 'hello', '+14155550308');
    const note = await org.owner.post(`/api/v1/contacts/${a.contactId}/notes`, { body: 'placeholder' });
    const carded = await org.owner.post(`/api/v1/conversations/${a.conversationId}/messages`, { card: { kind: 'payment_request', amountCents: 100 } });
    const legacyCard = { kind: 'payment_request', title: 'Legacy implant balance', artifactId: null, amountCents: 250_000, currency: 'USD', url: null };
    const artifact = await org.owner.post('/api/v1/artifacts', { contactId: a.contactId, kind: 'form', externalId: 'LEGACY-FORM', title: 'placeholder' });
    const artifactTitle = async () => (await org.owner.get(`/api/v1/contacts/${a.contactId}/artifacts`)).body.items[0].title;
    const cardOf = async () => (await org.owner.get(`/api/v1/conversations/${a.conversationId}`)).body.messages.find((m: { id: string }) => m.id === carded.body.id).card;
    // An install from before row binding: values sealed for their column only.
    await raw.query('update encryption_state set unbound_refused_at = null');
    await ctx.runtime.useKeys(ctx.deps.keys);
    await plant('messages', 'body', legacy.messageId, sealText(ctx.deps.keys, 'Legacy overbite question', 'messages.body'));
    await plant('contact_notes', 'body', note.body.id, sealText(ctx.deps.keys, 'Legacy note on bruxism', 'contact_notes.body'));
    await plant('messages', 'card', carded.body.id, sealText(ctx.deps.keys, JSON.stringify(legacyCard), 'messages.card'));
    expect(await cardOf()).toMatchObject({ title: 'Legacy implant balance' });
    await plant('patient_artifacts', 'title', artifact.body.id, sealText(ctx.deps.keys, 'Legacy sedation consent', 'patient_artifacts.title'));
    expect(await artifactTitle()).toBe('Legacy sedation consent');
    expect(JSON.stringify((await org.owner.get(`/api/v1/conversations/${legacy.conversationId}`)).body)).toContain('Legacy overbite question');
    expect((await org.owner.get(`/api/v1/contacts/${a.contactId}`)).body.notes[0].body).toBe('Legacy note on bruxism');

    const report = await rotateEncryption(ctx.deps, ctx.database.url);
    expect(report?.unboundRefused).toBe(true);
    expect(await stored('messages', 'body', legacy.messageId)).toMatch(/^enc2:[0-9a-f]{8}:/);
    expect(await stored('contact_notes', 'body', note.body.id)).toMatch(/^enc2:[0-9a-f]{8}:/);
    expect(await stored('messages', 'card', carded.body.id)).toMatch(/^enc2:[0-9a-f]{8}:/);
    expect(await stored('patient_artifacts', 'title', artifact.body.id)).toMatch(/^enc2:[0-9a-f]{8}:/);
    for (const { v } of (await raw.query<{ v: string }>('select body as v from messages union all select body from contact_notes union all select filename from attachments')).rows) {
      expect(v.startsWith('enc2:'), v.slice(0, 8)).toBe(true);
    }

    // Every process restarts: re-sealed values read, and an enc1 value planted now is refused.
    await ctx.runtime.useKeys(ctx.deps.keys);
    expect(await storedUnbound(ctx.database.db)).toBe('refuse');
    expect(JSON.stringify((await org.owner.get(`/api/v1/conversations/${legacy.conversationId}`)).body)).toContain('Legacy overbite question');
    expect(await cardOf()).toMatchObject({ title: 'Legacy implant balance' });
    expect(await artifactTitle()).toBe('Legacy sedation consent');
    await plant('messages', 'body', legacy.messageId, sealText(ctx.deps.keys, 'Planted overbite question', 'messages.body'));
    await expectRefused(await org.owner.get(`/api/v1/conversations/${legacy.conversationId}`), 'Planted');
    await plant('contact_notes', 'body', note.body.id, sealText(ctx.deps.keys, 'Planted note', 'contact_notes.body'));
    await expectRefused(await org.owner.get(`/api/v1/contacts/${a.contactId}`), 'Planted');
  });
});
