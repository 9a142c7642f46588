/**
 * Issue 22, "leave as easily": an admin exports the organization's contacts as CSV (the import's
 * columns: it reads back without mapping) and every conversation as JSON or FHIR, audited.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, importContactsCsv, inbound, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;
let texter: { conversationId: string; contactId: string };

const patients = [
  'Patient ID,First Name,Last Name,Mobile,Email,DOB,Text Opt-Out',
  'P-1,Ana,Ruiz,(415) 555-0401,ana@example.com,1984-03-07,no',
  'P-2,"Smith, Jr.","Bob ""Bobby""",(415) 555-0402,,,yes',
  'P-3,=cmd,Formula,(415) 555-0403,,,no',
].join('\r\n');

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Leaving Dental', { plan: 'pro' });
  expect((await importContactsCsv(ctx.app, org.owner, patients)).body.totals).toMatchObject({ created: 3 });
  texter = await inbound(org, 'Can I move my cleaning to Friday?', '+14155550401');
  const reply = await org.owner.post(`/api/v1/conversations/${texter.conversationId}/messages`, { channel: 'sms', body: 'Friday 10am works' });
  expect(reply.status).toBe(202);
});

describe('exporting the organization (issue 22)', () => {
  it('gives every contact as CSV in the import’s columns, quoted, formulas defused, and audited', async () => {
    const res = await org.owner.get('/api/v1/exports/contacts');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/csv/);
    expect(res.headers['content-disposition']).toMatch(/attachment; filename="contacts-\d{4}-\d{2}-\d{2}\.csv"/);
    const lines = (res.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe('External ID,Name,Phone,Email,Date of birth,Type,Preferred channel,Opted out SMS,Opted out email,Opted out WhatsApp');
    expect(lines.slice(1).sort()).toEqual(
      [
        'P-1,Ana Ruiz,+14155550401,ana@example.com,1984-03-07,patient,,no,no,no',
        'P-2,"Smith, Jr. Bob ""Bobby""",+14155550402,,,patient,,yes,no,no',
        "P-3,'=cmd Formula,+14155550403,,,patient,,no,no,no",
      ].sort(),
    );
    const audit = (await org.owner.get('/api/v1/audit?action=contacts.export')).body.items;
    expect(audit[0].details).toEqual({ format: 'csv', contacts: 3 });
  });

  it('reads back: into a new organization the same contacts and opt-outs, into this one nothing changes', async () => {
    const csv = (await org.owner.get('/api/v1/exports/contacts')).body as string;
    const next = await signupOrg(ctx.app, 'Next System', { plan: 'pro' });
    const moved = await importContactsCsv(ctx.app, next.owner, csv);
    expect(moved.body.totals).toMatchObject({ rows: 3, created: 3, refused: 0, optedOut: 1 });
    const sortedLines = (text: string) => text.trimEnd().split('\r\n').sort();
    // The same rows (the apostrophe that defused a formula stays part of that name, so it stays defused).
    expect(sortedLines((await next.owner.get('/api/v1/exports/contacts')).body)).toEqual(sortedLines(csv));
    const again = await importContactsCsv(ctx.app, org.owner, csv);
    expect(again.body.totals).toMatchObject({ rows: 3, created: 0, updated: 0, unchanged: 3 });
  });

  it('gives every conversation as JSON by patient, and as one FHIR collection Bundle', async () => {
    const json = await org.owner.get('/api/v1/exports/conversations?format=json');
    expect(json.status).toBe(200);
    expect(json.body.patients).toHaveLength(1);
    expect(json.body.patients[0]).toMatchObject({
      patient: { id: texter.contactId, name: 'Ana Ruiz', phone: '+14155550401' },
      conversations: [{ id: texter.conversationId, channel: 'sms', messages: [expect.objectContaining({ text: 'Can I move my cleaning to Friday?' }), expect.objectContaining({ text: 'Friday 10am works' })] }],
    });

    const fhir = await org.owner.get('/api/v1/exports/conversations?format=fhir');
    expect(fhir.headers['content-type']).toMatch(/^application\/fhir\+json/);
    expect(fhir.body).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    const resources = fhir.body.entry.map((e: { resource: { resourceType: string } }) => e.resource);
    expect(resources.map((r: { resourceType: string }) => r.resourceType)).toEqual(['Patient', 'Communication', 'Communication', 'Communication']);
    expect(resources[0]).toMatchObject({ id: texter.contactId, name: [{ text: 'Ana Ruiz' }] });
    expect(resources.flatMap((r: { payload?: { contentString?: string }[] }) => (r.payload ?? []).map((p) => p.contentString))).toEqual(['Can I move my cleaning to Friday?', 'Friday 10am works']);
    const audit = (await org.owner.get('/api/v1/audit?action=conversations.export')).body.items;
    expect(audit.map((a: { details: { format: string } }) => a.details.format).sort()).toEqual(['fhir', 'json']);
  });

  it("is an admin's, and gives another organization nothing of this one", async () => {
    const reception = await org.addUser('receptionist');
    expectProblem(await reception.client.get('/api/v1/exports/contacts'), 403, 'admin_only');
    expectProblem(await reception.client.get('/api/v1/exports/conversations'), 403, 'admin_only');
    const other = await signupOrg(ctx.app, 'Elsewhere');
    expect(((await other.owner.get('/api/v1/exports/contacts')).body as string).trimEnd().split('\r\n')).toHaveLength(1);
    expect((await other.owner.get('/api/v1/exports/conversations')).body.patients).toEqual([]);
    expectProblem(await org.owner.get('/api/v1/exports/conversations?format=xml'), 400, 'invalid_input');
  });
});
