/**
 * Key rotation without downtime. Every process reads under any key of its ring, so an install
 * rotates in three steps (docs/deploying.md): add the new key everywhere as ENCRYPTION_KEY with the
 * old one in ENCRYPTION_PREVIOUS_KEYS; run this (it re-encrypts every encrypted column and file in
 * small batches while the product runs, and rewrites each message's search index under the new key
 * and its organization's index key, as it does every index written before there were organization keys);
 * then drop the old key. Rows written before encryption existed are encrypted by the same pass.
 */
import { getTableName, sql, type SQL } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { patientArtifacts } from '../artifacts/schema.js';
import { attachments } from '../attachments/schema.js';
import { bookings } from '../bookings/schema.js';
import { inboundEvents } from '../channels/schema.js';
import { contactNotes } from '../contacts/schema.js';
import { conversations, messages } from '../conversations/schema.js';
import type { Deps } from '../deps.js';
import { webhookEndpoints } from '../hooks/schema.js';
import { pushKeys } from '../notifications/schema.js';
import { users } from '../orgs/schema.js';
import { boundPrefix, boundSealedPrefix, openBound, openText, sealBound, sealedPrefix, sealText, textKeyId, textPrefix, type Plaintext } from './cipher.js';
import { encryptionState } from './schema.js';
import { columnAad } from './columns.js';
import { indexMarker, searchVector } from './search.js';

interface EncryptedTable {
  table: PgTable;
  id: PgColumn;
  columns: PgColumn[];
  /** Columns bound to their row (enc2, AAD `table.column|org_id|id`): the rotation re-seals their enc1 values for their row. */
  rowBound?: PgColumn[];
  /** The blind index rebuilt from the first column's text (messages only). */
  searchIndex?: PgColumn;
}

/** Every encrypted column of the schema (a test checks that none is missing). */
export const encryptedTables: EncryptedTable[] = [
  {
    table: messages,
    id: messages.id,
    columns: [messages.body, messages.retractionReason, messages.card, messages.patientReaction, messages.fullText, messages.subject, messages.html],
    rowBound: [messages.body, messages.retractionReason, messages.card, messages.patientReaction, messages.fullText, messages.subject, messages.html],
    searchIndex: messages.search,
  },
  { table: conversations, id: conversations.id, columns: [conversations.subject], rowBound: [conversations.subject] },
  { table: contactNotes, id: contactNotes.id, columns: [contactNotes.body], rowBound: [contactNotes.body] },
  { table: bookings, id: bookings.id, columns: [bookings.notes], rowBound: [bookings.notes] },
  { table: attachments, id: attachments.id, columns: [attachments.filename], rowBound: [attachments.filename] },
  { table: users, id: users.id, columns: [users.totpSecret], rowBound: [users.totpSecret] },
  { table: webhookEndpoints, id: webhookEndpoints.id, columns: [webhookEndpoints.secret, webhookEndpoints.previousSecret], rowBound: [webhookEndpoints.secret, webhookEndpoints.previousSecret] },
  { table: inboundEvents, id: inboundEvents.id, columns: [inboundEvents.payload] },
  { table: patientArtifacts, id: patientArtifacts.id, columns: [patientArtifacts.title, patientArtifacts.details], rowBound: [patientArtifacts.title, patientArtifacts.details] },
  { table: pushKeys, id: pushKeys.id, columns: [pushKeys.privateKey] },
];

export interface RotationReport {
  /** Rows re-encrypted per table. */
  rows: Record<string, number>;
  files: number;
  /** Attachment files that were not on disk (restored from backup later, they are rotated then). */
  missingFiles: number;
  /** Whether nothing in clear is left, so values without the ciphertext prefix are refused from now on. */
  plaintextRefused?: boolean;
  /** Whether every row-bound column holds enc2 values only, so an enc1 value there is refused from now on. */
  unboundRefused?: boolean;
}

const rotationLockKey = 4_710_082;
const batchSize = 500;

type RotationDeps = Pick<Deps, 'db' | 'keys' | 'storage'>;

