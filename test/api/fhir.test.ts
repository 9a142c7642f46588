/** B3: the FHIR R4 Communication export, checked against R4's structure and value sets. */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, inbound, png, setupApp, signupOrg, uploadFile, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let conversationId: string;
let contactId: string;

// R4 Communication's elements (https://hl7.org/fhir/R4/communication.html), EventStatus and v3 ParticipationMode.
const communicationElements = new Set([
  'resourceType', 'id', 'meta', 'implicitRules', 'language', 'text', 'contained', 'extension', 'modifierExtension', 'identifier',
  'instantiatesCanonical', 'instantiatesUri', 'basedOn', 'partOf', 'inResponseTo', 'status', 'statusReason', 'category', 'priority',
  'medium', 'subject', 'topic', 'about', 'encounter', 'sent', 'received', 'recipient', 'sender', 'reasonCode', 'reasonReference', 'payload', 'note',
]);
const eventStatus = new Set(['preparation', 'in-progress', 'not-done', 'on-hold', 'stopped', 'completed', 'entered-in-error', 'unknown']);
const participationModes = new Set(['ELECTRONIC', 'PHYSICAL', 'REMOTE', 'VERBAL', 'DICTATE', 'FACE', 'PHONE', 'VIDEOCONF', 'WRITTEN', 'FAXWRIT', 'HANDWRIT', 'MAILWRIT', 'ONLINEWRIT', 'EMAILWRIT', 'TYPEWRIT']);
const dateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const reference = /^(Patient|Practitioner|Location|Communication|Organization)\/[0-9a-f-]{36}$/;

/** The R4 rules our resources must meet: known elements, required status and subject, value sets, formats, one content[x] per payload. */
function r4Problems(resource: any): string[] {
  const problems: string[] = [];
  const where = `Communication/${resource.id}`;
  for (const key of Object.keys(resource)) if (!communicationElements.has(key)) problems.push(`${where}: unknown element ${key}`);
  if (resource.resourceType !== 'Communication') problems.push(`${where}: resourceType`);
  if (!/^[A-Za-z0-9\-.]{1,64}$/.test(resource.id ?? '')) problems.push(`${where}: id`);
  if (!eventStatus.has(resource.status)) problems.push(`${where}: status ${resource.status} is not an EventStatus`);
  const refs = [resource.subject, resource.sender, ...(resource.recipient ?? []), ...(resource.partOf ?? [])].filter(Boolean);
  for (const r of refs) {
    if (!r.reference && !r.display) problems.push(`${where}: empty Reference`);
    if (r.reference && !reference.test(r.reference)) problems.push(`${where}: bad reference ${r.reference}`);
  }
  for (const m of resource.medium ?? []) {
    for (const c of m.coding ?? []) {
      if (c.system !== 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode' || !participationModes.has(c.code)) problems.push(`${where}: medium ${c.system}|${c.code}`);
    }
  }
  for (const field of ['sent', 'received']) if (resource[field] !== undefined && !dateTime.test(resource[field])) problems.push(`${where}: ${field} is not a dateTime`);
  for (const p of resource.payload ?? []) {
    const contents = Object.keys(p).filter((k) => k.startsWith('content'));
    if (contents.length !== 1 || !['contentString', 'contentAttachment', 'contentReference'].includes(contents[0])) problems.push(`${where}: payload must have one content[x]`);
    if (p.contentAttachment && !/^[\w.+-]+\/[\w.+-]+$/.test(p.contentAttachment.contentType)) problems.push(`${where}: attachment contentType`);
  }
  return problems;
}

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Fhir Clinic', { plan: 'pro' });
  const first = await inbound(org, 'Please send my X-ray', 'xray@example.com', { channel: 'email', name: 'Xavier Ray' });
  conversationId = first.conversationId;
  contactId = first.contactId;
  const file = await uploadFile(ctx.app, org.owner, 'xray.png', png);
  expect((await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { channel: 'email', body: 'Here it is', attachmentIds: [file.body.id] })).status).toBe(202);
  expect((await org.owner.post(`/api/v1/conversations/${conversationId}/calls`, { startedAt: '2026-03-02T08:00:00.000Z', durationSeconds: 300, direction: 'inbound', notes: 'Asked about the X-ray' })).status).toBe(201);
});

