import { describe, expect, it } from 'vitest';
import { retryDelayMs, signPayload, verifySignature, webhookUrlProblem } from './rules.js';

describe('outgoing webhook rules (B3)', () => {
  const at = new Date('2026-11-24T12:00:00Z');
  it('signs so that the receiver can verify, and refuses a changed body, another secret or an old timestamp', () => {
    const header = signPayload('whsec_one', '{"a":1}', at);
    expect(header).toMatch(/^t=1795521600,v1=[0-9a-f]{64}$/);
    expect(verifySignature('whsec_one', '{"a":1}', header, at)).toBe(true);
    expect(verifySignature('whsec_one', '{"a":2}', header, at)).toBe(false);
    expect(verifySignature('whsec_two', '{"a":1}', header, at)).toBe(false);
    expect(verifySignature('whsec_one', '{"a":1}', header, new Date(at.getTime() + 301_000))).toBe(false);
    expect(verifySignature('whsec_one', '{"a":1}', 'garbage', at)).toBe(false);
  });

  it('backs off by doubling, capped at an hour', () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(n, 10_000))).toEqual([10_000, 20_000, 40_000, 80_000]);
    expect(retryDelayMs(20, 10_000)).toBe(3_600_000);
  });

  it('takes https URLs, and plain http only to this machine', () => {
    expect(webhookUrlProblem('https://pms.example.com/hooks')).toBeNull();
    expect(webhookUrlProblem('http://127.0.0.1:4000/x')).toBeNull();
    expect(webhookUrlProblem('http://pms.example.com/hooks')).toMatch(/https/);
    expect(webhookUrlProblem('https://user:pw@pms.example.com/')).toMatch(/credentials/);
    expect(webhookUrlProblem('not a url')).toMatch(/not a URL/);
  });
});
