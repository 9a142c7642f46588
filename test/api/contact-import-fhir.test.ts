/**
 * Issue 22: a practice system sends its patients as a FHIR R4 Bundle of Patient resources; they go
 * through the same checks, matching (C4) and idempotence as a CSV import. The Patient shapes follow
 * HL7's R4 examples (patient-example.json: several names with use official/usual/maiden, telecom
 * with home/work/mobile/old phones and a ranked email, an identifier typed MR).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, setupApp, signupOrg, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Bundle Dental', { plan: 'pro' });
});

const peter = {
  resourceType: 'Patient',
  id: 'example',
  identifier: [{ use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:oid:1.2.36.146.595.217.0.1', value: '12345' }],
  active: true,
  name: [
    { use: 'official', family: 'Chalmers', given: ['Peter', 'James'] },
    { use: 'usual', given: ['Jim'] },
    { use: 'maiden', family: 'Windsor', given: ['Peter', 'James'], period: { end: '2002' } },
  ],
  telecom: [
    { use: 'home' },
    { system: 'phone', value: '(03) 5555 6473', use: 'work', rank: 1 },
    { system: 'phone', value: '(415) 555-0401', use: 'mobile', rank: 2 },
    { system: 'phone', value: '(03) 3410 5613', use: 'old', period: { end: '2014' } },
    { system: 'email', value: 'Peter.Chalmers@example.com', rank: 1 },
  ],
  gender: 'male',
  birthDate: '1974-12-25',
};

const bundle = (resources: unknown[]) => ({ resourceType: 'Bundle', type: 'collection', entry: resources.map((resource) => ({ fullUrl: `urn:uuid:${Math.random()}`, resource })) });

const postBundle = (body: unknown, query = '', contentType = 'application/fhir+json') =>
  org.owner.request('POST', `/api/v1/contacts/import/fhir${query}`, typeof body === 'string' ? body : JSON.stringify(body), { 'content-type': contentType });

const others = [
  { resourceType: 'Patient', id: 'p2', name: [{ text: 'Ana Ruiz' }], telecom: [{ system: 'email', value: 'ana.ruiz@example.com' }], birthDate: '1984' },
  { resourceType: 'Patient', id: 'p3', name: [{ given: ['Nobody'] }] },
  { resourceType: 'Observation', id: 'o1' },
  { resourceType: 'Patient', id: 'p4', identifier: [{ value: '12345', type: { coding: [{ code: 'MR' }] } }], name: [{ text: 'Same Record' }], telecom: [{ system: 'phone', value: '(415) 555-0409' }] },
];

async function contactsNamed(name: string) {
  const { rows } = await ctx.database.pool.query('select id, name, phone, email, date_of_birth, external_id from contacts where org_id = $1 and name = $2', [org.orgId, name]);
  return rows;
}

describe('importing patients from a FHIR R4 Bundle (issue 22)', () => {
  it('a dry run reads each Patient as the CSV import would and names every entry it refuses, writing nothing', async () => {
    const res = await postBundle(bundle([peter, ...others]), '?dryRun=true');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.dryRun).toBe(true);
    expect(res.body.sample[0]).toEqual(['12345', 'Peter James Chalmers', '(415) 555-0401', 'Peter.Chalmers@example.com', '1974-12-25', 'patient']);
    expect(res.body.totals).toMatchObject({ rows: 5, created: 2, refused: 3 });
    expect(res.body.refused).toEqual([
      { line: 3, reasons: ['no phone number or email address'] },
      { line: 4, reasons: ['resourceType Observation: only Patient resources are imported'] },
      { line: 5, reasons: [expect.stringContaining('the same person as line 1')] },
    ]);
    expect(await contactsNamed('Peter James Chalmers')).toHaveLength(0);
  });

  it('imports the Patients (mobile phone, email, birth date, record number), and the same Bundle again changes nothing', async () => {
    const first = await postBundle(bundle([peter, others[0]]));
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.totals).toMatchObject({ rows: 2, created: 2, refused: 0 });
    const [row] = await contactsNamed('Peter James Chalmers');
    expect(row).toMatchObject({ phone: '+14155550401', email: 'peter.chalmers@example.com', external_id: '12345' });
    expect(String(row.date_of_birth)).toContain('1974');
    const [ana] = await contactsNamed('Ana Ruiz');
    expect(ana).toMatchObject({ email: 'ana.ruiz@example.com', date_of_birth: null, external_id: 'p2' });

    const again = await postBundle(bundle([peter, others[0]]), '', 'application/json');
    expect(again.body.totals).toMatchObject({ rows: 2, created: 0, updated: 0, unchanged: 2 });
    expect(await contactsNamed('Peter James Chalmers')).toHaveLength(1);

    const audit = await org.owner.get('/api/v1/audit?action=contact.import');
    expect(audit.body.items.some((e: { details: { source?: string } }) => e.details?.source === 'fhir')).toBe(true);
  });

  it('answers problem details for what is not a Bundle', async () => {
    expectProblem(await postBundle('{not json'), 400, 'invalid_input');
    expectProblem(await postBundle(peter), 400, 'invalid_input');
    const res = await postBundle({ resourceType: 'Bundle', entry: { resource: peter } });
    expectProblem(res, 400, 'invalid_input');
  });

  it('is for admins', async () => {
    const { client: receptionist } = await org.addUser('receptionist');
    const res = await receptionist.request('POST', '/api/v1/contacts/import/fhir', JSON.stringify(bundle([peter])), { 'content-type': 'application/fhir+json' });
    expect(res.status).toBe(403);
  });
});
