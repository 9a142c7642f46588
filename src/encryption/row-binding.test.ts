import { pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterEach, describe, expect, it } from 'vitest';
import { IntegrityError, openBound, sealBound, sealText, type Plaintext } from './cipher.js';
import { installKeyRing, newRowId, openFor, openOptional, rowBoundText, Sealed, sealFor, sealOptional, type InstalledKeyRing } from './columns.js';
import { keyRing } from './keys.js';

const notes = pgTable('notes', { id: uuid('id').primaryKey(), orgId: uuid('org_id').notNull(), body: rowBoundText('notes', 'body'), title: rowBoundText('notes', 'title'), plain: text('plain') });
const ring = keyRing(Buffer.alloc(32, 3));
const orgA = '00000000-0000-4000-8000-00000000000a';
const orgB = '00000000-0000-4000-8000-00000000000b';
const row = { id: newRowId(), orgId: orgA };
/** What PostgreSQL would hand back for a value written through the column. */
const fromDb = (column: typeof notes.body, stored: string) => column.mapFromDriverValue(stored) as Sealed;
const roundTrip = (column: typeof notes.body, value: Sealed) => fromDb(column, column.mapToDriverValue(value) as string);

let installation: InstalledKeyRing | null = null;
/** The columns' ring, with whether values in clear and enc1 values may still be stored. */
const install = (plaintext: Plaintext = 'refuse', unbound: Plaintext = 'refuse') => (installation = installKeyRing(ring, plaintext, unbound));
afterEach(() => installation?.dispose());

describe('sealFor and openFor', () => {
  it('round-trip a value through its column for its own row, and never store it readable', () => {
    install();
    const sealed = sealFor(notes.body, row, 'Crown loose 🦷');
    expect(sealed.stored).toMatch(/^enc2:[0-9a-f]{8}:/);
    expect(sealed.stored).not.toContain('Crown');
    expect(openFor(row, roundTrip(notes.body, sealed))).toBe('Crown loose 🦷');
  });

  it('refuse the value in another row of the organization, or the same row id in another organization, naming the row', () => {
    install();
    const stored = roundTrip(notes.body, sealFor(notes.body, row, 'secret'));
    const elsewhere = { id: newRowId(), orgId: orgA };
    const refusal = (() => {
      try {
        openFor(elsewhere, stored);
      } catch (e) {
        return e;
      }
    })();
    expect(refusal).toBeInstanceOf(IntegrityError);
    expect((refusal as IntegrityError).row).toEqual({ table: 'notes', column: 'body', rowId: elsewhere.id });
    expect(() => openFor({ id: row.id, orgId: orgB }, stored)).toThrow(IntegrityError);
  });

  it('refuse a value copied into another column of its row', () => {
    install();
    const stored = sealFor(notes.body, row, 'secret').stored;
    expect(() => openFor(row, fromDb(notes.title, stored))).toThrow(IntegrityError);
  });

  it('will not write a value sealed for one column into another', () => {
    install();
    expect(() => notes.title.mapToDriverValue(sealFor(notes.body, row, 'x'))).toThrow(/sealed for notes.body cannot be written to notes.title/);
  });

  it('leave null as null', () => {
    install();
    expect(sealOptional(notes.title, row, null)).toBeNull();
    expect(openOptional(row, null)).toBeNull();
    expect(openOptional(row, sealOptional(notes.title, row, 'T'))).toBe('T');
  });

  it('refuse to serialize a value nobody opened, rather than leak its ciphertext', () => {
    install();
    const sealed = sealFor(notes.body, row, 'secret');
    expect(() => JSON.stringify({ body: sealed })).toThrow(/serialized without being opened/);
    expect(() => `${sealed}`).toThrow(/serialized without being opened/);
  });
});

describe('values from before row binding', () => {
  const legacy = sealText(ring, 'old note', 'notes.body');

  it('are read while enc1 values may still be stored (until the rotation has re-sealed them)', () => {
    install('refuse', 'accept');
    expect(openFor(row, fromDb(notes.body, legacy))).toBe('old note');
  });

  it('are refused as an integrity failure once every row-bound value is enc2', () => {
    install('accept', 'refuse');
    expect(() => openFor(row, fromDb(notes.body, legacy))).toThrow(/not bound to its row/);
  });

  it('in clear follow the plaintext rule', () => {
    install('accept', 'accept');
    expect(openFor(row, fromDb(notes.body, 'typed in clear'))).toBe('typed in clear');
    install('refuse', 'accept');
    expect(() => openFor(row, fromDb(notes.body, 'typed in clear'))).toThrow(IntegrityError);
  });
});

describe('the cipher of a row-bound value', () => {
  const binding = { table: 'notes', column: 'body', orgId: orgA, rowId: row.id };

  it('accepts only the full 16-byte tag', () => {
    const sealed = sealBound(ring, '', binding);
    const bytes = Buffer.from(sealed.slice(14), 'base64');
    const shortened = `${sealed.slice(0, 14)}${bytes.subarray(0, bytes.length - 4).toString('base64')}`;
    expect(() => openBound(ring, shortened, binding, { unbound: 'refuse', plaintext: 'refuse' })).toThrow(IntegrityError);
  });

  it('is read under any key of the ring', () => {
    const sealed = sealBound(ring, 'kept', binding);
    expect(openBound(keyRing(Buffer.alloc(32, 4), [Buffer.alloc(32, 3)]), sealed, binding, { unbound: 'refuse', plaintext: 'refuse' })).toBe('kept');
  });
});
