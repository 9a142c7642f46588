/**
 * Keyset pagination: a cursor names the last row of a page by its sort time and id, so the next page
 * starts after it however many rows are inserted meanwhile. Opaque to clients (base64url JSON).
 */
import { AppError } from '../errors.js';

export interface Cursor {
  /** The sort column's value, as an ISO-8601 UTC string with milliseconds. */
  at: string;
  id: string;
}

export function encodeCursor(c: { at: string | Date; id: string }): string {
  const at = typeof c.at === 'string' ? c.at : c.at.toISOString();
  return Buffer.from(JSON.stringify([at, c.id])).toString('base64url');
}

const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Null when the cursor was not made by encodeCursor. */
export function decodeCursor(raw: string): Cursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [at, id] = value;
    if (typeof at !== 'string' || typeof id !== 'string' || !uuidShape.test(id)) return null;
    const time = new Date(at);
    if (Number.isNaN(time.getTime()) || time.toISOString() !== at) return null;
    return { at, id };
  } catch {
    return null;
  }
}

/** The cursor a request sent, or 400 invalid_cursor; undefined when it sent none. */
export function readCursor(raw: string | undefined): Cursor | undefined {
  if (raw === undefined) return undefined;
  const cursor = decodeCursor(raw);
  if (!cursor) throw new AppError('invalid_cursor', 'cursor is not one this API returned');
  return cursor;
}
