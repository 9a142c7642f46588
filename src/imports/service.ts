/**
 * Issue 22: a CSV of patients (or of opted-out numbers) streamed into contacts in batches. A dry run
 * reads the whole file the same way and writes nothing. Every row resolves to the existing contact
 * by external id, phone or email (C4), so running the same file again changes nothing.
 */
import type { ProviderChannel } from '../channels/registry.js';
import type { Readable } from 'node:stream';
import { and, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit, type AuditEntry } from '../audit/service.js';
import { amongTexts, type Tx } from '../db/client.js';
import { contacts } from '../contacts/schema.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import {
  changesFor,
  draftKeys,
  importFields,
  mappingProblem,
  matchContact,
  readRow,
  suggestMapping,
  type ColumnMapping,
  type ContactChanges,
  type ContactDraft,
  type ExistingContact,
  type ImportKind,
  type RefusedRow,
} from './rules.js';
import { readCsv, type SourceRow } from './csv.js';
import { contactImports, contactOptOuts } from './schema.js';

export type { SourceRow };
import { orgCountry } from '../orgs/locale.js';

const batchSize = 1000;
const sampleRows = 5;
/** The dry run lists this many refused rows (and counts them all). */
const listedRefusals = 1000;

export interface ImportOptions {
  kind: ImportKind;
  mapping?: ColumnMapping;
  dryRun: boolean;
  /** Where the rows came from, for the audit entry. */
  source?: 'csv' | 'fhir';
}

export interface ImportInput extends ImportOptions {
  file: Readable;
}

/** One record of the source (the first is the header), or an entry the source itself refuses, with its line (a Bundle's entry number). */

export interface ImportTotals {
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  refused: number;
  optedOut: number;
}

interface Pending {
  line: number;
  draft: ContactDraft;
}

interface Run {
  deps: Deps;
  actor: Actor;
  input: ImportOptions;
  importId: string | null;
  totals: ImportTotals;
  refused: RefusedRow[];
}

const optOutChannels = [
  ['optedOutSms', 'sms'],
  ['optedOutEmail', 'email'],
  ['optedOutWhatsapp', 'whatsapp'],
] as const;

function refuse(run: Run, line: number, reasons: string[]) {
  run.totals.refused += 1;
  if (run.refused.length < listedRefusals) run.refused.push({ line, reasons });
}

const existingColumns = {
  id: contacts.id,
  name: contacts.name,
  type: contacts.type,
  phone: contacts.phone,
  email: contacts.email,
  dateOfBirth: contacts.dateOfBirth,
  externalId: contacts.externalId,
  preferredChannel: contacts.preferredChannel,
  optedOut: contacts.optedOut,
};

/** The import format's opt-out fields (one per channel its files have a column for) from a contact's list of opt-outs. */
const importFlags = (optedOut: readonly string[]) =>
  Object.fromEntries(optOutChannels.map(([flag, channel]) => [flag, optedOut.includes(channel)])) as Record<(typeof optOutChannels)[number][0], boolean>;

async function candidatesFor(db: Deps['db'] | Tx, orgId: string, batch: Pending[]): Promise<ExistingContact[]> {
  const pick = (f: 'externalId' | 'phone' | 'email') => batch.map((p) => p.draft[f]).filter((v): v is string => Boolean(v));
  // One indexed lookup per key (an `or` of them would read every contact of the organization).
  const byKey = [
    [contacts.externalId, pick('externalId')],
    [contacts.phone, pick('phone')],
    [contacts.email, pick('email')],
  ] as const;
  const found = new Map<string, ExistingContact>();
  for (const [column, values] of byKey) {
    if (!values.length) continue;
    const rows = await db.select(existingColumns).from(contacts).where(and(eq(contacts.orgId, orgId), amongTexts(column, values)));
    for (const { optedOut, ...row } of rows) found.set(row.id, { ...row, ...importFlags(optedOut) });
  }
  return [...found.values()];
}

