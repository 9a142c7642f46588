/**
 * Encrypted columns for the drizzle schema. Drizzle's column mappers are static, like pg's type
 * parsers, so they cannot take the ring from Deps: they read the one ring installed here. Only the
 * owner of a process's keys installs it — startRuntime (and the rotation command), before the first
 * query — and it disposes the installation when it closes, so no ring outlives its runtime and
 * Deps.keys is always the very ring the columns use.
 */
import { customType } from 'drizzle-orm/pg-core';
import { openText, sealText, type Plaintext } from './cipher.js';
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

/**
 * Makes `ring` the columns' ring, replacing any other (a restart with new keys). `accept`: values
 * in clear from before encryption may still be stored (see encryption_state).
 */
export function installKeyRing(ring: KeyRing, storedPlaintext: Plaintext = 'refuse'): InstalledKeyRing {
  installed = ring;
  plaintext = storedPlaintext;
  return {
    ring,
    dispose: () => {
      if (installed !== ring) return;
      installed = null;
      plaintext = 'refuse';
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

/** A JSON value stored as one AES-256-GCM ciphertext of its text (a card's contents). */
export const encryptedJson = <T>(table: string, column: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealText(installedKeyRing(), JSON.stringify(value), columnAad(table, column)),
    fromDriver: (stored) => JSON.parse(openText(installedKeyRing(), stored, columnAad(table, column), plaintext)) as T,
  })(column);

/** The blind search index of an organization's text: written with the plain text, stored as HMAC tokens (see search.ts). */
export const blindIndex = (name: string) =>
  customType<{ data: { orgId: string; text: string }; driverData: string }>({
    dataType: () => 'tsvector',
    toDriver: ({ orgId, text }) => searchVector(installedKeyRing(), orgId, text),
  })(name);
