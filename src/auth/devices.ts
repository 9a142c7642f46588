/**
 * Trusted-device cookies (OWASP's answer to online guessing that must not lock out colleagues
 * behind one address): a browser where an account signed in correctly holds a signed token naming
 * that account, and its later sign-ins to that account skip the per-address failure throttle.
 * The account's own lockout still applies to it. One cookie holds the tokens of the few accounts
 * that share a browser (a reception computer); nothing is stored on the server.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { KeyRing } from '../encryption/keys.js';
import { safeEqual } from './tokens.js';

export const deviceCookie = 'fd_device';
export const deviceCookieDays = 180;
/** The accounts one browser remembers, newest first. */
const accountsPerBrowser = 10;

const mac = (key: Buffer, userId: string, nonce: string) => createHmac('sha256', key).update(`${userId}.${nonce}`).digest('base64url');

function tokensOf(cookie: string | undefined): string[] {
  return (cookie ?? '').split('~').filter(Boolean).slice(0, accountsPerBrowser);
}

/** Whether the cookie holds a token, signed under any key of the ring, for this user. */
export function isTrustedDevice(keys: KeyRing, cookie: string | undefined, userId: string | undefined): boolean {
  if (!userId) return false;
  return tokensOf(cookie).some((token) => {
    const [id, nonce, signature] = token.split('.');
    return id === userId && !!nonce && !!signature && keys.all.some((k) => safeEqual(signature, mac(k.devices, id, nonce)));
  });
}

/** The cookie after `userId` signed in: a fresh token for them first, the other accounts' kept. */
export function trustDevice(keys: KeyRing, cookie: string | undefined, userId: string): string {
  const nonce = randomBytes(16).toString('base64url');
  const others = tokensOf(cookie).filter((t) => !t.startsWith(`${userId}.`));
  return [`${userId}.${nonce}.${mac(keys.current.devices, userId, nonce)}`, ...others].slice(0, accountsPerBrowser).join('~');
}
