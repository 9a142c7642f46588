import { describe, expect, it } from 'vitest';
import { safeEqual } from './tokens.js';

describe('safeEqual', () => {
  it('is true only for the same secret, whatever the lengths', () => {
    expect(safeEqual('email-hook-secret', 'email-hook-secret')).toBe(true);
    expect(safeEqual(Buffer.from('abc'), 'abc')).toBe(true);
    expect(safeEqual('email-hook-secret', 'email-hook-secreT')).toBe(false);
    expect(safeEqual('email-hook-secret', 'email-hook')).toBe(false);
    expect(safeEqual('email-hook-secret', 'email-hook-secret-and-more')).toBe(false);
    expect(safeEqual('', 'x')).toBe(false);
  });
});
