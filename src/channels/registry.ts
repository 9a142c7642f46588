/**
 * The one place that picks each channel's adapter, and the routes its providers call, from
 * configuration (S5). A new provider for an existing channel is its adapter folder and its line in
 * adapterFor; a new channel kind also needs sendChannels and the database enum (docs/architecture.md,
 * "Adding a channel") — the switches do not compile without its case.
 */
import type { Config } from '../config.js';
import { sendChannels } from '../conversations/rules.js';
import type { DbOrTx } from '../db/client.js';
import { emailAddressing, smtpEmail } from './email/smtp.js';
import { portalAdapter } from './portal/adapter.js';
import { simulatorAdapter, simulatorNumbers } from './simulator/adapters.js';
import { smsAddressing, twilioNumbers, twilioSms, twilioWebhookPaths } from './sms/twilio.js';
import { emailWebhook } from './email/webhook.js';
import { providerChannels, type AdapterChannel, type ChannelAdapter, type ChannelWebhooks, type NumberProvider, type ProviderChannel } from './types.js';
import { webAdapter } from './web/adapter.js';
import { metaHandshake, metaWhatsApp, whatsappAddressing } from './whatsapp/meta.js';

export interface Channels {
  adapter(channel: AdapterChannel): ChannelAdapter;
  numbers: NumberProvider;
  /** The routes providers call us on, per channel; webhooks.ts mounts exactly these. */
  webhooks: ChannelWebhooks[];
  close(): void;
}

function adapterFor(channel: AdapterChannel, config: Config, db: DbOrTx): ChannelAdapter {
  switch (channel) {
    case 'sms':
      return config.sms.provider === 'twilio' ? twilioSms(twilioOptions(config.sms, config.publicUrl)) : simulatorAdapter('sms', smsAddressing);
    case 'whatsapp':
      return config.whatsapp.provider === 'meta' ? metaWhatsApp(config.whatsapp) : simulatorAdapter('whatsapp', whatsappAddressing);
    case 'email':
      return config.email.provider === 'smtp' ? smtpEmail(config.email.smtpUrl) : simulatorAdapter('email', emailAddressing);
    case 'portal':
      return portalAdapter;
    case 'web':
      return webAdapter(db);
  }
}

/** Besides the sending adapter's own webhooks, what a channel's providers call regardless of who sends. */
function webhooksFor(channel: ProviderChannel, config: Config, adapter: ChannelAdapter): ChannelWebhooks {
  const events = adapter.webhooks;
  switch (channel) {
    case 'sms':
      return { channel, events, handshakes: [] };
    case 'whatsapp':
      return { channel, events, handshakes: [metaHandshake(config.whatsapp.verifyToken)] };
    case 'email':
      return { channel, events, handshakes: [], mail: config.email.webhookToken ? emailWebhook(config.email.webhookToken) : undefined };
  }
}

const twilioOptions = (sms: Extract<Config['sms'], { provider: 'twilio' }>, publicUrl: string) => ({ ...sms, statusCallbackUrl: publicUrl + twilioWebhookPaths.status });

/** `replace` puts other adapters in the configured ones' place (a test's stand-in, a provider trial). */
export function buildChannels(config: Config, db: DbOrTx, replace: Partial<Record<AdapterChannel, ChannelAdapter>> = {}): Channels {
  const adapters = Object.fromEntries(sendChannels.map((channel) => [channel, replace[channel] ?? adapterFor(channel, config, db)])) as Record<AdapterChannel, ChannelAdapter>;
  return {
    adapter: (channel) => adapters[channel],
    numbers: config.sms.provider === 'twilio' ? twilioNumbers(twilioOptions(config.sms, config.publicUrl)) : simulatorNumbers,
    webhooks: providerChannels.map((channel) => webhooksFor(channel, config, adapters[channel])),
    close: () => Object.values(adapters).forEach((a) => a.close?.()),
  };
}