const newOptOuts = (flags: Partial<Pick<ContactDraft, 'optedOutSms' | 'optedOutEmail' | 'optedOutWhatsapp'>>) =>
  optOutChannels.filter(([flag]) => flags[flag]).map(([, channel]) => channel);

/** One batch: match, then (unless a dry run) insert the new, fill in the matched, name the opt-outs' source. */
async function applyBatch(run: Run, batch: Pending[]): Promise<void> {
  const { deps, actor } = run;
  const work = async (tx: Tx | Deps['db']) => {
    const candidates = await candidatesFor(tx, actor.orgId, batch);
    const creates: Pending[] = [];
    const updates: { pending: Pending; id: string; changes: ContactChanges }[] = [];
    for (const pending of batch) {
      const match = matchContact(pending.draft, candidates);
      if (match.kind === 'conflict') refuse(run, pending.line, [match.reason]);
      else if (match.kind === 'new') creates.push(pending);
      else {
        const changes = changesFor(match.contact, pending.draft);
        if (Object.keys(changes).length) updates.push({ pending, id: match.contact.id, changes });
        else run.totals.unchanged += 1;
      }
    }
    if (!run.importId) {
      run.totals.created += creates.length;
      run.totals.updated += updates.length;
      run.totals.optedOut += [...creates.map((c) => newOptOuts(c.draft)), ...updates.map((u) => newOptOuts(u.changes))].filter((c) => c.length).length;
      return;
    }
    await writeBatch(run, tx as Tx, creates, updates);
  };
  if (!run.importId) return work(deps.db);
  await deps.db.transaction(work);
}

async function writeBatch(run: Run, tx: Tx, creates: Pending[], updates: { pending: Pending; id: string; changes: ContactChanges }[]) {
  const { deps, actor } = run;
  const importId = run.importId!;
  const now = deps.clock.now();
  const audit: AuditEntry[] = [];
  const optOuts: { contactId: string; channel: ProviderChannel }[] = [];
  if (creates.length) {
    const inserted = await insertContacts(tx, actor.orgId, creates.map((c) => c.draft), now);
    const byKey = new Map(inserted.flatMap((c) => draftKeys(c).map((k) => [k, c] as const)));
    for (const pending of creates) {
      const row = draftKeys(pending.draft).map((k) => byKey.get(k)).find(Boolean);
      // Someone else created this person between our look-up and the insert: the next run matches them.
      if (!row) {
        refuse(run, pending.line, ['a contact with this phone, email or external id was added while importing; run the import again']);
        continue;
      }
      run.totals.created += 1;
      audit.push({ ...auditActor(actor), action: 'contact.create', subject: { type: 'contact', id: row.id }, details: { importId } });
      for (const channel of newOptOuts(pending.draft)) optOuts.push({ contactId: row.id, channel });
    }
  }
  for (const { id, changes } of updates) {
    const { optedOutSms: _sms, optedOutEmail: _email, optedOutWhatsapp: _whatsapp, ...fields } = changes;
    const added = newOptOuts(changes);
    const optedOut = added.length ? { optedOut: sql`array(select distinct unnest(${contacts.optedOut} || ${sql.param(added)}::text[]))` } : {};
    await tx.update(contacts).set({ ...fields, ...optedOut, updatedAt: now }).where(eq(contacts.id, id));
    run.totals.updated += 1;
    audit.push({ ...auditActor(actor), action: 'contact.update', subject: { type: 'contact', id }, details: { importId, fields: Object.keys(changes) } });
    for (const channel of newOptOuts(changes)) optOuts.push({ contactId: id, channel });
  }
  if (optOuts.length) {
    run.totals.optedOut += new Set(optOuts.map((o) => o.contactId)).size;
    await tx
      .insert(contactOptOuts)
      .values(optOuts.map((o) => ({ ...o, orgId: actor.orgId, importId, createdAt: now })))
      .onConflictDoNothing();
    audit.push(...optOuts.map((o) => ({ ...auditActor(actor), action: 'contact.opt_out', subject: { type: 'contact', id: o.contactId }, details: { channel: o.channel, importId } })));
  }
  await recordAudit(tx, audit);
}

