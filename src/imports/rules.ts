/**
 * Pure rules of the patient import (issue 22): which CSV column means what, how one row reads as a
 * contact (or refuses, with the reasons), and what an import changes on a contact it already has.
 */
import { normalizeEmail, normalizePhone, type ContactType, type PreferredChannel } from '../contacts/rules.js';

export const importFields = [
  'name',
  'firstName',
  'lastName',
  'phone',
  'email',
  'dateOfBirth',
  'externalId',
  'type',
  'preferredChannel',
  'optedOutSms',
  'optedOutEmail',
  'optedOutWhatsapp',
] as const;
export type ImportField = (typeof importFields)[number];

/**
 * The contacts export's columns (issue 22, "leave as easily"): the import's fields under headers the
 * import recognises, so an export imports back — here or into the next system — without mapping.
 */
export const exportColumns = [
  ['externalId', 'External ID'],
  ['name', 'Name'],
  ['phone', 'Phone'],
  ['email', 'Email'],
  ['dateOfBirth', 'Date of birth'],
  ['type', 'Type'],
  ['preferredChannel', 'Preferred channel'],
  ['optedOutSms', 'Opted out SMS'],
  ['optedOutEmail', 'Opted out email'],
  ['optedOutWhatsapp', 'Opted out WhatsApp'],
] as const satisfies readonly (readonly [ImportField, string])[];

/**
 * One RFC 4180 field. A cell a spreadsheet would run as a formula (=, @, or + and - not starting a
 * number) is defused with a leading apostrophe; "+14155550134" stays a phone number.
 */
