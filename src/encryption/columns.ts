/**
 * Encrypted columns for the drizzle schema. Drizzle's column mappers are static, like pg's type
 * parsers, so they cannot take the ring from Deps: they read the one ring installed here. Only the
 * owner of a process's keys installs it — startRuntime (and the rotation command), before the first
 * query — and it disposes the installation when it closes, so no ring outlives its runtime and
 * Deps.keys is always the very ring the columns use.
 */
import { randomUUID } from 'node:crypto';
import { getTableName } from 'drizzle-orm';
import { customType, type PgColumn } from 'drizzle-orm/pg-core';
import { openBound, openText, sealBound, sealText, type Plaintext, type RowBinding } from './cipher.js';
import type { KeyRing } from './keys.js';
import { searchVector } from './search.js';

/** A ring installed for the columns, held by whoever installed it. */
export interface InstalledKeyRing {
  readonly ring: KeyRing;
  /** Takes the ring out again; a no-op when a later installation has replaced it. */
  dispose(): void;
}

let installed: KeyRing | null = null;
let plaintext: Plaintext = 'refuse';
let unbound: Plaintext = 'refuse';

/**
 * Makes `ring` the columns' ring, replacing any other (a restart with new keys). `accept`: values
 * in clear from before encryption, or `enc1:` values from before row binding, may still be stored
 * in the columns that take them (see encryption_state).
 */
export function installKeyRing(ring: KeyRing, storedPlaintext: Plaintext = 'refuse', storedUnbound: Plaintext = 'refuse'): InstalledKeyRing {
  installed = ring;
  plaintext = storedPlaintext;
  unbound = storedUnbound;
  return {
    ring,
    dispose: () => {
      if (installed !== ring) return;
      installed = null;
      plaintext = 'refuse';
      unbound = 'refuse';
    },
  };
}

function installedKeyRing(): KeyRing {
  if (!installed) throw new Error('no encryption key ring installed: startRuntime installs it before the first query and disposes it on close');
  return installed;
}

/** Where a value lives, bound into its ciphertext as associated data: `messages.body`. */
export const columnAad = (table: string, column: string) => `${table}.${column}`;

/** A value sealed for `table.column` as its mapper would: for the few writes in raw SQL. */
export const sealForColumn = (table: string, column: string, plain: string) => sealText(installedKeyRing(), plain, columnAad(table, column));

/** A text column stored as AES-256-GCM ciphertext (see cipher.ts); rotate.ts lists every one. */
export const encryptedText = (table: string, column: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (plain) => sealText(installedKeyRing(), plain, columnAad(table, column)),
    fromDriver: (stored) => openText(installedKeyRing(), stored, columnAad(table, column), plaintext),
  })(column);

/** The blind search index of an organization's text: written with the plain text, stored as HMAC tokens (see search.ts). */
export const blindIndex = (name: string) =>
  customType<{ data: { orgId: string; text: string }; driverData: string }>({
    dataType: () => 'tsvector',
    toDriver: ({ orgId, text }) => searchVector(installedKeyRing(), orgId, text),
  })(name);

/**
 * A row-bound column's value as stored: opened only with its row (`openFor`), so a value moved to
 * another row is refused. Serializing one unopened is a bug, and throws rather than leak ciphertext.
 */
export class Sealed {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly stored: string,
  ) {}
  toJSON(): never {
    throw new Error(`${this.table}.${this.column} was serialized without being opened (openFor)`);
  }
  toString(): never {
    return this.toJSON();
  }
}

/** The row a value belongs to, as every row of a row-bound table carries it. */
export interface RowKey {
  id: string;
  orgId: string;
}

/** The primary key of a row about to be inserted: drawn in the app, so its row-bound values can be sealed for it. */
export const newRowId = (): string => randomUUID();

/** `plain` sealed for `column` of the row `row` (whose id an insert draws in the app: `newRowId`). */
export function sealFor(column: PgColumn, row: RowKey, plain: string): Sealed {
  const binding: RowBinding = { table: getTableName(column.table), column: column.name, orgId: row.orgId, rowId: row.id };
  return new Sealed(binding.table, binding.column, sealBound(installedKeyRing(), plain, binding));
}

/** Like sealFor, for a nullable column. */
export const sealOptional = (column: PgColumn, row: RowKey, plain: string | null | undefined): Sealed | null => (plain == null ? null : sealFor(column, row, plain));

/** The text of `value`, which must have been sealed for this very row. */
export function openFor(row: RowKey, value: Sealed): string {
  return openBound(installedKeyRing(), value.stored, { table: value.table, column: value.column, orgId: row.orgId, rowId: row.id }, { unbound, plaintext });
}

/** Like openFor, for a nullable column. */
export const openOptional = (row: RowKey, value: Sealed | null): string | null => (value === null ? null : openFor(row, value));

/** A text column stored as AES-256-GCM ciphertext bound to its row (enc2, see cipher.ts); rotate.ts lists every one. */
export const rowBoundText = (table: string, column: string) =>
  customType<{ data: Sealed; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => {
      if (value.table !== table || value.column !== column) throw new Error(`a value sealed for ${value.table}.${value.column} cannot be written to ${table}.${column}`);
      return value.stored;
    },
    fromDriver: (stored) => new Sealed(table, column, stored),
  })(column);
