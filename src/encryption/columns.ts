/**
 * Encrypted columns for the drizzle schema. The key ring is the one process-wide setting in the
 * code base: drizzle's column mappers are static, like pg's type parsers, so startRuntime installs
 * the ring once before the first query, and every module's reads and writes of these columns
 * encrypt and decrypt without knowing it.
 */
import { customType } from 'drizzle-orm/pg-core';
import { openText, sealText, type Plaintext } from './cipher.js';
import type { KeyRing } from './keys.js';
import { searchVector } from './search.js';

let installed: KeyRing | null = null;
let plaintext: Plaintext = 'refuse';

/** `accept`: values in clear from before encryption may still be stored (see encryption_state). */
export function installKeyRing(ring: KeyRing, storedPlaintext: Plaintext = 'refuse'): void {
  installed = ring;
  plaintext = storedPlaintext;
}

export function activeKeyRing(): KeyRing {
  if (!installed) throw new Error('no encryption key ring installed: startRuntime installs it before the first query');
  return installed;
}

/** Where a value lives, bound into its ciphertext as associated data: `messages.body`. */
export const columnAad = (table: string, column: string) => `${table}.${column}`;

/** A value sealed for `table.column` as its mapper would: for the few writes in raw SQL. */
export const sealForColumn = (table: string, column: string, plain: string) => sealText(activeKeyRing(), plain, columnAad(table, column));

/** A text column stored as AES-256-GCM ciphertext (see cipher.ts); rotate.ts lists every one. */
export const encryptedText = (table: string, column: string) =>
  customType<{ data: string; driverData: string }>({
    dataType: () => 'text',
    toDriver: (plain) => sealText(activeKeyRing(), plain, columnAad(table, column)),
    fromDriver: (stored) => openText(activeKeyRing(), stored, columnAad(table, column), plaintext),
  })(column);

/** A JSON value stored as one AES-256-GCM ciphertext of its text (a card's contents). */
export const encryptedJson = <T>(table: string, column: string) =>
  customType<{ data: T; driverData: string }>({
    dataType: () => 'text',
    toDriver: (value) => sealText(activeKeyRing(), JSON.stringify(value), columnAad(table, column)),
    fromDriver: (stored) => JSON.parse(openText(activeKeyRing(), stored, columnAad(table, column), plaintext)) as T,
  })(column);

/** The blind search index of an organization's text: written with the plain text, stored as HMAC tokens (see search.ts). */
export const blindIndex = (name: string) =>
  customType<{ data: { orgId: string; text: string }; driverData: string }>({
    dataType: () => 'tsvector',
    toDriver: ({ orgId, text }) => searchVector(activeKeyRing(), orgId, text),
  })(name);