const column = (values: (string | boolean | null)[], type: string) => sql`${sql.param(values)}::${sql.raw(type)}[]`;

/**
 * One statement for a batch of new contacts, its columns as arrays (unnest): a multi-row VALUES of
 * 1,000 contacts is 11,000 parameters to bind and plan, and took most of an 80,000-row import.
 * A contact someone else added meanwhile (same phone, email or external id) is skipped, not an error.
 */
async function insertContacts(tx: Tx, orgId: string, drafts: ContactDraft[], now: Date): Promise<ExistingContact[]> {
  const pick = <K extends keyof ContactDraft>(k: K) => drafts.map((d) => d[k] as string | boolean | null);
  const result = await tx.execute<{ id: string; name: string; type: ExistingContact['type']; phone: string | null; email: string | null; date_of_birth: string | null; external_id: string | null; preferred_channel: ExistingContact['preferredChannel']; opted_out: string[] }>(sql`
    insert into ${contacts} (org_id, type, name, phone, email, date_of_birth, external_id, preferred_channel, opted_out, created_at, updated_at)
    select ${orgId}::uuid, v.type::contact_type, v.name, v.phone, v.email, v.date_of_birth::date, v.external_id, v.preferred_channel, coalesce(string_to_array(nullif(v.opted_out, ''), ','), '{}'), ${now}::timestamptz, ${now}::timestamptz
    from unnest(
      ${column(pick('type'), 'text')}, ${column(drafts.map((d) => d.name ?? d.phone ?? d.email), 'text')}, ${column(pick('phone'), 'text')}, ${column(pick('email'), 'text')},
      ${column(pick('dateOfBirth'), 'text')}, ${column(pick('externalId'), 'text')}, ${column(pick('preferredChannel'), 'text')},
      ${column(drafts.map((d) => newOptOuts(d).join(',')), 'text')}
    ) as v(type, name, phone, email, date_of_birth, external_id, preferred_channel, opted_out)
    on conflict do nothing
    returning id, name, type, phone, email, date_of_birth::text as date_of_birth, external_id, preferred_channel, opted_out`);
  return result.rows.map((r) => ({
    id: r.id,
    name: r.name,
    type: r.type,
    phone: r.phone,
    email: r.email,
    dateOfBirth: r.date_of_birth,
    externalId: r.external_id,
    preferredChannel: r.preferred_channel,
    ...importFlags(r.opted_out),
  }));
}

function csvError(e: unknown): AppError {
  const err = e as { code?: string; lines?: number; message?: string };
  return new AppError('invalid_input', `the file is not a readable CSV${err.lines ? ` (line ${err.lines})` : ''}: ${err.message ?? 'unknown error'}`);
}

/** Reads the header, then every row; rows go to the database a batch at a time as the upload streams in. */
export async function importContacts(deps: Deps, actor: Actor, input: ImportInput) {
  const csv = readCsv(input.file);
  try {
    const report = await importRows(deps, actor, { ...input, source: 'csv' }, csv.rows);
    if (!report) throw new AppError('invalid_input', 'the file is empty: it needs a header row and a row per patient');
    return report;
  } catch (e) {
    csv.stop();
    if (e instanceof AppError) throw e;
    if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') throw new AppError('payload_too_large', 'the file is larger than 100 MB; split it (rows already imported stay, and importing them again changes nothing)');
    if ((e as { code?: string }).code?.startsWith('CSV_')) throw csvError(e);
    throw e;
  } finally {
    input.file.resume();
  }
}

/**
 * The import itself, whatever the source: the first record names the columns, every other one is a
 * patient (or an opt-out). Answers null when the source had no header.
 */
