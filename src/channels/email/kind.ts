/** Email: mail to the contact's address over SMTP (or the simulator); replies come by webhook or the SMTP listener. */
import type { ChannelKind } from '../kind.js';
import { simulatorAdapter } from '../simulator/adapters.js';
import { emailAddressing, smtpEmail } from './smtp.js';
import { emailWebhook } from './webhook.js';

export const email = {
  name: 'email',
  label: 'email',
  provider: true,
  sending: {
    reach: (contact) => (contact.email ? null : { missing: 'email', gap: "email needs the contact's email address" }),
    limit: () => null,
    adapter: (config) => (config.email.provider === 'smtp' ? smtpEmail(config.email.smtpUrl) : simulatorAdapter('email', emailAddressing)),
    webhooks: (config) => ({ handshakes: [], mail: config.email.webhookToken ? emailWebhook(config.email.webhookToken) : undefined }),
  },
} as const satisfies ChannelKind;
