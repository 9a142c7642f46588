/**
 * Issue 22: patients and opt-outs arrive from another system's CSV export, streamed, dry-run first,
 * matched to the contacts already here (C4), and the same file twice changes nothing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, importContactsCsv, inbound, setupApp, signupOrg, type Client, type ImportFields, type Org, type TestContext } from '../helpers.js';

let ctx: TestContext;
let org: Org;

beforeAll(async () => {
  ctx = await setupApp();
  org = await signupOrg(ctx.app, 'Switching Dental', { plan: 'pro' });
});

const importCsv = (client: Client, csv: string | Buffer, fields: ImportFields = {}) => importContactsCsv(ctx.app, client, csv, fields);

const crlf = (lines: string[]) => lines.join('\r\n') + '\r\n';
const bom = '\uFEFF';

async function contactCount(): Promise<number> {
  const { rows } = await ctx.database.pool.query('select count(*)::int as n from contacts where org_id = $1', [org.orgId]);
  return rows[0].n;
}

async function contactByPhone(phone: string) {
  const res = await org.owner.get(`/api/v1/contacts?q=${encodeURIComponent(phone)}`);
  expect(res.body.items, phone).toHaveLength(1);
  return res.body.items[0];
}

/** A practice system's export: Excel's BOM, Windows line endings, quoted fields, and every kind of bad row. */
const messyExport =
  bom +
  crlf([
    'Patient ID,First Name,Last Name,Mobile,Email,DOB,Type,Preferred Contact,Text Opt-Out',
    'P-1,Ana,Ruiz,(415) 555-0301,ana@example.com,03/07/1984,Patient,Text,No',
    'P-2,"Smith, Jr.","Bob ""Bobby""",415.555.0302,,1990-12-01,,email,',
    'P-3,Carla,"Line one',
    'line two",+1 415 555 0303,carla@example.com,,lead,,yes',
    'P-4,,,(415) 555-0304,,,,,',
    'P-5,Dan,Nophone,,,,,,',
    'P-6,Eve,Badphone,555-01,,,,,',
    'P-7,Finn,Landline,+44 20 7946 0018,,,,,',
    'P-8,Gus,Bademail,,gus@nowhere,,,,',
    'P-9,Hal,Baddob,(415) 555-0309,,31/31/1980,,,',
    'P-10,Ida,Badtype,(415) 555-0310,,,vip,,',
    'P-11,Jo,Samephone,(415)555-0301,,,,,',
    'P-1,Kim,Sameid,(415) 555-0311,,,,,',
    'P-12,Lou,Toomany,(415) 555-0312,,,,,,extra',
    'P-13,Max,Badflag,(415) 555-0313,,,,,maybe',
    'P-14,Nia,Future,(415) 555-0314,,2099-01-01,,,',
  ]);