/** Re-encrypts everything not yet under the current key; one rotation at a time per database. */
export async function rotateEncryption(deps: RotationDeps, databaseUrl: string, log: (line: string) => void = () => {}): Promise<RotationReport | null> {
  const lock = new pg.Client({ connectionString: databaseUrl });
  await lock.connect();
  try {
    const { rows } = await lock.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [rotationLockKey]);
    if (!rows[0].ok) {
      log('another rotation is running on this database; this one stops');
      return null;
    }
    const report: RotationReport = { rows: {}, files: 0, missingFiles: 0 };
    for (const t of encryptedTables) {
      report.rows[getTableName(t.table)] = await rotateTable(deps, t, log);
    }
    Object.assign(report, await rotateFiles(deps, log));
    report.plaintextRefused = await refusePlaintextIfNoneLeft(deps.db);
    if (report.plaintextRefused) log('no value is left in clear: processes started from now on refuse one (restart the others)');
    report.unboundRefused = await refuseUnboundIfNoneLeft(deps.db);
    if (report.unboundRefused) log('every row-bound value is bound to its row: processes started from now on refuse an enc1 value there (restart the others)');
    return report;
  } finally {
    await lock.end().catch(() => {});
  }
}

const ident = (name: string) => sql.identifier(name);

/** Whether enc1 values may still be stored in row-bound columns, so they are read ('accept'), or are refused. */
export async function storedUnbound(db: Deps['db']): Promise<Plaintext> {
  const [state] = await db.select().from(encryptionState);
  return state?.unboundRefusedAt ? 'refuse' : 'accept';
}

const isRowBound = (t: EncryptedTable, c: PgColumn) => t.rowBound?.includes(c) ?? false;
/** How a column's values begin once sealed under `keyId`. */
const keyPrefixOf = (t: EncryptedTable, c: PgColumn, keyId: string) => (isRowBound(t, c) ? boundSealedPrefix(keyId) : sealedPrefix(keyId));

/** Marks the row-bound columns free of enc1 values when none holds one any more. */
async function refuseUnboundIfNoneLeft(db: Deps['db']): Promise<boolean> {
  const unbound = encryptedTables.flatMap((t) =>
    (t.rowBound ?? []).map((c) => sql`exists(select 1 from ${ident(getTableName(t.table))} where ${ident(c.name)} not like ${`${boundPrefix}%`})`),
  );
  const { rows } = await db.execute<{ any: boolean }>(sql`select (${sql.join(unbound, sql` or `)}) as any`);
  if (rows[0].any) return false;
  await db.update(encryptionState).set({ unboundRefusedAt: sql`coalesce(${encryptionState.unboundRefusedAt}, now())` });
  return true;
}

/** Whether values stored in clear may still exist, so they are read as text ('accept'), or are refused. */
export async function storedPlaintext(db: Deps['db']): Promise<Plaintext> {
  const [state] = await db.select().from(encryptionState);
  return state?.plaintextRefusedAt ? 'refuse' : 'accept';
}

/** Marks the database free of values in clear when no encrypted column holds one any more. */
async function refusePlaintextIfNoneLeft(db: Deps['db']): Promise<boolean> {
  const inClear = encryptedTables.flatMap((t) =>
    t.columns.map((c) => sql`exists(select 1 from ${ident(getTableName(t.table))} where ${ident(c.name)} not like ${`${textPrefix}%`} and ${ident(c.name)} not like ${`${boundPrefix}%`})`),
  );
  const { rows } = await db.execute<{ any: boolean }>(sql`select (${sql.join(inClear, sql` or `)}) as any`);
  if (rows[0].any) return false;
  await db.update(encryptionState).set({ plaintextRefusedAt: sql`coalesce(${encryptionState.plaintextRefusedAt}, now())` });
  return true;
}
/** A blind index not written under this key with organization keys (issue 15): the rotation re-indexes it. */
const notIndexedUnder = (index: PgColumn, keyId: string): SQL => sql`not (coalesce(${ident(index.name)}, ''::tsvector) @@ ${indexMarker(keyId)}::tsquery)`;
const notUnderCurrent = (column: PgColumn, prefix: string): SQL => sql`(${ident(column.name)} is not null and ${ident(column.name)} not like ${`${prefix}%`})`;

