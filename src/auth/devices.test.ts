import { describe, expect, it } from 'vitest';
import { keyRing } from '../encryption/keys.js';
import { isTrustedDevice, trustDevice } from './devices.js';

const ring = keyRing(Buffer.alloc(32, 1));
const other = keyRing(Buffer.alloc(32, 2));

describe('trusted-device cookies', () => {
  it('trust the browser for the accounts that signed in on it, newest first, and no other', () => {
    const a = trustDevice(ring, undefined, 'user-a');
    const both = trustDevice(ring, a, 'user-b');
    expect(isTrustedDevice(ring, both, 'user-a')).toBe(true);
    expect(isTrustedDevice(ring, both, 'user-b')).toBe(true);
    expect(isTrustedDevice(ring, both, 'user-c')).toBe(false);
    expect(isTrustedDevice(ring, both, undefined)).toBe(false);
    expect(both.split('~')[0]).toMatch(/^user-b\./);
  });

  it('refuse another installation\'s key, and keep working during a key rotation', () => {
    const cookie = trustDevice(other, undefined, 'user-a');
    expect(isTrustedDevice(ring, cookie, 'user-a')).toBe(false);
    expect(isTrustedDevice(keyRing(Buffer.alloc(32, 1), [Buffer.alloc(32, 2)]), cookie, 'user-a')).toBe(true);
  });

  it('refuse a token signed for one account and relabelled for another, and garbage', () => {
    const [, nonce, signature] = trustDevice(ring, undefined, 'user-a').split('.');
    expect(isTrustedDevice(ring, `user-b.${nonce}.${signature}`, 'user-b')).toBe(false);
    expect(isTrustedDevice(ring, 'user-b..', 'user-b')).toBe(false);
    expect(isTrustedDevice(ring, '~~~', 'user-b')).toBe(false);
  });

  it('remember at most ten accounts per browser', () => {
    let cookie: string | undefined;
    for (let i = 0; i < 12; i++) cookie = trustDevice(ring, cookie, `user-${i}`);
    expect(cookie!.split('~')).toHaveLength(10);
    expect(isTrustedDevice(ring, cookie, 'user-0')).toBe(false);
    expect(isTrustedDevice(ring, cookie, 'user-11')).toBe(true);
  });
});
