/** P2 portal chat and M12 sensitive messages, over HTTP. */
import { beforeAll, describe, expect, it } from 'vitest';
import { Client, eventually, expectProblem, png, setupApp, signupOrg, uploadFile, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let slug: string;
const patientPassword = 'my-portal-password-1';

beforeAll(async () => {
  ctx = await setupApp({}, { worker: true });
  org = await signupOrg(ctx.app, 'Portal Group', { plan: 'pro' });
  slug = org.me.clinics[0].slug;
});

function portalClient(res: { headers: Record<string, unknown>; json(): any }): Client {
  const setCookie = res.headers['set-cookie'];
  const cookie = (Array.isArray(setCookie) ? setCookie[0] : String(setCookie)).split(';')[0];
  expect(cookie).toMatch(/^fd_portal=/);
  return new Client(ctx.app, { cookie, csrf: res.json().csrfToken });
}

let m = 0;
async function invitedPatient(opts: { optIn?: boolean } = {}) {
  const email = `pat${++m}@example.com`;
  const contact = await org.owner.post('/api/v1/contacts', { name: `Pat Patient ${m}`, email, phone: `+1415555${String(3000 + m)}` });
  expect(contact.status).toBe(201);
  const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
  expect(invite.status).toBe(201);
  const token = new URL(invite.body.inviteUrl).hash.slice(1);
  const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/activate', payload: { token, password: patientPassword } });
  expect(res.statusCode, res.body).toBe(200);
  const patient = portalClient(res);
  if (opts.optIn !== false) expect((await patient.request('PUT', '/api/v1/portal/preferences', { chatOptIn: true })).status).toBe(200);
  return { contactId: contact.body.id as string, email, patient, token };
}

describe('portal accounts (P2)', () => {
  it('an invitation works once, for a good password, and signs the patient in', async () => {
    const contact = await org.owner.post('/api/v1/contacts', { name: 'Ivy Invite', email: 'ivy@example.com' });
    const invite = await org.owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
    expect(invite.body).toMatchObject({ inviteUrl: expect.stringMatching(/\/portal\/activate#[A-Za-z0-9_-]{43}$/), emailed: true });
    const token = new URL(invite.body.inviteUrl).hash.slice(1);
    expectProblem(await new Client(ctx.app).post('/api/v1/portal/activate', { token, password: 'short' }), 400, 'invalid_input');
    const ok = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/activate', payload: { token, password: patientPassword } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toMatchObject({ name: 'Ivy Invite', chatOptIn: false });
    expectProblem(await new Client(ctx.app).post('/api/v1/portal/activate', { token, password: patientPassword }), 404, 'not_found');
    expect((await org.owner.get(`/api/v1/contacts/${contact.body.id}`)).body.portalAccount).toBe(true);
  });

  it('signs in at the clinic with email and password; a wrong one is 401', async () => {
    const { email } = await invitedPatient();
    const anon = new Client(ctx.app);
    expectProblem(await anon.post('/api/v1/portal/login', { clinicSlug: slug, email, password: 'not-my-password' }), 401, 'invalid_credentials');
    expectProblem(await anon.post('/api/v1/portal/login', { clinicSlug: 'elsewhere', email, password: patientPassword }), 401, 'invalid_credentials');
    const res = await ctx.app.inject({ method: 'POST', url: '/api/v1/portal/login', payload: { clinicSlug: slug, email: email.toUpperCase(), password: patientPassword } });
    expect(res.statusCode).toBe(200);
    expect((await portalClient(res).get('/api/v1/portal/me')).body.email).toBe(email);
  });

  it('keeps patient and staff sessions apart, and checks CSRF on portal writes', async () => {
    const { patient } = await invitedPatient();
    expectProblem(await new Client(ctx.app).get('/api/v1/portal/me'), 401, 'not_signed_in');
    expectProblem(await org.owner.get('/api/v1/portal/me'), 401, 'not_signed_in');
    expectProblem(await patient.get('/api/v1/conversations'), 401, 'not_signed_in');
    const noCsrf = new Client(ctx.app, { cookie: patient.auth.cookie });
    expectProblem(await noCsrf.request('PUT', '/api/v1/portal/preferences', { chatOptIn: false }), 403, 'csrf');
  });
});

describe('portal chat (P2, M3, M12)', () => {
  it('staff may start a portal chat only with a patient who has an account and opted in, and are told which is missing', async () => {
    const bare = await org.owner.post('/api/v1/contacts', { name: 'No Account', email: 'noacct@example.com' });
    const refused = await org.owner.post('/api/v1/conversations', { contactId: bare.body.id, channel: 'portal', clinicId: org.clinicId, body: 'Hi' });
    expectProblem(refused, 422, 'channel_unavailable');
    expect(refused.body.missing).toBe('portal_account');

    const { contactId, patient } = await invitedPatient({ optIn: false });
    const notOptedIn = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Hi' });
    expectProblem(notOptedIn, 422, 'channel_unavailable');
    expect(notOptedIn.body.missing).toBe('chat_opt_in');

    await patient.request('PUT', '/api/v1/portal/preferences', { chatOptIn: true });
    expect((await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Hi' })).status).toBe(201);
  });

  it('read receipts go both ways: sent when stored, delivered when the portal fetches, read when the patient opens; and the patient sees the team read theirs', async () => {
    const { contactId, patient } = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Your prescription is ready' });
    const conversationId = started.body.conversation.id;
    const staffStatus = async () => (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages[0].status;
    await eventually(async () => expect(await staffStatus()).toBe('sent'));

    const inbox = await patient.get('/api/v1/portal/conversations');
    expect(inbox.body.items).toHaveLength(1);
    expect(inbox.body.items[0]).toMatchObject({ id: conversationId, unread: 1, lastMessage: { preview: 'Your prescription is ready' } });
    expect(await staffStatus()).toBe('delivered');

    const thread = await patient.get(`/api/v1/portal/conversations/${conversationId}`);
    expect(thread.body.messages).toMatchObject([{ body: 'Your prescription is ready', direction: 'outbound', status: 'delivered' }]);
    expect((await patient.post(`/api/v1/portal/conversations/${conversationId}/read`)).body.read).toBe(1);
    expect(await staffStatus()).toBe('read');

    const reply = await patient.post(`/api/v1/portal/conversations/${conversationId}/messages`, { body: 'Thanks, I will pick it up' });
    expect(reply.status).toBe(201);
    const staffView = await org.owner.get(`/api/v1/conversations/${conversationId}`);
    expect(staffView.body.unread).toBe(true);
    expect(staffView.body.messages[1]).toMatchObject({ direction: 'inbound', channel: 'portal', status: 'unread' });
    expect((await patient.get(`/api/v1/portal/conversations/${conversationId}`)).body.messages[1].status).toBe('delivered');
    await org.owner.post(`/api/v1/conversations/${conversationId}/read`);
    expect((await patient.get(`/api/v1/portal/conversations/${conversationId}`)).body.messages[1].status).toBe('read');
  });

  it('shows a sensitive message only within five minutes of entering the password again', async () => {
    const { contactId, patient } = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'See you Monday' });
    const conversationId = started.body.conversation.id;
    const sensitive = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { channel: 'portal', body: 'Your biopsy result is benign', sensitive: true });
    expect(sensitive.status).toBe(202);
    expect(sensitive.body.sensitive).toBe(true);
    await eventually(async () => expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages[1].status).toBe('sent'));

    const locked = await patient.get(`/api/v1/portal/conversations/${conversationId}`);
    expect(locked.body.sensitiveUnlocked).toBe(false);
    expect(locked.body.messages[1]).toMatchObject({ sensitive: true, locked: true, body: null });
    expect(JSON.stringify(locked.body)).not.toContain('biopsy');
    expect(JSON.stringify((await patient.get('/api/v1/portal/conversations')).body)).not.toContain('biopsy');
    expectProblem(await patient.get(`/api/v1/portal/messages/${sensitive.body.id}`), 403, 'reauth_required');
    await patient.post(`/api/v1/portal/conversations/${conversationId}/read`);
    expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages[1].status).not.toBe('read');

    expectProblem(await patient.post('/api/v1/portal/reauth', { password: 'wrong-password-here' }), 401, 'invalid_credentials');
    expect((await patient.post('/api/v1/portal/reauth', { password: patientPassword })).status).toBe(200);
    const open = await patient.get(`/api/v1/portal/conversations/${conversationId}`);
    expect(open.body.messages[1]).toMatchObject({ locked: false, body: 'Your biopsy result is benign' });
    expect((await patient.get(`/api/v1/portal/messages/${sensitive.body.id}`)).body.body).toBe('Your biopsy result is benign');

    ctx.clock.advance(5 * 60 * 1000 + 1);
    expect((await patient.get(`/api/v1/portal/conversations/${conversationId}`)).body.messages[1]).toMatchObject({ locked: true, body: null });
  });

  it('keeps the files of a sensitive message behind the password too', async () => {
    const { contactId, patient } = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Your scan' });
    const file = await uploadFile(ctx.app, org.owner, 'scan.png', png);
    const sent = await org.owner.post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { channel: 'portal', body: 'The scan image', sensitive: true, attachmentIds: [file.body.id] });
    expect(sent.status).toBe(202);
    const locked = await patient.get(`/api/v1/portal/conversations/${started.body.conversation.id}`);
    expect(locked.body.messages[1].attachments).toEqual([]);
    expectProblem(await patient.get(`/api/v1/portal/attachments/${file.body.id}`), 403, 'reauth_required');
    await patient.post('/api/v1/portal/reauth', { password: patientPassword });
    const open = await patient.get(`/api/v1/portal/conversations/${started.body.conversation.id}`);
    expect(open.body.messages[1].attachments[0]).toMatchObject({ id: file.body.id, filename: 'scan.png' });
    const res = await ctx.app.inject({ method: 'GET', url: `/api/v1/portal/attachments/${file.body.id}`, headers: { cookie: patient.auth.cookie! } });
    expect(res.statusCode).toBe(200);
    const stranger = await invitedPatient();
    expectProblem(await stranger.patient.get(`/api/v1/portal/attachments/${file.body.id}`), 404);
  });

  it('draws a card in the portal with its secure link, and no link text in the message', async () => {
    const { contactId, patient } = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Your plan is ready' });
    const plan = await org.owner.post('/api/v1/artifacts', { contactId, kind: 'treatment_plan', externalId: `TP-${contactId}`, title: 'Two crowns, upper left' });
    const sent = await org.owner.post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { channel: 'portal', card: { kind: 'treatment_plan', artifactId: plan.body.id } });
    expect(sent.body.body).toBe('Treatment plan: Two crowns, upper left');
    const thread = await patient.get(`/api/v1/portal/conversations/${started.body.conversation.id}`);
    expect(thread.body.messages[1].card).toMatchObject({ kind: 'treatment_plan', label: 'Treatment plan', title: 'Two crowns, upper left', link: expect.stringMatching(/\/l\/[A-Za-z0-9_-]{32}$/) });
  });

  it('marks only portal messages sensitive', async () => {
    const contact = await org.owner.post('/api/v1/contacts', { name: 'Sms Only', phone: '+14155553999' });
    const started = await org.owner.post('/api/v1/conversations', { contactId: contact.body.id, channel: 'sms', clinicId: org.clinicId, body: 'Hello' });
    expectProblem(await org.owner.post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { body: 'secret', sensitive: true }), 400, 'invalid_input');
  });

  it('a patient sees only their own conversations, and writes only when opted in', async () => {
    const a = await invitedPatient();
    const b = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId: a.contactId, channel: 'portal', clinicId: org.clinicId, body: 'For A only' });
    const id = started.body.conversation.id;
    expectProblem(await b.patient.get(`/api/v1/portal/conversations/${id}`), 404);
    expectProblem(await b.patient.post(`/api/v1/portal/conversations/${id}/messages`, { body: 'peek' }), 404);
    expect((await b.patient.get('/api/v1/portal/conversations')).body.items).toHaveLength(0);

    const own = await b.patient.post('/api/v1/portal/conversations', { clinicId: org.clinicId, body: 'A question from B' });
    expect(own.status).toBe(201);
    await b.patient.request('PUT', '/api/v1/portal/preferences', { chatOptIn: false });
    const refused = await b.patient.post(`/api/v1/portal/conversations/${own.body.conversationId}/messages`, { body: 'again' });
    expectProblem(refused, 422, 'channel_unavailable');
    expect(refused.body.missing).toBe('chat_opt_in');
  });
});