async function rotateTable(deps: RotationDeps, t: EncryptedTable, log: (line: string) => void): Promise<number> {
  const table = getTableName(t.table);
  const keyId = deps.keys.current.id;
  // Ids are uuids but for one-row tables keyed by a number (push_keys): compare in the id's own type.
  const idType = sql.raw(t.id.getSQLType());
  let after: string | null = null;
  let done = 0;
  for (;;) {
    // Raw values (not the schema's columns, which would decrypt): the id, then each column as stored.
    const { rows }: { rows: Record<string, string | null>[] } = await deps.db.execute<Record<string, string | null>>(sql`
      select ${ident(t.id.name)}::text as id, ${t.searchIndex || t.rowBound ? sql`org_id::text as org_id, ` : sql``}${sql.join(
        t.columns.map((c) => ident(c.name)),
        sql`, `,
      )}
      from ${ident(table)}
      where (${after}::${idType} is null or ${ident(t.id.name)} > ${after}::${idType}) and (${sql.join(
        [...t.columns.map((c) => notUnderCurrent(c, keyPrefixOf(t, c, keyId))), ...(t.searchIndex ? [notIndexedUnder(t.searchIndex, keyId)] : [])],
        sql` or `,
      )})
      order by ${ident(t.id.name)} limit ${batchSize}`);
    if (!rows.length) return done;
    after = rows[rows.length - 1].id!;
    // The whole batch in one statement: each column's new value (null where it stays) beside the
    // value it replaces, which must still be there — a row changed meanwhile (a note edited) is
    // left, as its new value was written under the current key already.
    const fresh = t.columns.map((c) =>
      rows.map((row) => {
        const stored = row[c.name];
        if (stored === null) return { stored, sealed: null, plain: null };
        if (isRowBound(t, c)) {
          const binding = { table, column: c.name, orgId: row.org_id!, rowId: row.id! };
          // A value moved into this row fails here too: the rotation stops rather than re-seal it for the wrong row.
          const plain = openBound(deps.keys, stored, binding, { unbound: 'accept', plaintext: 'accept' });
          return { stored, sealed: stored.startsWith(boundSealedPrefix(keyId)) ? null : sealBound(deps.keys, plain, binding), plain };
        }
        const plain = textKeyId(stored) === null ? stored : openText(deps.keys, stored, columnAad(table, c.name));
        return { stored, sealed: textKeyId(stored) === keyId ? null : sealText(deps.keys, plain, columnAad(table, c.name)), plain };
      }),
    );
    const arrays: SQL[] = [sql`${sql.param(rows.map((r) => r.id))}::${idType}[]`];
    const names: SQL[] = [sql.raw('id')];
    t.columns.forEach((c, i) => {
      arrays.push(sql`${sql.param(fresh[i].map((f) => f.sealed))}::text[]`, sql`${sql.param(fresh[i].map((f) => f.stored))}::text[]`);
      names.push(sql.raw(`new_${i}`), sql.raw(`old_${i}`));
    });
    const sets = t.columns.map((c, i) => sql`${ident(c.name)} = coalesce(v.${sql.raw(`new_${i}`)}, t.${ident(c.name)})`);
    if (t.searchIndex) {
      arrays.push(sql`${sql.param(fresh[0].map((f, r) => (f.plain === null ? null : searchVector(deps.keys, rows[r].org_id!, f.plain))))}::text[]`);
      names.push(sql.raw('search'));
      sets.push(sql`${ident(t.searchIndex.name)} = coalesce(v.search::tsvector, t.${ident(t.searchIndex.name)})`);
    }
    const guards = t.columns.map((c, i) => sql`t.${ident(c.name)} is not distinct from v.${sql.raw(`old_${i}`)}`);
    const changed = sql.join([...t.columns.map((_, i) => sql`v.${sql.raw(`new_${i}`)} is not null`), ...(t.searchIndex ? [sql`v.search is not null`] : [])], sql` or `);
    const result = await deps.db.transaction(async (tx) => {
      if (t.searchIndex) await tx.execute(sql`set local frontdesk.reencrypting = 'on'`);
      return tx.execute(sql`
        update ${ident(table)} t set ${sql.join(sets, sql`, `)}
        from unnest(${sql.join(arrays, sql`, `)}) as v(${sql.join(names, sql`, `)})
        where t.${ident(t.id.name)} = v.id and (${changed}) and ${sql.join(guards, sql` and `)}`);
    });
    done += result.rowCount ?? 0;
    log(`${table}: ${done} re-encrypted`);
  }
}

async function rotateFiles(deps: RotationDeps, log: (line: string) => void): Promise<{ files: number; missingFiles: number }> {
  let after = '00000000-0000-0000-0000-000000000000';
  let files = 0;
  let missingFiles = 0;
  for (;;) {
    const { rows } = await deps.db.execute<{ id: string; storage_key: string }>(
      sql`select id::text, storage_key from attachments where id > ${after}::uuid order by id limit ${batchSize}`,
    );
    if (!rows.length) break;
    after = rows[rows.length - 1].id;
    for (const row of rows) {
      const rotated = await deps.storage.rekey(row.storage_key).catch((e: NodeJS.ErrnoException) => {
        if (e.code === 'ENOENT') return null;
        throw e;
      });
      if (rotated === null) missingFiles++;
      else if (rotated) files++;
    }
    log(`attachments: ${files} files re-encrypted`);
  }
  return { files, missingFiles };
}
