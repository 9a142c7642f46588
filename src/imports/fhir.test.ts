import { describe, expect, it } from 'vitest';
import { bundleProblem, fhirColumns, patientRow } from './fhir.js';

const row = (resource: unknown) => {
  const r = patientRow({ resource });
  if (!('record' in r)) throw new Error(`refused: ${r.refused.join('; ')}`);
  return Object.fromEntries(fhirColumns.map((c, i) => [c, r.record[i]]));
};

describe('a FHIR Patient as an import row', () => {
  it.each([
    ['official before usual and maiden', { name: [{ use: 'usual', given: ['Jim'] }, { use: 'official', family: 'Chalmers', given: ['Peter', 'James'] }] }, 'Peter James Chalmers'],
    ['text wins over parts', { name: [{ text: 'Dr Ana Ruiz', family: 'Ruiz' }] }, 'Dr Ana Ruiz'],
    ['an ended name is not used', { name: [{ family: 'Windsor', period: { end: '2002' } }, { family: 'Chalmers' }] }, 'Chalmers'],
    ['no name', {}, ''],
  ])('name: %s', (_, resource, name) => {
    expect(row({ resourceType: 'Patient', ...resource }).name).toBe(name);
  });

  it.each([
    ['a mobile before a ranked work phone', [{ system: 'phone', value: 'work', use: 'work', rank: 1 }, { system: 'phone', value: 'mobile', use: 'mobile', rank: 2 }], 'mobile'],
    ['by rank when none is mobile', [{ system: 'phone', value: 'second', rank: 2 }, { system: 'phone', value: 'first', rank: 1 }], 'first'],
    ['an old or ended number is skipped', [{ system: 'phone', value: 'old', use: 'old' }, { system: 'phone', value: 'gone', period: { end: '2014' } }, { system: 'sms', value: 'sms' }], 'sms'],
    ['a telecom without a value is skipped', [{ use: 'home' }, { system: 'fax', value: 'fax' }], ''],
  ])('phone: %s', (_, telecom, phone) => {
    expect(row({ resourceType: 'Patient', telecom }).phone).toBe(phone);
  });

  it.each([
    ['the MR identifier', [{ value: 'ssn', system: 'ssn' }, { value: 'mrn', type: { coding: [{ code: 'MR' }] } }], 'mrn'],
    ['else the usual one', [{ value: 'a' }, { value: 'b', use: 'usual' }], 'b'],
    ['else the resource id', [], 'res-1'],
  ])('external id: %s', (_, identifier, externalId) => {
    expect(row({ resourceType: 'Patient', id: 'res-1', identifier }).externalId).toBe(externalId);
  });

  it('keeps a full birth date and leaves out a partial one', () => {
    expect(row({ resourceType: 'Patient', birthDate: '1974-12-25' }).dateOfBirth).toBe('1974-12-25');
    expect(row({ resourceType: 'Patient', birthDate: '1974-12' }).dateOfBirth).toBe('');
  });

  it('refuses what is not a Patient', () => {
    expect(patientRow({ resource: { resourceType: 'Practitioner' } })).toEqual({ refused: ['resourceType Practitioner: only Patient resources are imported'] });
    expect(patientRow({ fullUrl: 'x' })).toEqual({ refused: ['the entry has no resource'] });
    expect(patientRow(null)).toEqual({ refused: ['the entry has no resource'] });
  });
});

describe('what a Bundle must be', () => {
  it.each([
    [{ resourceType: 'Bundle', entry: [] }, null],
    [{ resourceType: 'Bundle' }, null],
    [{ resourceType: 'Patient' }, 'resourceType: expected "Bundle", got "Patient"'],
    [{ resourceType: 'Bundle', entry: {} }, 'entry: must be an array of { resource: Patient }'],
    [[], 'the body must be a FHIR R4 Bundle (a JSON object)'],
  ])('%j', (body, problem) => {
    expect(bundleProblem(body)).toBe(problem);
  });
});