export function csvCell(value: string | null): string {
  if (value === null) return '';
  const text = /^[=@\t\r]|^[+-](?!\d)/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** Field → the CSV header it is read from. */
export type ColumnMapping = Partial<Record<ImportField, string>>;

/** `contacts`: a patient list. `opt_outs`: every row's number (and email) opted out, whatever its columns say. */
export const importKinds = ['contacts', 'opt_outs'] as const;
export type ImportKind = (typeof importKinds)[number];

/** Header words practice systems and messaging vendors use, normalised to letters and digits. */
const headerWords: Record<ImportField, string[]> = {
  name: ['name', 'fullname', 'patientname', 'patient', 'displayname', 'contactname'],
  firstName: ['firstname', 'first', 'givenname', 'forename', 'patientfirstname'],
  lastName: ['lastname', 'last', 'surname', 'familyname', 'patientlastname'],
  phone: ['phone', 'mobile', 'mobilephone', 'cell', 'cellphone', 'phonenumber', 'mobilenumber', 'sms', 'wirelessphone', 'primaryphone', 'number'],
  email: ['email', 'emailaddress', 'mail', 'primaryemail'],
  dateOfBirth: ['dateofbirth', 'dob', 'birthdate', 'birthday', 'birth'],
  externalId: ['externalid', 'id', 'patientid', 'chartnumber', 'chart', 'mrn', 'accountnumber', 'account', 'personid', 'patnum'],
  type: ['type', 'contacttype', 'status'],
  preferredChannel: ['preferredchannel', 'preferredcontact', 'contactpreference', 'preferredcontactmethod', 'channel'],
  optedOutSms: ['optedoutsms', 'optoutsms', 'smsoptout', 'textoptout', 'optedout', 'optout', 'unsubscribed', 'donottext', 'stop'],
  optedOutEmail: ['optedoutemail', 'optoutemail', 'emailoptout', 'donotemail'],
  optedOutWhatsapp: ['optedoutwhatsapp', 'optoutwhatsapp', 'whatsappoptout'],
};

const headerKey = (header: string) => header.toLowerCase().replace(/[^a-z0-9]/g, '');

/** The mapping a receptionist would pick from the headers alone; each header is used at most once. */
export function suggestMapping(headers: string[]): ColumnMapping {
  const mapping: ColumnMapping = {};
  const taken = new Set<string>();
  for (const field of importFields) {
    const header = headers.find((h) => !taken.has(h) && headerWords[field].includes(headerKey(h)));
    if (header) {
      mapping[field] = header;
      taken.add(header);
    }
  }
  return mapping;
}

/** Why a mapping cannot work with these headers (a field pointing at a missing column), or null. */
export function mappingProblem(mapping: ColumnMapping, headers: string[], kind: ImportKind): string | null {
  const missing = Object.entries(mapping).filter(([, header]) => header && !headers.includes(header));
  if (missing.length) return missing.map(([field, header]) => `${field}: the file has no column "${header}"`).join('; ');
  if (!mapping.phone && !mapping.email) return 'map a phone or an email column: a contact needs one of them';
  if (kind === 'contacts' && !mapping.name && !mapping.firstName && !mapping.lastName) return 'map a name column (or first and last name)';
  return null;
}

export interface ContactDraft {
  name: string | null;
  phone: string | null;
  email: string | null;
  dateOfBirth: string | null;
  externalId: string | null;
  type: ContactType;
  preferredChannel: PreferredChannel | null;
  optedOutSms: boolean;
  optedOutEmail: boolean;
  optedOutWhatsapp: boolean;
}

export type RowResult = { ok: true; draft: ContactDraft } | { ok: false; reasons: string[] };

const yesWords = new Set(['yes', 'y', 'true', '1', 'x', 'optedout', 'optout', 'stop', 'unsubscribed']);
const noWords = new Set(['no', 'n', 'false', '0', '']);

function readFlag(value: string): boolean | null {
  const key = headerKey(value);
  if (yesWords.has(key)) return true;
  if (noWords.has(key)) return false;
  return null;
}

const channelWords: Record<string, PreferredChannel> = { sms: 'sms', text: 'sms', texts: 'sms', textmessage: 'sms', mobile: 'sms', email: 'email', mail: 'email', whatsapp: 'whatsapp', portal: 'portal' };
const typeWords: Record<string, ContactType> = { patient: 'patient', active: 'patient', inactive: 'patient', lead: 'lead', prospect: 'lead', new: 'lead' };

/**
 * A date of birth as practice systems write it: ISO `1984-03-07`, or with slashes, dashes or dots
 * in the country's order (`03/07/1984` in the US, day first elsewhere). Never after `today`.
 */
export function readDateOfBirth(value: string, country: string, today: string): string | null {
  const iso = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(value);
  const local = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(value);
  const dayFirst = country !== 'US' && country !== 'CA';
  const parts = iso ? [iso[1], iso[2], iso[3]] : local ? [local[3], dayFirst ? local[2] : local[1], dayFirst ? local[1] : local[2]] : null;
  if (!parts) return null;
  const [y, m, d] = parts;
  const date = `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`;
  const parsed = new Date(`${date}T00:00:00Z`);
  if (Number.isNaN(parsed.getTime()) || parsed.toISOString().slice(0, 10) !== date) return null;
  return date > today || date < '1900-01-01' ? null : date;
}

function readName(get: (f: ImportField) => string): string | null {
  const full = get('name') || [get('firstName'), get('lastName')].filter(Boolean).join(' ');
  return full.replace(/\s+/g, ' ').trim() || null;
}

/** One CSV row as a contact, or every reason it cannot be one. `get` reads a mapped field ('' when blank). */
export function readRow(get: (f: ImportField) => string, opts: { kind: ImportKind; country: string; today: string }): RowResult {
  const reasons: string[] = [];
  const name = readName(get);
  if (name && name.length > 200) reasons.push('name: longer than 200 characters');
  if (!name && opts.kind === 'contacts') reasons.push('name: missing');

  let phone: string | null = null;
  if (get('phone')) {
    const parsed = normalizePhone(get('phone'), opts.country);
    if (!parsed.ok) reasons.push(`phone: ${parsed.reason}`);
    else if (parsed.type === 'fixed_line') reasons.push(`phone: ${parsed.e164} is a landline and cannot receive texts`);
    else phone = parsed.e164;
  }
  let email: string | null = null;
  if (get('email')) {
    email = normalizeEmail(get('email'));
    if (!email) reasons.push(`email: "${get('email')}" is not an email address`);
  }
  if (!get('phone') && !get('email')) reasons.push('no phone number or email address');

  const dobText = get('dateOfBirth');
  const dateOfBirth = dobText ? readDateOfBirth(dobText, opts.country, opts.today) : null;
  if (dobText && !dateOfBirth) reasons.push(`date of birth: "${dobText}" is not a past date (YYYY-MM-DD or ${opts.country === 'US' || opts.country === 'CA' ? 'MM/DD/YYYY' : 'DD/MM/YYYY'})`);

  const externalId = get('externalId') || null;
  if (externalId && externalId.length > 200) reasons.push('external id: longer than 200 characters');

  const typeText = get('type');
  const type = typeText ? typeWords[headerKey(typeText)] : 'patient';
  if (!type) reasons.push(`type: "${typeText}" is not patient or lead`);

  const channelText = get('preferredChannel');
  const preferredChannel = channelText ? channelWords[headerKey(channelText)] : null;
  if (channelText && !preferredChannel) reasons.push(`preferred channel: "${channelText}" is not SMS, email, WhatsApp or portal`);

  const flags = { optedOutSms: false, optedOutEmail: false, optedOutWhatsapp: false };
  for (const field of ['optedOutSms', 'optedOutEmail', 'optedOutWhatsapp'] as const) {
    const flag = readFlag(get(field));
    if (flag === null) reasons.push(`${field}: "${get(field)}" is not yes or no`);
    else flags[field] = flag;
  }
  if (opts.kind === 'opt_outs') {
    flags.optedOutSms = flags.optedOutSms || Boolean(phone);
    flags.optedOutWhatsapp = flags.optedOutWhatsapp || Boolean(phone);
    flags.optedOutEmail = flags.optedOutEmail || Boolean(email);
  }

  if (reasons.length) return { ok: false, reasons };
  return { ok: true, draft: { name, phone, email, dateOfBirth, externalId, type: type!, preferredChannel: preferredChannel ?? null, ...flags } };
}

/** The keys a draft is known by (C4): a second row with any of them is the same person. */
export function draftKeys(draft: Pick<ContactDraft, 'externalId' | 'phone' | 'email'>): string[] {
  return [draft.externalId && `id:${draft.externalId}`, draft.phone && `phone:${draft.phone}`, draft.email && `email:${draft.email}`].filter((k): k is string => Boolean(k));
}

export interface ExistingContact {
  id: string;
  name: string;
  type: ContactType;
  phone: string | null;
  email: string | null;
  dateOfBirth: string | null;
  externalId: string | null;
  preferredChannel: PreferredChannel | null;
  optedOutSms: boolean;
  optedOutEmail: boolean;
  optedOutWhatsapp: boolean;
}

export type ContactChanges = Partial<Omit<ExistingContact, 'id'>>;

/**
 * What an import changes on a contact it matched: it fills what is blank and never overwrites what
 * staff or patients set, except a lead's placeholder name (their number or address) and a lead
 * becoming a patient. Opt-outs are only ever added: an import never clears one.
 */
export function changesFor(existing: ExistingContact, draft: ContactDraft): ContactChanges {
  const changes: ContactChanges = {};
  const placeholderName = existing.name === existing.phone || existing.name === existing.email;
  if (draft.name && placeholderName && draft.name !== existing.name) changes.name = draft.name;
  if (draft.type === 'patient' && existing.type === 'lead') changes.type = 'patient';
  for (const field of ['phone', 'email', 'dateOfBirth', 'externalId', 'preferredChannel'] as const) {
    if (draft[field] && !existing[field]) (changes as Record<string, unknown>)[field] = draft[field];
  }
  for (const flag of ['optedOutSms', 'optedOutEmail', 'optedOutWhatsapp'] as const) {
    if (draft[flag] && !existing[flag]) changes[flag] = true;
  }
  return changes;
}

/** A refused row as the dry run lists it: the line of the file it ends on (the header is line 1). */
export interface RefusedRow {
  line: number;
  reasons: string[];
}

export type Match = { kind: 'new' } | { kind: 'existing'; contact: ExistingContact } | { kind: 'conflict'; reason: string };

/** C4: the one contact a draft is (by external id, phone or email), none, or a conflict never merged. */
export function matchContact(draft: ContactDraft, candidates: ExistingContact[]): Match {
  const byId = draft.externalId ? candidates.find((c) => c.externalId === draft.externalId) : undefined;
  const byPhone = draft.phone ? candidates.find((c) => c.phone === draft.phone) : undefined;
  const byEmail = draft.email ? candidates.find((c) => c.email === draft.email) : undefined;
  const found = [byId, byPhone, byEmail].filter((c): c is ExistingContact => Boolean(c));
  if (!found.length) return { kind: 'new' };
  if (new Set(found.map((c) => c.id)).size > 1) {
    const names = [byId && 'external id', byPhone && 'phone', byEmail && 'email'].filter(Boolean).join(', ');
    return { kind: 'conflict', reason: `its ${names} belong to different existing contacts; merge them first` };
  }
  const contact = found[0];
  if (draft.externalId && contact.externalId && contact.externalId !== draft.externalId) {
    return { kind: 'conflict', reason: `its ${byPhone ? 'phone' : 'email'} belongs to the contact with external id "${contact.externalId}"` };
  }
  return { kind: 'existing', contact };
}