export async function importRows(deps: Deps, actor: Actor, input: ImportOptions, rows: AsyncIterable<SourceRow> | Iterable<SourceRow>) {
  const run: Run = { deps, actor, input, importId: null, refused: [], totals: { rows: 0, created: 0, updated: 0, unchanged: 0, refused: 0, optedOut: 0 } };
  let headers: string[] | null = null;
  let mapping: ColumnMapping = {};
  let problem: string | null = null;
  const sample: string[][] = [];
  const seen = new Map<string, number>();
  const today = deps.clock.now().toISOString().slice(0, 10);
  const country = await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry);
  let batch: Pending[] = [];
  for await (const row of rows) {
    const { line } = row;
    if ('refused' in row) {
      run.totals.rows += 1;
      refuse(run, line, row.refused);
      continue;
    }
    const { record } = row;
    if (!headers) {
      headers = record;
      mapping = input.mapping ?? suggestMapping(headers);
      problem = mappingProblem(mapping, headers, input.kind);
      if (problem && !input.dryRun) throw new AppError('invalid_input', `mapping: ${problem}`, { columns: headers, suggestedMapping: suggestMapping(headers) });
      if (!input.dryRun) run.importId = await startImport(deps, actor, input);
      continue;
    }
    if (sample.length < sampleRows) sample.push(record);
    if (problem) {
      if (sample.length === sampleRows) break;
      continue;
    }
    run.totals.rows += 1;
    if (record.length > headers.length) {
      refuse(run, line, [`has ${record.length} values but the header names ${headers.length} columns`]);
      continue;
    }
    const index = Object.fromEntries(importFields.map((f) => [f, mapping[f] ? headers!.indexOf(mapping[f]!) : -1]));
    const result = readRow((f) => (index[f] >= 0 ? (record[index[f]] ?? '') : ''), { kind: input.kind, country, today });
    if (!result.ok) {
      refuse(run, line, result.reasons);
      continue;
    }
    const keys = draftKeys(result.draft);
    const earlier = keys.map((k) => seen.get(k)).find((l) => l !== undefined);
    if (earlier !== undefined) {
      refuse(run, line, [`the same person as line ${earlier} (same ${keys.find((k) => seen.get(k) === earlier)!.split(':')[0].replace('id', 'external id')})`]);
      continue;
    }
    for (const k of keys) seen.set(k, line);
    batch.push({ line, draft: result.draft });
    if (batch.length >= batchSize) {
      await applyBatch(run, batch);
      batch = [];
    }
  }
  if (batch.length) await applyBatch(run, batch);
  if (!headers) return null;
  await finishImport(run, headers.length);
  return {
    dryRun: input.dryRun,
    importId: run.importId,
    kind: input.kind,
    columns: headers,
    mapping,
    mappingProblem: problem,
    sample,
    totals: run.totals,
    refused: run.refused,
  };
}

async function startImport(deps: Deps, actor: Actor, input: ImportOptions): Promise<string> {
  const [row] = await deps.db
    .insert(contactImports)
    .values({ orgId: actor.orgId, userId: actor.userId, kind: input.kind, startedAt: deps.clock.now() })
    .returning({ id: contactImports.id });
  return row.id;
}

async function finishImport(run: Run, columns: number) {
  const { deps, actor, totals } = run;
  const details = { kind: run.input.kind, dryRun: run.input.dryRun, source: run.input.source ?? 'csv', columns, ...totals };
  if (!run.importId) {
    await recordAudit(deps.db, { ...auditActor(actor), action: 'contact.import_dry_run', subject: { type: 'contact_import' }, details });
    return;
  }
  await deps.db.transaction(async (tx) => {
    await tx
      .update(contactImports)
      .set({ rows: totals.rows, created: totals.created, updated: totals.updated, refused: totals.refused, finishedAt: deps.clock.now() })
      .where(eq(contactImports.id, run.importId!));
    await recordAudit(tx, { ...auditActor(actor), action: 'contact.import', subject: { type: 'contact_import', id: run.importId }, details });
  });
}

/** S2: the patient opted back in themselves, so the imported opt-out no longer names the source of anything. */
export async function forgetImportedOptOut(tx: Tx, contactId: string, channel: ProviderChannel): Promise<void> {
  await tx.delete(contactOptOuts).where(and(eq(contactOptOuts.contactId, contactId), eq(contactOptOuts.channel, channel)));
}
