import { describe, expect, it } from 'vitest';
import { bytesKeyId, IntegrityError, openBytes, openText, sealBytes, sealText, textKeyId } from './cipher.js';
import { KeyError, keyRing, parseKey } from './keys.js';

const k1 = Buffer.alloc(32, 1);
const k2 = Buffer.alloc(32, 2);
const ring1 = keyRing(k1);
const ring21 = keyRing(k2, [k1]);

describe('column values', () => {
  it('round-trips text, unicode included, and never stores it readable', () => {
    const text = 'Zahnärztin says: crown is loose 🦷 — call +1 415 555 0100';
    const sealed = sealText(ring1, text, 'messages.body');
    expect(sealed).toMatch(/^enc1:[0-9a-f]{8}:/);
    expect(sealed).not.toContain('crown');
    expect(openText(ring1, sealed, 'messages.body')).toBe(text);
  });

  it('uses a fresh IV each time: the same text seals differently', () => {
    expect(sealText(ring1, 'same', 'a.b')).not.toBe(sealText(ring1, 'same', 'a.b'));
  });

  it('refuses a value moved to another column', () => {
    const sealed = sealText(ring1, 'note', 'contact_notes.body');
    expect(() => openText(ring1, sealed, 'messages.body')).toThrow(IntegrityError);
  });

  it('refuses an altered value', () => {
    const sealed = sealText(ring1, 'Your results are normal', 'messages.body');
    const bytes = Buffer.from(sealed.slice(14), 'base64');
    bytes[bytes.length - 1] ^= 1;
    expect(() => openText(ring1, `${sealed.slice(0, 14)}${bytes.toString('base64')}`, 'messages.body')).toThrow(IntegrityError);
  });

  it('refuses a value whose authentication tag was cut short', () => {
    const sealed = sealText(ring1, '', 'messages.body');
    const bytes = Buffer.from(sealed.slice(14), 'base64');
    for (const tagBytes of [4, 8, 12, 15]) {
      const shortened = `${sealed.slice(0, 14)}${bytes.subarray(0, 12 + tagBytes).toString('base64')}`;
      expect(() => openText(ring1, shortened, 'messages.body'), `${tagBytes}-byte tag`).toThrow(IntegrityError);
    }
    const file = sealBytes(ring1, Buffer.alloc(0), 'attachments/x');
    expect(() => openBytes(ring1, file.subarray(0, file.length - 4), 'attachments/x')).toThrow(IntegrityError);
  });

  it('reads under a previous key, writes under the current one', () => {
    const old = sealText(ring1, 'before rotation', 'x.y');
    expect(textKeyId(old)).toBe(ring1.current.id);
    expect(openText(ring21, old, 'x.y')).toBe('before rotation');
    expect(textKeyId(sealText(ring21, 'after', 'x.y'))).toBe(ring21.current.id);
    expect(ring21.current.id).not.toBe(ring1.current.id);
  });

  it('says which key is missing when a value cannot be read', () => {
    const sealed = sealText(ring21, 'new', 'x.y');
    expect(() => openText(ring1, sealed, 'x.y')).toThrow(new RegExp(`key ${ring21.current.id}`));
  });

  it('passes text from before encryption through while such rows may exist, and refuses it after', () => {
    expect(openText(ring1, 'plain old row', 'x.y', 'accept')).toBe('plain old row');
    expect(textKeyId('plain old row')).toBeNull();
    expect(() => openText(ring1, 'plain old row', 'x.y')).toThrow(IntegrityError);
    expect(() => openText(ring1, 'plain old row', 'x.y', 'refuse')).toThrow(IntegrityError);
  });
});

describe('files', () => {
  it('round-trips bytes bound to their storage key', () => {
    const bytes = Buffer.from('%PDF-1.4 lab results');
    const sealed = sealBytes(ring1, bytes, 'ab/file');
    expect(bytesKeyId(sealed)).toBe(ring1.current.id);
    expect(sealed.includes(Buffer.from('lab results'))).toBe(false);
    expect(openBytes(ring21, sealed, 'ab/file')).toEqual(bytes);
    expect(() => openBytes(ring1, sealed, 'cd/other')).toThrow(IntegrityError);
  });

  it('passes a file from before encryption through while such files may exist, and refuses one after', () => {
    expect(openBytes(ring1, Buffer.from('GIF89a'), 'ab/file', 'accept')).toEqual(Buffer.from('GIF89a'));
    expect(() => openBytes(ring1, Buffer.from('GIF89a'), 'ab/file', 'refuse')).toThrow(IntegrityError);
  });
});

describe('keys', () => {
  it.each([
    ['base64', k1.toString('base64')],
    ['hex', k1.toString('hex')],
  ])('reads a %s key', (_, text) => {
    expect(parseKey(text, 'K')).toEqual(k1);
  });

  it.each(['', 'short', Buffer.alloc(16).toString('base64'), 'z'.repeat(64)])('refuses %j', (text) => {
    expect(() => parseKey(text, 'ENCRYPTION_KEY')).toThrow(KeyError);
  });

  it('keeps one entry per key when a previous key repeats the current one', () => {
    expect(keyRing(k1, [k1, k2]).all.map((k) => k.id)).toEqual([ring1.current.id, keyRing(k2).current.id]);
  });
});
