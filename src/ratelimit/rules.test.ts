import { describe, expect, it } from 'vitest';
import { retryAfterSeconds, windowOf } from './rules.js';

describe('fixed windows', () => {
  it('puts every instant of a window in the same one, and the next instant in the next', () => {
    const limit = { max: 5, windowSeconds: 3600 };
    const a = windowOf(limit, new Date('2026-11-24T10:00:00.000Z'));
    const b = windowOf(limit, new Date('2026-11-24T10:59:59.999Z'));
    const c = windowOf(limit, new Date('2026-11-24T11:00:00.000Z'));
    expect(a).toEqual(b);
    expect(a.end).toEqual(c.start);
    expect(a.start.toISOString()).toBe('2026-11-24T10:00:00.000Z');
  });

  it('tells a refused client to wait until the window ends, never zero seconds', () => {
    expect(retryAfterSeconds(new Date('2026-11-24T11:00:00Z'), new Date('2026-11-24T10:59:00.5Z'))).toBe(60);
    expect(retryAfterSeconds(new Date('2026-11-24T11:00:00Z'), new Date('2026-11-24T11:00:00Z'))).toBe(1);
  });
});
