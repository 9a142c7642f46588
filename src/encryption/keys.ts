/**
 * The data keys that encrypt PHI at rest (AES-256-GCM), from ENCRYPTION_KEY and
 * ENCRYPTION_PREVIOUS_KEYS. The first key encrypts; every key in the ring decrypts, so a new key
 * can be rolled out before the old rows are re-encrypted (`npm run encryption:rotate`).
 * Each purpose (data, search index, attachment links, trusted devices) uses its own key derived with HKDF.
 */
import { hkdfSync } from 'node:crypto';

export interface DataKey {
  /** 8 hex characters naming the key in every ciphertext, derived from the key (not secret). */
  id: string;
  /** AES-256-GCM key for columns and files. */
  data: Buffer;
  /** HMAC key of the blind search index. */
  search: Buffer;
  /** HMAC key of signed attachment links. */
  links: Buffer;
  /** HMAC key of the trusted-device cookies of staff sign-in. */
  devices: Buffer;
}

export interface KeyRing {
  current: DataKey;
  /** The current key first, then the previous ones: everything that may still decrypt. */
  all: readonly DataKey[];
}

export class KeyError extends Error {}

const derive = (key: Buffer, purpose: string, length = 32) => Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), `frontdesk ${purpose}`, length));

/** A 32-byte key written as base64 (44 characters, e.g. `openssl rand -base64 32`) or 64 hex digits. */
export function parseKey(text: string, name: string): Buffer {
  const raw = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(raw) ? Buffer.from(raw, 'hex') : /^[A-Za-z0-9+/_-]{43}=?$/.test(raw) ? Buffer.from(raw, 'base64') : null;
  if (!key || key.length !== 32) throw new KeyError(`${name} must be 32 random bytes as base64 (openssl rand -base64 32) or 64 hex digits`);
  return key;
}

export function dataKey(key: Buffer): DataKey {
  return { id: derive(key, 'key id', 4).toString('hex'), data: derive(key, 'data'), search: derive(key, 'search index'), links: derive(key, 'attachment links'), devices: derive(key, 'trusted devices') };
}

export function keyRing(current: Buffer, previous: readonly Buffer[] = []): KeyRing {
  const all = [current, ...previous].map(dataKey).filter((k, i, list) => list.findIndex((o) => o.id === k.id) === i);
  return { current: all[0], all };
}

export function keyById(ring: KeyRing, id: string): DataKey {
  const key = ring.all.find((k) => k.id === id);
  if (!key) throw new KeyError(`data encrypted under key ${id} cannot be read: that key is not in ENCRYPTION_KEY or ENCRYPTION_PREVIOUS_KEYS`);
  return key;
}
