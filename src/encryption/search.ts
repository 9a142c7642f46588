/**
 * The blind search index (M7 over encrypted text). A message's words are never stored in the
 * clear: each word's prefixes (3 to 10 characters; a shorter word whole) are HMAC-ed under the
 * organization's own key (derived from the search key) and stored as a tsvector of 12-hex-digit tokens, which the GIN index serves as before.
 * A search HMACs the typed words the same way, under every key of the ring, so threads written
 * before a key rotation are found until the rotation re-indexes them.
 * What it costs: matching is by word prefix only (no infix, no stemming), a typed word longer than
 * 10 characters matches on its first 10, and one or two letters match whole words only.
 */
import { createHmac } from 'node:crypto';
import type { DataKey, KeyRing } from './keys.js';

const minPrefix = 3;
const maxPrefix = 10;
/** A long email indexes its first words only: the index stays a bounded size per message. */
const maxTokens = 3000;

/** The words of a text as search sees them: lower case, letters and digits. */
export function searchWords(text: string): string[] {
  return text
    .normalize('NFC')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

/**
 * Each organization's index key, derived from the search key: equal words give unrelated tokens in
 * two organizations, so one tenant's word frequencies say nothing about another's.
 */
const orgKeys = new Map<string, Buffer>();
function orgSearchKey(key: DataKey, orgId: string): Buffer {
  const id = `${key.id}:${orgId}`;
  let derived = orgKeys.get(id);
  if (!derived) {
    derived = createHmac('sha256', key.search).update(`organization ${orgId}`).digest();
    if (orgKeys.size > 10_000) orgKeys.clear();
    orgKeys.set(id, derived);
  }
  return derived;
}

function token(orgKey: Buffer, term: string): string {
  return createHmac('sha256', orgKey).update(term).digest('hex').slice(0, 12);
}

/**
 * The token every index written under `keyId` with organization keys carries (no 12-hex token can
 * equal it): what the rotation looks for to re-index messages indexed any other way.
 */
export const indexMarker = (keyId: string) => `k${keyId}org`;

function indexedTerms(word: string): string[] {
  const chars = [...word];
  if (chars.length < minPrefix) return [word];
  const terms: string[] = [];
  for (let n = minPrefix; n <= Math.min(chars.length, maxPrefix); n++) terms.push(chars.slice(0, n).join(''));
  return terms;
}

function queryTerm(word: string): string {
  return [...word].slice(0, maxPrefix).join('');
}

/** The tsvector literal (space-separated tokens) stored for an organization's text under the current key. */
export function searchVector(ring: KeyRing, orgId: string, text: string): string {
  // Distinct terms first: a word a message repeats, and prefixes words share, are hashed once.
  const terms = new Set<string>();
  for (const word of searchWords(text)) {
    for (const term of indexedTerms(word)) terms.add(term);
    if (terms.size >= maxTokens) break;
  }
  const orgKey = orgSearchKey(ring.current, orgId);
  return [indexMarker(ring.current.id), ...[...terms].map((term) => token(orgKey, term))].join(' ');
}

/** A tsquery literal matching every typed word (at most 8) in the organization's index under any key of the ring, or null when no word is left. */
export function searchQuery(ring: KeyRing, orgId: string, q: string): string | null {
  const words = searchWords(q).slice(0, 8);
  if (!words.length) return null;
  return ring.all
    .map((key) => {
      const orgKey = orgSearchKey(key, orgId);
      return `(${words.map((w) => token(orgKey, queryTerm(w))).join(' & ')})`;
    })
    .join(' | ');
}
