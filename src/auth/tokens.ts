import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2's `Algorithm` is an ambient const enum; 2 is its Argon2id.
const argon2id = 2;

/** A fresh secret of 256 random bits, URL-safe; `prefix` marks what it is when someone finds it in a paste. */
export const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export const hashPassword = (password: string) => hash(password, { algorithm: argon2id });

// Verifying against this hash when the email is unknown keeps the answer's timing the same.
let decoy: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  if (passwordHash === null) {
    decoy ??= hashPassword(newSecret());
    await verify(await decoy, password).catch(() => false);
    return false;
  }
  return verify(passwordHash, password).catch(() => false);
}
