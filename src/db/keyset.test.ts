import { describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { decodeCursor, encodeCursor, readCursor } from './keyset.js';

describe('keyset cursors', () => {
  const cursor = { at: '2026-03-02T09:00:00.123Z', id: '0b7f2c1e-8d6a-4f4b-9c55-0a8d5b0e7f11' };
  it('round-trips', () => {
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });
  it.each([
    ['not base64 json', 'zzz'],
    ['empty', ''],
    ['an object', Buffer.from('{"a":1}').toString('base64url')],
    ['a bad id', Buffer.from(JSON.stringify([cursor.at, 'x; drop table'])).toString('base64url')],
    ['a bad time', Buffer.from(JSON.stringify(['yesterday', cursor.id])).toString('base64url')],
    ['a non-canonical time', Buffer.from(JSON.stringify(['2026-03-02', cursor.id])).toString('base64url')],
  ])('rejects %s', (_name, raw) => {
    expect(decodeCursor(raw)).toBeNull();
  });
});

describe('readCursor', () => {
  it('answers 400 invalid_cursor for a cursor it did not make, nothing for none', () => {
    expect(readCursor(undefined)).toBeUndefined();
    expect(() => readCursor('nope')).toThrow(AppError);
    expect(readCursor(encodeCursor({ at: new Date('2026-01-01T00:00:00Z'), id: '0b7f2c1e-8d6a-4f4b-9c55-0a8d5b0e7f11' }))?.at).toBe('2026-01-01T00:00:00.000Z');
  });
});
