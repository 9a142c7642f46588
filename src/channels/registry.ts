/**
 * The one place that picks each channel's adapter from configuration (S5). Adding a channel: write
 * its adapter folder, add the channel to sendChannels (conversations/rules.ts, and the database's
 * channel enum), and give it its line in adapterFor — the switch does not compile without one.
 */
import type { Config } from '../config.js';
import { sendChannels } from '../conversations/rules.js';
import type { DbOrTx } from '../db/client.js';
import { smtpEmail } from './email/smtp.js';
import { portalAdapter } from './portal/adapter.js';
import { simulatorAdapter, simulatorNumbers } from './simulator/adapters.js';
import { twilioNumbers, twilioSms, twilioWebhookPaths } from './sms/twilio.js';
import type { AdapterChannel, ChannelAdapter, NumberProvider } from './types.js';
import { webAdapter } from './web/adapter.js';
import { metaWhatsApp } from './whatsapp/meta.js';

export interface Channels {
  adapter(channel: AdapterChannel): ChannelAdapter;
  numbers: NumberProvider;
  close(): void;
}

function adapterFor(channel: AdapterChannel, config: Config, db: DbOrTx): ChannelAdapter {
  switch (channel) {
    case 'sms':
      return config.sms.provider === 'twilio' ? twilioSms(twilioOptions(config.sms, config.publicUrl)) : simulatorAdapter('sms');
    case 'whatsapp':
      return config.whatsapp.provider === 'meta' ? metaWhatsApp(config.whatsapp) : simulatorAdapter('whatsapp');
    case 'email':
      return config.email.provider === 'smtp' ? smtpEmail(config.email.smtpUrl) : simulatorAdapter('email');
    case 'portal':
      return portalAdapter;
    case 'web':
      return webAdapter(db);
  }
}

const twilioOptions = (sms: Extract<Config['sms'], { provider: 'twilio' }>, publicUrl: string) => ({ ...sms, statusCallbackUrl: publicUrl + twilioWebhookPaths.status });

export function buildChannels(config: Config, db: DbOrTx): Channels {
  const adapters = Object.fromEntries(sendChannels.map((channel) => [channel, adapterFor(channel, config, db)])) as Record<AdapterChannel, ChannelAdapter>;
  return {
    adapter: (channel) => adapters[channel],
    numbers: config.sms.provider === 'twilio' ? twilioNumbers(twilioOptions(config.sms, config.publicUrl)) : simulatorNumbers,
    close: () => Object.values(adapters).forEach((a) => a.close?.()),
  };
}