describe('importing patients from a CSV (issue 22)', () => {
  it('a dry run reads BOM, CRLF and quoted fields, suggests the mapping, and lists every refused row with why, writing nothing', async () => {
    const before = await contactCount();
    const res = await importCsv(org.owner, messyExport, { dryRun: true });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.columns[0]).toBe('Patient ID');
    expect(res.body.mapping).toEqual({
      externalId: 'Patient ID',
      firstName: 'First Name',
      lastName: 'Last Name',
      phone: 'Mobile',
      email: 'Email',
      dateOfBirth: 'DOB',
      type: 'Type',
      preferredChannel: 'Preferred Contact',
      optedOutSms: 'Text Opt-Out',
    });
    expect(res.body.mappingProblem).toBeNull();
    expect(res.body.sample[1]).toEqual(['P-2', 'Smith, Jr.', 'Bob "Bobby"', '415.555.0302', '', '1990-12-01', '', 'email', '']);
    expect(res.body.sample[2][2]).toBe('Line one\r\nline two');
    const why = Object.fromEntries(res.body.refused.map((r: { line: number; reasons: string[] }) => [r.line, r.reasons.join('; ')]));
    expect(why).toEqual({
      6: expect.stringMatching(/name: missing/),
      7: expect.stringMatching(/no phone number or email address/),
      8: expect.stringMatching(/phone: .*not a valid phone number/),
      9: expect.stringMatching(/landline/),
      10: expect.stringMatching(/email: "gus@nowhere" is not an email address/),
      11: expect.stringMatching(/date of birth: "31\/31\/1980"/),
      12: expect.stringMatching(/type: "vip"/),
      13: expect.stringMatching(/the same person as line 2 \(same phone\)/),
      14: expect.stringMatching(/the same person as line 2 \(same external id\)/),
      15: expect.stringMatching(/has 10 values but the header names 9 columns/),
      16: expect.stringMatching(/optedOutSms: "maybe" is not yes or no/),
      17: expect.stringMatching(/date of birth: "2099-01-01"/),
    });
    expect(res.body.totals).toEqual({ rows: 15, created: 3, updated: 0, unchanged: 0, refused: 12, optedOut: 1 });
    expect(res.body.importId).toBeNull();
    expect(await contactCount()).toBe(before);
  });

  it('imports the good rows, matches a patient who texted before instead of adding a second contact, and audits it', async () => {
    const texted = await inbound(org, 'Is my cleaning on Tuesday?', '+14155550302');
    const before = await contactCount();
    const res = await importCsv(org.owner, messyExport);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.totals).toMatchObject({ rows: 15, created: 2, updated: 1, unchanged: 0, refused: 12 });
    expect(await contactCount()).toBe(before + 2);

    const ana = await contactByPhone('+14155550301');
    expect(ana).toMatchObject({ name: 'Ana Ruiz', email: 'ana@example.com', dateOfBirth: '1984-03-07', externalId: 'P-1', type: 'patient', preferredChannel: 'sms', optedOut: { sms: false } });
    // The texter was a lead named by their number: now the patient the practice system knows.
    const bob = await contactByPhone('+14155550302');
    expect(bob).toMatchObject({ id: texted.contactId, name: 'Smith, Jr. Bob "Bobby"', externalId: 'P-2', type: 'patient', dateOfBirth: '1990-12-01', preferredChannel: 'email' });
    const carla = await contactByPhone('+14155550303');
    expect(carla).toMatchObject({ name: 'Carla Line one line two', type: 'lead', optedOut: { sms: true } });

    const audit = await org.owner.get('/api/v1/audit?action=contact.import');
    expect(audit.body.items).toEqual([expect.objectContaining({ subjectType: 'contact_import', subjectId: res.body.importId, details: expect.objectContaining({ created: 2, updated: 1, refused: 12 }) })]);
    const updates = await org.owner.get(`/api/v1/audit?action=contact.update&patientId=${texted.contactId}`);
    expect(updates.body.items[0].details).toMatchObject({ importId: res.body.importId, fields: expect.arrayContaining(['name', 'externalId', 'type']) });
  });

  it('running the same file again changes nothing', async () => {
    const before = await contactCount();
    const ana = await contactByPhone('+14155550301');
    const res = await importCsv(org.owner, messyExport);
    expect(res.body.totals).toMatchObject({ created: 0, updated: 0, unchanged: 3, refused: 12, optedOut: 0 });
    expect(await contactCount()).toBe(before);
    expect(await contactByPhone('+14155550301')).toEqual(ana);
  });

  it('never merges two contacts: a row whose phone and email belong to different people is refused', async () => {
    const res = await importCsv(org.owner, crlf(['Name,Phone,Email', 'Mixed Up,(415) 555-0301,carla@example.com']), { dryRun: true });
    expect(res.body.refused).toEqual([{ line: 2, reasons: [expect.stringMatching(/phone, email belong to different existing contacts/)] }]);
    const other = await importCsv(org.owner, crlf(['ID,Name,Phone', 'P-99,Someone Else,(415) 555-0301']), { dryRun: true });
    expect(other.body.refused).toEqual([{ line: 2, reasons: [expect.stringMatching(/belongs to the contact with external id "P-1"/)] }]);
  });

  it('takes a mapping of its own, and says what is wrong with one that does not fit the file', async () => {
    const csv = crlf(['Col A,Col B', 'Quinn Q,(415) 555-0320']);
    const dry = await importCsv(org.owner, csv, { dryRun: true });
    expect(dry.status).toBe(200);
    expect(dry.body.mappingProblem).toMatch(/map a phone or an email column/);
    expect(dry.body.sample).toEqual([['Quinn Q', '(415) 555-0320']]);
    expectProblem(await importCsv(org.owner, csv), 400, 'invalid_input');
    expectProblem(await importCsv(org.owner, csv, { mapping: { name: 'Col A', phone: 'Col C' } }), 400, 'invalid_input');
    expectProblem(await importCsv(org.owner, csv, { mapping: { nickname: 'Col A' } }), 400, 'invalid_input');
    const ok = await importCsv(org.owner, csv, { mapping: { name: 'Col A', phone: 'Col B' } });
    expect(ok.body.totals).toMatchObject({ created: 1, refused: 0 });
  });

  it('answers problem details for what is not a CSV upload', async () => {
    expectProblem(await importCsv(org.owner, 'Name,Phone\r\n"Unclosed,(415) 555-0330\r\n'), 400, 'invalid_input');
    expectProblem(await importCsv(org.owner, ''), 400, 'invalid_input');
    expectProblem(await importCsv(org.owner, 'Name,Phone\r\n', { kind: 'everything' }), 400, 'invalid_input');
    expectProblem(await org.owner.post('/api/v1/contacts/import', { file: 'not multipart' }), 400, 'invalid_input');
  });

  it('is for admins', async () => {
    const reception = await org.addUser('receptionist');
    expectProblem(await importCsv(reception.client, 'Name,Phone\r\nA,(415) 555-0340\r\n'), 403, 'admin_only');
  });

  it('imports 10,000 rows, and 10,000 again change nothing', async () => {
    const rows = Array.from({ length: 10_000 }, (_, i) => {
      const n = String(i).padStart(4, '0');
      return `EX-${n},"Patient ${n}, Test",(628) 200-${n},patient${n}@example.com`;
    });
    const csv = crlf(['External ID,Full Name,Cell Phone,E-mail', ...rows]);
    const first = await importCsv(org.owner, csv);
    expect(first.status, JSON.stringify(first.body).slice(0, 500)).toBe(200);
    expect(first.body.totals).toMatchObject({ rows: 10_000, created: 10_000, refused: 0 });
    const { rows: stored } = await ctx.database.pool.query("select count(*)::int as n from contacts where org_id = $1 and external_id like 'EX-%'", [org.orgId]);
    expect(stored[0].n).toBe(10_000);
    expect((await contactByPhone('+16282009999')).name).toBe('Patient 9999, Test');
    const again = await importCsv(org.owner, csv);
    expect(again.body.totals).toMatchObject({ rows: 10_000, created: 0, updated: 0, unchanged: 10_000 });
  });
});

