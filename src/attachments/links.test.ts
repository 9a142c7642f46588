import { describe, expect, it } from 'vitest';
import { keyRing } from '../encryption/keys.js';
import { checkLink, signLink } from './links.js';

const k1 = keyRing(Buffer.alloc(32, 1));
const k2 = keyRing(Buffer.alloc(32, 2), [Buffer.alloc(32, 1)]);
const id = '0b6c5d0e-8f5e-4a53-9d43-6f1f3b0a9c11';
const now = new Date('2026-11-24T12:00:00Z');
const inAnHour = new Date(now.getTime() + 3_600_000);

describe('signed attachment links', () => {
  const link = signLink(k1, 'file', id, inAnHour);

  it('works until it expires', () => {
    expect(checkLink(k1, 'file', id, link, now)).toBe('ok');
    expect(checkLink(k1, 'file', id, link, new Date(inAnHour.getTime() + 1000))).toBe('expired');
  });

  it.each([
    ['another file', { id: id.replace('0b6c', '1b6c') }],
    ['another scope', { scope: 'guest' }],
    ['a later expiry', { link: { ...link, expires: link.expires + 86_400 } }],
    ['a changed signature', { link: { ...link, signature: link.signature.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) } }],
    ['no signature', { link: { ...link, signature: '' } }],
  ])('refuses %s', (_, change: { id?: string; scope?: string; link?: typeof link }) => {
    expect(checkLink(k1, change.scope ?? 'file', change.id ?? id, change.link ?? link, now)).toBe('invalid');
  });

  it('keeps working through a key rotation while the old key is kept, not after', () => {
    expect(checkLink(k2, 'file', id, link, now)).toBe('ok');
    expect(checkLink(keyRing(Buffer.alloc(32, 2)), 'file', id, link, now)).toBe('invalid');
  });
});
