/**
 * Migration 0028 (issue 14): a contact's three opted_out_<channel> flags become one list. Run on a
 * database migrated to 0027 with contacts in every combination of flags, then to the end: each
 * contact keeps exactly the opt-outs it had.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { migrationsFolder, openDatabase } from '../../src/db/client.js';
import { dropDatabase, withDatabase } from '../setup/template.js';

const name = `frontdesk_mig_${process.pid}_${Date.now()}`;
const adminUrl = inject('adminUrl');
const scratch = mkdtempSync(path.join(tmpdir(), 'frontdesk-migrations-'));

/** The migrations folder as it was before `tag`: the journal cut there. */
function foldersUpTo(tag: string): string {
  cpSync(migrationsFolder, scratch, { recursive: true });
  const journalFile = path.join(scratch, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8'));
  const at = journal.entries.findIndex((e: { tag: string }) => e.tag === tag);
  expect(at).toBeGreaterThan(0);
  writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, at) }));
  return scratch;
}

afterAll(async () => {
  rmSync(scratch, { recursive: true, force: true });
  await dropDatabase(adminUrl, name);
});

describe('migration 0028: opt-outs as one list', () => {
  it('carries every contact\'s opt-out flags over, and no others', async () => {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`create database ${name}`);
    await admin.end();
    const database = openDatabase(withDatabase(adminUrl, name), { max: 1 });
    try {
      await migrate(database.db, { migrationsFolder: foldersUpTo('0028_contact_opt_outs_by_channel') });
      const { rows: [org] } = await database.pool.query(`insert into organizations (name) values ('Migrated') returning id`);
      const flags = [
        [false, false, false],
        [true, false, false],
        [false, true, false],
        [false, false, true],
        [true, true, true],
        [true, false, true],
      ];
      for (const [i, [sms, email, whatsapp]] of flags.entries()) {
        await database.pool.query(
          'insert into contacts (org_id, name, opted_out_sms, opted_out_email, opted_out_whatsapp) values ($1, $2, $3, $4, $5)',
          [org.id, `contact ${i}`, sms, email, whatsapp],
        );
      }
      await migrate(database.db, { migrationsFolder });
      const { rows } = await database.pool.query<{ name: string; opted_out: string[] }>('select name, opted_out from contacts order by name');
      expect(rows.map((r) => [r.name, [...r.opted_out].sort()])).toEqual([
        ['contact 0', []],
        ['contact 1', ['sms']],
        ['contact 2', ['email']],
        ['contact 3', ['whatsapp']],
        ['contact 4', ['email', 'sms', 'whatsapp']],
        ['contact 5', ['sms', 'whatsapp']],
      ]);
    } finally {
      await database.close();
    }
  }, 60_000);
});
