/** POST /webhooks/email: a mail service hands us each inbound email as raw MIME, with our shared secret (EMAIL_WEBHOOK_TOKEN). */
import { safeEqual } from '../../auth/tokens.js';
import type { MailRoute } from '../types.js';

export function emailWebhook(token: string): MailRoute {
  return {
    path: '/webhooks/email',
    summary: 'An inbound email as raw MIME',
    verify: (headers) => {
      const given = headers['x-webhook-token'];
      return typeof given === 'string' && safeEqual(given, token);
    },
  };
}