describe('FHIR R4 Communication (B3)', () => {
  it('exports a patient’s conversation as a thread header with its messages and call partOf it, valid per R4', async () => {
    const res = await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Communication?subject=Patient/${contactId}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    const bundle = res.json();
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 4 });
    const resources = bundle.entry.map((e: any) => e.resource);
    expect(resources.flatMap(r4Problems)).toEqual([]);
    for (const e of bundle.entry) expect(e.fullUrl).toBe(`http://localhost:3000/fhir/R4/Communication/${e.resource.id}`);

    const [thread, question, answer, call] = resources;
    expect(thread).toMatchObject({ id: conversationId, status: 'in-progress', subject: { reference: `Patient/${contactId}`, display: 'Xavier Ray' } });
    expect(thread.partOf).toBeUndefined();
    for (const r of [question, answer, call]) expect(r.partOf).toEqual([{ reference: `Communication/${conversationId}` }]);
    expect(question).toMatchObject({ status: 'completed', sender: { reference: `Patient/${contactId}` }, payload: [{ contentString: 'Please send my X-ray' }] });
    expect(question.medium[0].coding[0].code).toBe('EMAILWRIT');
    expect(answer).toMatchObject({ status: 'in-progress', sender: { reference: `Practitioner/${org.me.user.id}` }, recipient: [{ reference: `Patient/${contactId}` }] });
    expect(answer.payload[1].contentAttachment).toMatchObject({ contentType: 'image/png', title: 'xray.png', size: png.length, url: expect.stringMatching(/\/api\/v1\/files\/[\w-]+\?expires=\d+&signature=[\w-]+$/) });
    // The link works without a session until it expires (ATTACHMENT_LINK_HOURS, a day by default: guest.test.ts lets one expire); altered, it does not.
    const link = new URL(answer.payload[1].contentAttachment.url);
    const file = await ctx.app.inject({ method: 'GET', url: link.pathname + link.search });
    expect(file.statusCode).toBe(200);
    expect(file.rawPayload.equals(png)).toBe(true);
    const otherFile = link.pathname.replace(/[0-9a-f]{8}-/, '00000000-') + link.search;
    expect((await ctx.app.inject({ method: 'GET', url: otherFile })).json().code).toBe('invalid_link');
    expect(call).toMatchObject({ status: 'completed', sent: '2026-03-02T08:00:00.000Z', payload: [{ contentString: 'Asked about the X-ray' }], note: [{ text: 'Incoming call, 5 min' }] });
    expect(call.medium[0].coding[0].code).toBe('PHONE');
  });

  it('reads one resource by id, and audits the export', async () => {
    const bundle = (await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Communication?subject=Patient/${contactId}`, headers: { cookie: org.owner.auth.cookie! } })).json();
    const message = bundle.entry[1].resource;
    const one = await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Communication/${message.id}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(one.json()).toEqual(message);
    const header = await ctx.app.inject({ method: 'GET', url: `/fhir/R4/Communication/${conversationId}`, headers: { cookie: org.owner.auth.cookie! } });
    expect(header.json().id).toBe(conversationId);
    const audit = await org.owner.get('/api/v1/audit?action=fhir.export');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(3);
  });

  it('refuses a missing subject, and shows nothing to another organization', async () => {
    expectProblem(await org.owner.get('/fhir/R4/Communication'), 400, 'invalid_input');
    const other = await signupOrg(ctx.app, 'Other Fhir', { plan: 'pro' });
    expectProblem(await other.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}`), 404);
    expectProblem(await other.owner.get(`/fhir/R4/Communication/${conversationId}`), 404);
    expectProblem(await new (org.owner.constructor as any)(ctx.app).get(`/fhir/R4/Communication/${conversationId}`), 401);
  });
});

describe("the patient's right of access", () => {
  it('an admin exports the complete record as JSON and as a FHIR collection, audited; others may not', async () => {
    const org = await signupOrg(ctx.app, 'Record Clinic');
    const { conversationId, contactId } = await inbound(org, 'Please send me my records', '+14155550961');
    const sent = (await org.owner.post(`/api/v1/conversations/${conversationId}/messages`, { body: 'Wrong attachment, sorry' })).body;
    await org.owner.post(`/api/v1/messages/${sent.id}/retract`, { reason: 'wrong file', correction: 'Here is the right one' });

    const json = await org.owner.get(`/api/v1/contacts/${contactId}/record`);
    expect(json.status).toBe(200);
    expect(json.headers['content-disposition']).toMatch(/^attachment; filename="patient-record-/);
    expect(json.body.patient).toMatchObject({ id: contactId, phone: '+14155550961' });
    expect(json.body.conversations).toHaveLength(1);
    expect(json.body.conversations[0].messages.map((m: { text: string; status: string }) => [m.text, m.status])).toEqual([
      ['Please send me my records', 'completed'],
      ['Wrong attachment, sorry', 'entered-in-error'],
      ['Here is the right one', 'in-progress'],
    ]);

    const fhir = await ctx.app.inject({ method: 'GET', url: `/api/v1/contacts/${contactId}/record?format=fhir`, headers: { cookie: org.owner.auth.cookie! } });
    expect(fhir.headers['content-type']).toMatch(/^application\/fhir\+json/);
    const bundle = fhir.json();
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(bundle.entry.map((e: { resource: { resourceType: string } }) => e.resource.resourceType)).toEqual(['Patient', 'Communication', 'Communication', 'Communication', 'Communication']);

    const audit = (await org.owner.get(`/api/v1/audit?action=contact.record_export`)).body.items;
    expect(audit.map((e: { details: { format: string } }) => e.details.format)).toEqual(['fhir', 'json']);
    const receptionist = await org.addUser('receptionist');
    expectProblem(await receptionist.client.get(`/api/v1/contacts/${contactId}/record`), 403, 'admin_only');
    const other = await signupOrg(ctx.app, 'Other Record Clinic');
    expectProblem(await other.owner.get(`/api/v1/contacts/${contactId}/record`), 404, 'not_found');
  });
});
