/** P2 portal chat and M12 sensitive messages, over HTTP. */
import { readFileSync } from 'node:fs';
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

// Real files, not made for this project (see test/fixtures/media/README.md): a JPEG from @fastify/static's fixtures, a PDF Debian ships.
const photo = readFileSync(new URL('../fixtures/media/photo.jpg', import.meta.url));
const specPdf = readFileSync(new URL('../fixtures/media/spec.pdf', import.meta.url));

/** The portal's reply box as the browser sends it: multipart, the text first, then the file. */
function portalUpload(client: Client, conversationId: string, part: { filename: string; bytes: Buffer; body?: string }) {
  const boundary = '----frontdeskportal' + Math.random().toString(16).slice(2);
  const text = part.body === undefined ? '' : `--${boundary}\r\nContent-Disposition: form-data; name="body"\r\n\r\n${part.body}\r\n`;
  const payload = Buffer.concat([
    Buffer.from(`${text}--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${part.filename}"\r\nContent-Type: application/octet-stream\r\n\r\n`),
    part.bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const headers: Record<string, string> = { 'content-type': `multipart/form-data; boundary=${boundary}` };
  if (client.auth.cookie) headers.cookie = client.auth.cookie;
  if (client.auth.csrf) headers['x-csrf-token'] = client.auth.csrf;
  return ctx.app.inject({ method: 'POST', url: `/api/v1/portal/conversations/${conversationId}/attachments`, headers, payload });
}

let m = 0;
async function invitedPatient(opts: { optIn?: boolean; at?: Org } = {}) {
  const email = `pat${++m}@example.com`;
  const owner = (opts.at ?? org).owner;
  const contact = await owner.post('/api/v1/contacts', { name: `Pat Patient ${m}`, email, phone: `+1415555${String(3000 + m)}` });
  expect(contact.status).toBe(201);
  const invite = await owner.post(`/api/v1/contacts/${contact.body.id}/portal-invitation`);
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

  it('lets the patient send a photo or PDF with a message into their own thread, stored and audited like a staff upload', async () => {
    const { contactId, patient } = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Send us a photo of the swelling' });
    const conversationId = started.body.conversation.id;
    const res = await portalUpload(patient, conversationId, { filename: 'swelling.jpg', bytes: photo, body: 'Here it is' });
    expect(res.statusCode, res.body).toBe(201);
    const sent = res.json();
    expect(sent).toMatchObject({ direction: 'inbound', body: 'Here it is', attachments: [{ filename: 'swelling.jpg', contentType: 'image/jpeg', size: photo.length }] });
    const fileId = sent.attachments[0].id;

    const staffThread = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body;
    const received = staffThread.messages.find((msg: { id: string }) => msg.id === sent.id);
    expect(received).toMatchObject({ direction: 'inbound', body: 'Here it is', attachments: [{ id: fileId, contentType: 'image/jpeg' }] });
    const download = await ctx.app.inject({ method: 'GET', url: `/api/v1/attachments/${fileId}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(download.rawPayload.equals(photo)).toBe(true);
    const own = await ctx.app.inject({ method: 'GET', url: `/api/v1/portal/attachments/${fileId}`, headers: { cookie: patient.auth.cookie! } });
    expect(own.statusCode).toBe(200);
    const audit = (await org.owner.get(`/api/v1/audit?subjectId=${fileId}`)).body.items;
    expect(audit.map((e: { action: string }) => e.action)).toContain('attachment.upload');

    const pdf = await portalUpload(patient, conversationId, { filename: 'referral.pdf', bytes: specPdf });
    expect(pdf.statusCode, pdf.body).toBe(201);
    expect(pdf.json().attachments[0].contentType).toBe('application/pdf');
  });

  it('refuses a file whose bytes are not a photo or document (400), and sends nothing with it', async () => {
    const { contactId, patient } = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Hello' });
    const conversationId = started.body.conversation.id;
    const before = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.length;
    const exe = Buffer.concat([Buffer.from('4d5a90000300000004000000ffff0000', 'hex'), Buffer.alloc(64)]);
    const refused = await portalUpload(patient, conversationId, { filename: 'photo.jpg', bytes: exe, body: 'my photo' });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('invalid_input');
    expect((await portalUpload(patient, conversationId, { filename: 'empty.jpg', bytes: Buffer.alloc(0) })).statusCode).toBe(400);
    expect((await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.length).toBe(before);
  });

  it("refuses a file for another patient's or another organization's conversation, and without opt-in or CSRF", async () => {
    const owner = await invitedPatient();
    const stranger = await invitedPatient();
    const started = await org.owner.post('/api/v1/conversations', { contactId: owner.contactId, channel: 'portal', clinicId: org.clinicId, body: 'Hi' });
    const conversationId = started.body.conversation.id;
    expect((await portalUpload(stranger.patient, conversationId, { filename: 'x.jpg', bytes: photo })).statusCode).toBe(404);

    const elsewhere = await signupOrg(ctx.app, 'Elsewhere Portal Group', { plan: 'pro' });
    const far = await invitedPatient({ at: elsewhere });
    const theirs = await elsewhere.owner.post('/api/v1/conversations', { contactId: far.contactId, channel: 'portal', clinicId: elsewhere.clinicId, body: 'Hi' });
    expect(theirs.status).toBe(201);
    expect((await portalUpload(owner.patient, theirs.body.conversation.id, { filename: 'x.jpg', bytes: photo })).statusCode).toBe(404);
    expect((await elsewhere.owner.get(`/api/v1/conversations/${theirs.body.conversation.id}`)).body.messages).toHaveLength(1);

    const noCsrf = new Client(ctx.app, { cookie: owner.patient.auth.cookie });
    expect((await portalUpload(noCsrf, conversationId, { filename: 'x.jpg', bytes: photo })).statusCode).toBe(403);
    expect((await portalUpload(new Client(ctx.app), conversationId, { filename: 'x.jpg', bytes: photo })).statusCode).toBe(401);
    await owner.patient.request('PUT', '/api/v1/portal/preferences', { chatOptIn: false });
    const optedOut = await portalUpload(owner.patient, conversationId, { filename: 'x.jpg', bytes: photo });
    expect(optedOut.statusCode).toBe(422);
    expect(optedOut.json().code).toBe('channel_unavailable');
    const staffFiles = (await org.owner.get(`/api/v1/conversations/${conversationId}`)).body.messages.flatMap((msg: { attachments: unknown[] }) => msg.attachments);
    expect(staffFiles).toEqual([]);
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

  it('draws a card in the Spanish patient\'s language, its note apart from the card line (issue 18)', async () => {
    const { contactId, patient } = await invitedPatient();
    await org.owner.patch(`/api/v1/contacts/${contactId}`, { preferredLanguage: 'es' });
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Su plan está listo' });
    const plan = await org.owner.post('/api/v1/artifacts', { contactId, kind: 'treatment_plan', externalId: `TP-${contactId}`, title: 'Dos coronas' });
    const sent = await org.owner.post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { channel: 'portal', body: 'Aquí lo tiene:', card: { kind: 'treatment_plan', artifactId: plan.body.id } });
    expect(sent.body.body).toBe('Aquí lo tiene:\n\nPlan de tratamiento: Dos coronas');
    const thread = await patient.get(`/api/v1/portal/conversations/${started.body.conversation.id}`);
    expect(thread.body.messages[1]).toMatchObject({ body: 'Aquí lo tiene:', card: { kind: 'treatment_plan', label: 'Plan de tratamiento', title: 'Dos coronas' } });
    // Sent in English before the contact chose Spanish: the card is drawn in Spanish, and the English line still stays out of the note.
    await org.owner.patch(`/api/v1/contacts/${contactId}`, { preferredLanguage: null });
    const before = await org.owner.post(`/api/v1/conversations/${started.body.conversation.id}/messages`, { channel: 'portal', card: { kind: 'treatment_plan', artifactId: plan.body.id } });
    expect(before.body.body).toBe('Treatment plan: Dos coronas');
    const english = await patient.get(`/api/v1/portal/conversations/${started.body.conversation.id}`);
    expect(english.body.messages[2]).toMatchObject({ body: null, card: { label: 'Treatment plan' } });
    await org.owner.patch(`/api/v1/contacts/${contactId}`, { preferredLanguage: 'es' });
    const spanish = await patient.get(`/api/v1/portal/conversations/${started.body.conversation.id}`);
    expect(spanish.body.messages[2]).toMatchObject({ body: null, card: { label: 'Plan de tratamiento' } });
  });

  it("words the inbox preview of a sensitive message and a retracted one in the Spanish patient's language (issue 18)", async () => {
    const { contactId, patient } = await invitedPatient();
    await org.owner.patch(`/api/v1/contacts/${contactId}`, { preferredLanguage: 'es' });
    const started = await org.owner.post('/api/v1/conversations', { contactId, channel: 'portal', clinicId: org.clinicId, body: 'Hola' });
    const conversationId = started.body.conversation.id;
    await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { channel: 'portal', body: 'Su resultado es benigno', sensitive: true });
    const inbox = await patient.get('/api/v1/portal/conversations');
    expect(inbox.body.items[0].lastMessage).toMatchObject({ sensitive: true, preview: 'Mensaje confidencial: vuelva a escribir su contraseña para leerlo' });
    const wrong = await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { channel: 'portal', body: 'Dosis equivocada' });
    expect((await org.owner.post(`/api/v1/messages/${wrong.body.id}/retract`, { reason: 'wrong dose', correction: 'Dosis correcta' })).status).toBeLessThan(300);
    const thread = await patient.get(`/api/v1/portal/conversations/${conversationId}`);
    expect(thread.body.messages.find((m: { id: string }) => m.id === wrong.body.id)).toMatchObject({ body: 'La clínica retiró este mensaje.' });
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
