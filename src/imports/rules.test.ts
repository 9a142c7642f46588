import { describe, expect, it } from 'vitest';
import { changesFor, csvCell, exportColumns, matchContact, readDateOfBirth, readRow, suggestMapping, type ContactDraft, type ExistingContact, type ImportField } from './rules.js';

const row = (values: Partial<Record<ImportField, string>>, kind: 'contacts' | 'opt_outs' = 'contacts') =>
  readRow((f) => values[f] ?? '', { kind, country: 'US', today: '2026-12-01' });

const draft = (over: Partial<ContactDraft> = {}): ContactDraft => ({
  name: 'Ana Ruiz',
  phone: '+14155550301',
  email: null,
  dateOfBirth: null,
  externalId: null,
  type: 'patient',
  preferredChannel: null,
  optedOutSms: false,
  optedOutEmail: false,
  optedOutWhatsapp: false,
  ...over,
});

const existing = (over: Partial<ExistingContact> = {}): ExistingContact => ({
  id: 'c1',
  name: 'Ana Ruiz',
  type: 'patient',
  phone: '+14155550301',
  email: null,
  dateOfBirth: null,
  externalId: null,
  preferredChannel: null,
  optedOutSms: false,
  optedOutEmail: false,
  optedOutWhatsapp: false,
  ...over,
});

describe('suggested column mapping', () => {
  it('reads the headers practice systems and vendors export', () => {
    expect(suggestMapping(['Patient ID', 'First Name', 'Last Name', 'Cell Phone', 'E-mail', 'Birthdate', 'SMS Opt Out'])).toEqual({
      externalId: 'Patient ID',
      firstName: 'First Name',
      lastName: 'Last Name',
      phone: 'Cell Phone',
      email: 'E-mail',
      dateOfBirth: 'Birthdate',
      optedOutSms: 'SMS Opt Out',
    });
  });

  it('leaves unknown headers unmapped and uses each header once', () => {
    expect(suggestMapping(['Col A', 'Phone', 'Phone'])).toEqual({ phone: 'Phone' });
  });
});

describe('reading a row', () => {
  it('joins first and last names and normalises phone, email, date and flags', () => {
    expect(row({ firstName: ' Ana ', lastName: 'Ruiz', phone: '(415) 555-0301', email: 'ANA@Example.com', dateOfBirth: '3/7/1984', optedOutSms: 'Y', preferredChannel: 'Text' })).toEqual({
      ok: true,
      draft: draft({ email: 'ana@example.com', dateOfBirth: '1984-03-07', optedOutSms: true, preferredChannel: 'sms' }),
    });
  });

  it('gives every reason a row is refused', () => {
    const result = row({ phone: '555-01', email: 'nope', dateOfBirth: '2030-01-01', type: 'vip', optedOutEmail: 'perhaps' });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reasons).toEqual([
      'name: missing',
      expect.stringMatching(/^phone: /),
      'email: "nope" is not an email address',
      expect.stringMatching(/^date of birth: "2030-01-01"/),
      'type: "vip" is not patient or lead',
      'optedOutEmail: "perhaps" is not yes or no',
    ]);
  });

  it('refuses landlines, which cannot receive texts', () => {
    expect(row({ name: 'Finn', phone: '+44 20 7946 0018' })).toEqual({ ok: false, reasons: [expect.stringMatching(/landline/)] });
  });

  it('in an opt-out list, every number and address is opted out and no name is needed', () => {
    expect(row({ phone: '415 555 0399', optedOutSms: 'no' }, 'opt_outs')).toEqual({
      ok: true,
      draft: draft({ name: null, phone: '+14155550399', optedOutSms: true, optedOutWhatsapp: true }),
    });
  });
});

describe('dates of birth', () => {
  it.each([
    ['1984-03-07', 'US', '1984-03-07'],
    ['03/07/1984', 'US', '1984-03-07'],
    ['03/07/1984', 'GB', '1984-07-03'],
    ['7.3.1984', 'DE', '1984-03-07'],
    ['1984-02-30', 'US', null],
    ['13/13/1984', 'US', null],
    ['2027-01-01', 'US', null],
    ['1850-01-01', 'US', null],
    ['yesterday', 'US', null],
  ])('%s in %s reads as %s', (input, country, expected) => {
    expect(readDateOfBirth(input, country, '2026-12-01')).toBe(expected);
  });
});

describe('matching and changes (C4)', () => {
  it('finds the one contact by external id, phone or email, and never merges two', () => {
    expect(matchContact(draft(), [])).toEqual({ kind: 'new' });
    expect(matchContact(draft({ externalId: 'P-1' }), [existing()])).toMatchObject({ kind: 'existing', contact: { id: 'c1' } });
    expect(matchContact(draft({ email: 'b@example.com' }), [existing(), existing({ id: 'c2', phone: null, email: 'b@example.com' })])).toMatchObject({ kind: 'conflict' });
    expect(matchContact(draft({ externalId: 'P-2' }), [existing({ externalId: 'P-1' })])).toMatchObject({ kind: 'conflict', reason: expect.stringMatching(/"P-1"/) });
  });

  it('fills blanks, names a lead known only by number, and never overwrites or clears', () => {
    expect(changesFor(existing({ name: '+14155550301', type: 'lead' }), draft({ email: 'a@example.com', externalId: 'P-1' }))).toEqual({
      name: 'Ana Ruiz',
      type: 'patient',
      email: 'a@example.com',
      externalId: 'P-1',
    });
    expect(changesFor(existing({ name: 'Ana R.', email: 'old@example.com', optedOutSms: true }), draft({ name: 'Ana Ruiz', email: 'new@example.com', optedOutSms: false }))).toEqual({});
    expect(changesFor(existing(), draft({ optedOutSms: true }))).toEqual({ optedOutSms: true });
  });
});

describe('the contacts export', () => {
  it('has headers the import maps back to the same fields without help', () => {
    expect(suggestMapping(exportColumns.map(([, header]) => header))).toEqual(Object.fromEntries(exportColumns.map(([field, header]) => [field, header])));
  });

  it('quotes what needs quoting and defuses formulas, but keeps phone numbers', () => {
    expect(csvCell('Smith, Jr. "Bob"')).toBe('"Smith, Jr. ""Bob"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('+14155550134')).toBe('+14155550134');
    expect(csvCell(null)).toBe('');
  });
});
