/** B3: outgoing webhooks — pure rules: the events, the signature, the retry schedule. */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const webhookEvents = ['message.created', 'message.status', 'conversation.closed', 'booking.created'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export const signatureHeader = 'Frontdesk-Signature';

/**
 * `t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: the receiver recomputes it with its
 * secret, and refuses old timestamps so a captured request cannot be replayed later.
 */
export function signPayload(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export function verifySignature(secret: string, body: string, header: string, now: Date, toleranceSeconds = 300): boolean {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=') as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || !parts.v1 || Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(`${t}.${body}`).digest('hex'));
  const given = Buffer.from(parts.v1);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export const maxWebhookAttempts = 8;

/** Wait before try n+1 after n failed: base, doubling, at most an hour. */
export function retryDelayMs(failedAttempts: number, baseMs: number): number {
  return Math.min(3_600_000, baseMs * 2 ** (failedAttempts - 1));
}

/** Only https, or http to this machine (for development and tests). */
export function webhookUrlProblem(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not a URL';
  }
  if (parsed.username || parsed.password) return 'must not carry credentials';
  if (parsed.protocol === 'https:') return null;
  if (parsed.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(parsed.hostname)) return null;
  return 'must be https (http only to localhost)';
}
