import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';

// @node-rs/argon2's `Algorithm` is an ambient const enum; 2 is its Argon2id.
const argon2id = 2;

/** A fresh secret of 256 random bits, URL-safe; `prefix` marks what it is when someone finds it in a paste. */
export const newSecret = (prefix = '') => prefix + randomBytes(32).toString('base64url');

export const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/**
 * Compares secrets in constant time, their lengths included: both sides are hashed to 32 bytes
 * first, so neither a matching prefix nor the length of the expected value shows in the timing.
 */
export function safeEqual(a: string | Buffer, b: string | Buffer): boolean {
  const digest = (v: string | Buffer) => createHash('sha256').update(v).digest();
  return timingSafeEqual(digest(a), digest(b));
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
