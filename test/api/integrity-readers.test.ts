/**
 * Issue 15: a stored value that fails its integrity check is refused and audited whoever reads it —
 * staff, an integration's token (FHIR), an admin's export, a patient in the portal, a guest through
 * their private link — under the organization whose data it is, naming the reader.
 */
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let raw: pg.Client;
beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Tamper Clinic', { plan: 'pro' });
  raw = new pg.Client({ connectionString: ctx.database.url });
  await raw.connect();
  return () => raw.end();
});

/** Alters one byte of a message's stored ciphertext, as an attacker with the database would. */
async function tamper(messageId: string): Promise<void> {
  const { rows } = await raw.query<{ body: string }>('select body from messages where id = $1', [messageId]);
  const sealed = rows[0]!.body;
  const at = sealed.length - 6;
  const altered = sealed.slice(0, at) + (sealed[at] === 'A' ? 'B' : 'A') + sealed.slice(at + 1);
  await raw.query('begin');
  await raw.query(`set local frontdesk.reencrypting = 'on'`);
  await raw.query('update messages set body = $1 where id = $2', [altered, messageId]);
  await raw.query('commit');
}

const failures = async () =>
  (
    await raw.query<{ actor_kind: string; actor_token_id: string | null; details: { route: string | null; contactId?: string } }>(
      `select actor_kind, actor_token_id, details from audit_log where org_id = $1 and action = 'encryption.integrity_failure' order by id`,
      [org.orgId],
    )
  ).rows;

describe('an integrity failure is audited whoever reads it', () => {
  it('through a guest\'s private link, as JSON and as the page', async () => {
    const posted = await ctx.app.inject({ method: 'POST', url: `/api/v1/public/clinics/${org.me.clinics[0].slug}/messages`, payload: { name: 'Gail Guest', email: 'gail@example.com', body: 'Is my biopsy back?' }, remoteAddress: '198.51.100.91' });
    expect(posted.statusCode, posted.body).toBe(201);
    const token = new URL(posted.json().guestUrl).pathname.split('/')[2];
    const { rows } = await raw.query<{ id: string; contact_id: string }>(`select m.id, c.contact_id from messages m join conversations c on c.id = m.conversation_id where c.org_id = $1 and m.channel = 'web'`, [org.orgId]);
    await tamper(rows[0]!.id);
    const before = (await failures()).length;
    const json = await ctx.app.inject({ method: 'GET', url: `/api/v1/public/threads/${token}/messages` });
    expect(json.statusCode).toBe(500);
    expect(json.json().code).toBe('integrity_failure');
    const page = await ctx.app.inject({ method: 'GET', url: `/g/${token}` });
    expect(page.statusCode).toBe(500);
    expect(page.body).not.toContain('biopsy');
    const audited = (await failures()).slice(before);
    expect(audited.map((a) => [a.actor_kind, a.details.contactId, a.details.route])).toEqual([
      ['patient', rows[0]!.contact_id, '/api/v1/public/threads/:token/messages'],
      ['patient', rows[0]!.contact_id, '/g/:token'],
    ]);
  });

  it('in the portal, by the signed-in patient', async () => {
    const contact = (await org.owner.post('/api/v1/contacts', { name: 'Pat Portal', email: 'pat.portal@example.com' })).body;
    const invite = (await org.owner.post(`/api/v1/contacts/${contact.id}/portal-invitation`)).body;
    const activated = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/activate', payload: { token: new URL(invite.inviteUrl).hash.slice(1), password: 'a long portal passphrase 42' } });
    expect(activated.statusCode, activated.body).toBe(200);
    const patient = new Client(ctx.app, { cookie: String(activated.headers['set-cookie']).split(';')[0], csrf: activated.json().csrfToken });
    expect((await patient.request('PUT', '/api/v1/portal/preferences', { chatOptIn: true })).status).toBe(200);
    const written = await patient.post('/api/v1/portal/conversations', { clinicId: org.clinicId, body: 'My test results, please' });
    expect(written.status, JSON.stringify(written.body)).toBe(201);
    const conversationId = written.body.conversationId ?? written.body.conversation?.id;
    const { rows } = await raw.query<{ id: string }>(`select id from messages where conversation_id = $1`, [conversationId]);
    await tamper(rows[0]!.id);
    const before = (await failures()).length;
    const res = await patient.get(`/api/v1/portal/conversations/${conversationId}`);
    expect(res.status).toBe(500);
    expect((await failures()).slice(before).map((a) => [a.actor_kind, a.details.contactId])).toEqual([['patient', contact.id]]);
  });

  it('through FHIR with an integration\'s token, and in an admin\'s export', async () => {
    const { messageId, contactId } = await inbound(org, 'Allergic to penicillin', '+14155550961');
    await tamper(messageId);
    const token = (await org.owner.post('/api/v1/api-tokens', { name: 'EHR' })).body;
    const before = (await failures()).length;
    const fhir = await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Communication?subject=Patient/${contactId}`, headers: { authorization: `Bearer ${token.token}` } });
    expect(fhir.statusCode).toBe(500);
    // The export streams: its answer began before the bad value was read, so the download breaks off.
    const exported = await org.owner.get('/api/v1/exports/conversations').catch((e: Error) => e);
    expect(exported instanceof Error ? exported.message : exported.status).toMatch(/destroyed|500/);
    expect((await failures()).slice(before).map((a) => [a.actor_kind, a.actor_token_id, a.details.route])).toEqual([
      ['api_token', token.id, '/fhir/R4/Communication'],
      ['user', null, '/api/v1/exports/conversations'],
    ]);
  });
});
