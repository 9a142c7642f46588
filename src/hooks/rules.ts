/** B3: outgoing webhooks — pure rules: the events, the Standard Webhooks signature, the retry schedule. */
import { createHmac, randomBytes } from 'node:crypto';

export const webhookEvents = ['message.created', 'message.status', 'conversation.closed', 'booking.created'] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

/** A Standard Webhooks secret: `whsec_` and 24 random bytes in base64. */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('base64')}`;

/**
 * Standard Webhooks (standardwebhooks.com): `v1,<base64 HMAC-SHA256 of "<id>.<timestamp>.<body>">`
 * under the secret's bytes, one per secret, space-separated — so a receiver holding either the old
 * or the new secret during a rotation's overlap finds a signature it can check.
 */
export function signatureHeaderValue(secrets: readonly string[], id: string, timestamp: number, body: string): string {
  return secrets.map((secret) => `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64')).update(`${id}.${timestamp}.${body}`).digest('base64')}`).join(' ');
}

/** The secrets that sign now: the current one, and a rotated-out one until its overlap ends. */
export function signingSecrets(endpoint: { secret: string; previousSecret: string | null; previousSecretExpiresAt: Date | null }, now: Date): string[] {
  const overlapping = endpoint.previousSecret !== null && endpoint.previousSecretExpiresAt !== null && endpoint.previousSecretExpiresAt > now;
  return overlapping ? [endpoint.secret, endpoint.previousSecret!] : [endpoint.secret];
}

/** A rotation keeps the old secret signing for this long unless the admin says otherwise (0 ends it at once). */
export const defaultRotationOverlapHours = 24;

/** Only a delivery that is over (delivered or failed) is sent again; a pending one is still on its way. */
export const canRedeliver = (status: 'pending' | 'delivered' | 'failed') => status !== 'pending';

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
