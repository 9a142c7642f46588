/**
 * AES-256-GCM for one value: a column's text or a file's bytes. Each seal draws a fresh 96-bit IV;
 * the associated data names where the value lives (a column, a file; for row-bound columns, enc2,
 * also the row's organization and primary key), so a ciphertext copied into another column, file
 * or row fails to open instead of showing the wrong text.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { keyById, type DataKey, type KeyRing } from './keys.js';

/** `enc1:<key id>:<base64 of iv ‖ tag ‖ ciphertext>`: the form of every encrypted column value. */
export const textPrefix = 'enc1:';
/** `FDE1`, the key id (4 bytes), iv, tag, ciphertext: the form of every encrypted file. */
const fileMagic = Buffer.from('FDE1');
const ivBytes = 12;
const tagBytes = 16;

function seal(key: DataKey, plain: Buffer, aad: string): Buffer {
  const iv = randomBytes(ivBytes);
  const cipher = createCipheriv('aes-256-gcm', key.data, iv).setAAD(Buffer.from(aad));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

function open(key: DataKey, sealed: Buffer, aad: string): Buffer {
  const refused = () => new IntegrityError(`encrypted ${aad} failed its authentication check: it was altered or moved`);
  // GCM would check a shorter tag as far as it goes (4 bytes are forged in 2^32 tries): only the full 16 are accepted.
  if (sealed.length < ivBytes + tagBytes) throw refused();
  const iv = sealed.subarray(0, ivBytes);
  const tag = sealed.subarray(ivBytes, ivBytes + tagBytes);
  const decipher = createDecipheriv('aes-256-gcm', key.data, iv, { authTagLength: tagBytes }).setAAD(Buffer.from(aad)).setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(sealed.subarray(ivBytes + tagBytes)), decipher.final()]);
  } catch {
    throw refused();
  }
}

export class IntegrityError extends Error {
  /** Who was reading, when the code that read knew it and the request does not carry it (a guest's link): audited as theirs. */
  reader?: unknown;
  /** The row whose value was refused, when the value is bound to one (enc2): audited as the subject. */
  row?: { table: string; column: string; rowId: string };
}

/** Whether a column value stored in clear (from before encryption) is read as text or refused. */
export type Plaintext = 'accept' | 'refuse';

export function sealText(ring: KeyRing, plain: string, aad: string): string {
  return `${sealedPrefix(ring.current.id)}${seal(ring.current, Buffer.from(plain, 'utf8'), aad).toString('base64')}`;
}

/**
 * The text of a column value. A value without the `enc1:` prefix is from before encryption: it is
 * returned as it is only while such values may still exist (`plaintext: 'accept'`, until a
 * rotation has sealed them all); after that it was written around the product and is refused.
 */
export function openText(ring: KeyRing, stored: string, aad: string, plaintext: Plaintext = 'refuse'): string {
  if (!stored.startsWith(textPrefix)) {
    if (plaintext === 'accept') return stored;
    throw new IntegrityError(`${aad} holds a value in clear where only ciphertext may be stored`);
  }
  const keyId = stored.slice(textPrefix.length, textPrefix.length + 8);
  return open(keyById(ring, keyId), Buffer.from(stored.slice(textPrefix.length + 9), 'base64'), aad).toString('utf8');
}

/** How every value stored under `keyId` begins: what the rotation's SQL looks for. */
export const sealedPrefix = (keyId: string) => `${textPrefix}${keyId}:`;

/** The key a stored value is under, or null for plain text from before encryption. */
export function textKeyId(stored: string): string | null {
  return stored.startsWith(textPrefix) ? stored.slice(textPrefix.length, textPrefix.length + 8) : null;
}

export function sealBytes(ring: KeyRing, plain: Buffer, aad: string): Buffer {
  return Buffer.concat([fileMagic, Buffer.from(ring.current.id, 'hex'), seal(ring.current, plain, aad)]);
}

/**
 * A file's bytes. A file without the `FDE1` header is from before encryption: returned as it is
 * while such files may still exist (`plaintext: 'accept'`), refused once a rotation has sealed them all.
 */
export function openBytes(ring: KeyRing, stored: Buffer, aad: string, plaintext: Plaintext = 'refuse'): Buffer {
  const keyId = bytesKeyId(stored);
  if (keyId) return open(keyById(ring, keyId), stored.subarray(8), aad);
  if (plaintext === 'accept') return stored;
  throw new IntegrityError(`the file ${aad} is in clear where only encrypted files may be stored`);
}

export function bytesKeyId(stored: Buffer): string | null {
  return stored.length >= 8 && stored.subarray(0, 4).equals(fileMagic) ? stored.subarray(4, 8).toString('hex') : null;
}

/** `enc2:<key id>:<base64 of iv ‖ tag ‖ ciphertext>`: a column value bound to its row (see RowBinding). */
export const boundPrefix = 'enc2:';

/**
 * Where a row-bound value lives: its column, its organization and its row's primary key, all in the
 * associated data, so a ciphertext copied into another row (of this organization or another) fails to open.
 */
export interface RowBinding {
  table: string;
  column: string;
  orgId: string;
  rowId: string;
}

export const rowAad = (b: RowBinding) => `${b.table}.${b.column}|${b.orgId}|${b.rowId}`;

/** How every row-bound value stored under `keyId` begins. */
export const boundSealedPrefix = (keyId: string) => `${boundPrefix}${keyId}:`;

export function sealBound(ring: KeyRing, plain: string, binding: RowBinding): string {
  return `${boundSealedPrefix(ring.current.id)}${seal(ring.current, Buffer.from(plain, 'utf8'), rowAad(binding)).toString('base64')}`;
}

/**
 * The text of a row-bound column value. `enc1:` values (bound to their column only) and values in
 * clear are from before row binding: read while they may still exist (`legacy: 'accept'`, until a
 * rotation has re-sealed them all), refused after. A refusal names the row, for the audit.
 */
export function openBound(ring: KeyRing, stored: string, binding: RowBinding, legacy: { unbound: Plaintext; plaintext: Plaintext }): string {
  try {
    if (stored.startsWith(boundPrefix)) {
      const keyId = stored.slice(boundPrefix.length, boundPrefix.length + 8);
      return open(keyById(ring, keyId), Buffer.from(stored.slice(boundPrefix.length + 9), 'base64'), rowAad(binding)).toString('utf8');
    }
    const columnAad = `${binding.table}.${binding.column}`;
    if (stored.startsWith(textPrefix) && legacy.unbound === 'refuse') {
      throw new IntegrityError(`${columnAad} holds a value not bound to its row where only row-bound ciphertext may be stored`);
    }
    return openText(ring, stored, columnAad, legacy.plaintext);
  } catch (e) {
    if (e instanceof IntegrityError) e.row = { table: binding.table, column: binding.column, rowId: binding.rowId };
    throw e;
  }
}
