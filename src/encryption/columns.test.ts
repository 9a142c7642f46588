import { pgTable } from 'drizzle-orm/pg-core';
import { describe, expect, it } from 'vitest';
import { openText } from './cipher.js';
import { columnAad, encryptedText, installKeyRing } from './columns.js';
import { keyRing } from './keys.js';

const notes = pgTable('notes', { body: encryptedText('notes', 'body') });
const seal = (plain: string) => notes.body.mapToDriverValue(plain) as string;

describe('the columns\' key ring', () => {
  const first = keyRing(Buffer.alloc(32, 1));
  const second = keyRing(Buffer.alloc(32, 2));

  it('is the ring its owner installed, until the owner disposes it', () => {
    const installation = installKeyRing(first);
    expect(installation.ring).toBe(first);
    expect(openText(first, seal('hello'), columnAad('notes', 'body'))).toBe('hello');
    installation.dispose();
    expect(() => seal('hello')).toThrow(/no encryption key ring installed/);
  });

  it('is replaced by a later installation, which an earlier owner\'s dispose leaves alone', () => {
    const earlier = installKeyRing(first);
    const later = installKeyRing(second);
    earlier.dispose();
    expect(openText(second, seal('hello'), columnAad('notes', 'body'))).toBe('hello');
    expect(() => openText(first, seal('hello'), columnAad('notes', 'body'))).toThrow();
    later.dispose();
    expect(() => seal('hello')).toThrow(/no encryption key ring installed/);
  });
});