describe('importing opt-outs (issue 22, S2)', () => {
  const send = (phone: string) => org.owner.post('/api/v1/conversations', { phone, channel: 'sms', clinicId: org.clinicId, body: 'Your appointment is tomorrow' });

  it('honours an imported list of numbers at once, for patients known and unknown, and shows where it came from', async () => {
    const known = await contactByPhone('+14155550301');
    expect(known.optedOut.sms).toBe(false);
    const res = await importCsv(org.owner, crlf(['Phone', '(415) 555-0301', '+1 415 555 0399']), { kind: 'opt_outs' });
    expect(res.body.totals).toMatchObject({ created: 1, updated: 1, optedOut: 2 });

    expectProblem(await send('(415) 555-0301'), 422, 'opted_out');
    expectProblem(await send('(415) 555-0399'), 422, 'opted_out');
    const list = (await org.owner.get('/api/v1/opt-outs')).body.items;
    const ana = list.find((c: { id: string }) => c.id === known.id);
    expect(ana.optOutSources).toEqual(
      expect.arrayContaining([expect.objectContaining({ channel: 'sms', source: 'import', importId: res.body.importId, importedBy: 'Olive Owner', at: expect.any(String) })]),
    );
    // Carla opted out by column in the patient import: that names the import too.
    const carla = list.find((c: { phone: string }) => c.phone === '+14155550303');
    expect(carla.optOutSources).toEqual([expect.objectContaining({ channel: 'sms', source: 'import' })]);
  });

  it('never clears an opt-out: a later file saying "no" leaves it, only the patient opting back in does', async () => {
    const res = await importCsv(org.owner, crlf(['Name,Phone,SMS Opt Out', 'Ana Ruiz,(415) 555-0301,no']));
    expect(res.body.totals).toMatchObject({ unchanged: 1, updated: 0 });
    expectProblem(await send('(415) 555-0301'), 422, 'opted_out');

    await inbound(org, 'START', '+14155550301');
    expect((await contactByPhone('+14155550301')).optedOut.sms).toBe(false);
    expect((await send('(415) 555-0301')).status).toBe(201);
    const { rows } = await ctx.database.pool.query("select count(*)::int as n from contact_opt_outs where contact_id = (select id from contacts where phone = '+14155550301') and channel = 'sms'");
    expect(rows[0].n).toBe(0);
  });
});
