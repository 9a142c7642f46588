/**
 * Signed, expiring attachment links: for a file that leaves the signed-in app — a patient's
 * exported record, a FHIR Communication an integration reads, a guest's thread page. The link
 * names the file and its expiry, and carries an HMAC-SHA256 of both under the links key (derived
 * from ENCRYPTION_KEY); a link made before a key rotation keeps working while the old key is in
 * ENCRYPTION_PREVIOUS_KEYS. Staff and portal downloads in the apps need their session instead.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { DataKey, KeyRing } from '../encryption/keys.js';

export interface LinkSignature {
  /** Unix seconds after which the link no longer works. */
  expires: number;
  signature: string;
}

const mac = (key: DataKey, scope: string, id: string, expires: number) => createHmac('sha256', key.links).update(`${scope}\n${id}\n${expires}`).digest('base64url');

/** `scope` says where the link works (`file`, or `guest` on a guest thread), so one cannot stand in for the other. */
export function signLink(keys: KeyRing, scope: string, id: string, expiresAt: Date): LinkSignature {
  const expires = Math.floor(expiresAt.getTime() / 1000);
  return { expires, signature: mac(keys.current, scope, id, expires) };
}

export function checkLink(keys: KeyRing, scope: string, id: string, link: LinkSignature, now: Date): 'ok' | 'expired' | 'invalid' {
  const given = Buffer.from(link.signature);
  const valid = keys.all.some((key) => {
    const expected = Buffer.from(mac(key, scope, id, link.expires));
    return expected.length === given.length && timingSafeEqual(expected, given);
  });
  if (!valid) return 'invalid';
  return now.getTime() / 1000 > link.expires ? 'expired' : 'ok';
}

export const linkQuery = (link: LinkSignature) => `expires=${link.expires}&signature=${link.signature}`;
