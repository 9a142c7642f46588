import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import { canRedeliver, newWebhookSecret, retryDelayMs, signatureHeaderValue, signingSecrets, webhookUrlProblem } from './rules.js';

describe('outgoing webhook rules (B3)', () => {
  it('signs as Standard Webhooks does: the specification\'s example, and the reference library\'s own signature', () => {
    // The test vector of the Standard Webhooks specification's reference implementations.
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    expect(signatureHeaderValue([secret], 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, '{"test": 2432232314}')).toBe('v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
    const mine = newWebhookSecret();
    const at = new Date('2026-11-24T12:00:00Z');
    expect(signatureHeaderValue([mine], 'dlv_1', at.getTime() / 1000, '{"a":1}')).toBe(new Webhook(mine).sign('dlv_1', at, '{"a":1}'));
  });

  it('makes secrets of whsec_ and 24 random bytes in base64', () => {
    const secret = newWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(newWebhookSecret()).not.toBe(secret);
  });

  it('signs with both secrets during a rotation\'s overlap, and with the new one alone after it', () => {
    const endpoint = { secret: 'whsec_bmV3', previousSecret: 'whsec_b2xk', previousSecretExpiresAt: new Date('2026-11-25T12:00:00Z') };
    expect(signingSecrets(endpoint, new Date('2026-11-25T11:59:59Z'))).toEqual(['whsec_bmV3', 'whsec_b2xk']);
    expect(signingSecrets(endpoint, new Date('2026-11-25T12:00:00Z'))).toEqual(['whsec_bmV3']);
    expect(signingSecrets({ ...endpoint, previousSecret: null, previousSecretExpiresAt: null }, new Date())).toEqual(['whsec_bmV3']);
    expect(signatureHeaderValue(['whsec_bmV3', 'whsec_b2xk'], 'id', 1, '{}').split(' ')).toHaveLength(2);
  });

  it('redelivers only a delivery that is over', () => {
    expect([canRedeliver('failed'), canRedeliver('delivered'), canRedeliver('pending')]).toEqual([true, true, false]);
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
