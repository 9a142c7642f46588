/** The one place that picks a provider per channel from configuration (S5). */
import type { Config } from '../config.js';
import { smtpEmail } from './email/smtp.js';
import { simulatorAdapter, simulatorNumbers } from './simulator/adapters.js';
import { twilioNumbers, twilioSms } from './sms/twilio.js';
import type { ChannelAdapter, NumberProvider, ProviderChannel } from './types.js';
import { metaWhatsApp } from './whatsapp/meta.js';

export interface Channels {
  adapter(channel: ProviderChannel): ChannelAdapter;
  numbers: NumberProvider;
  close(): void;
}

export function buildChannels(config: Config): Channels {
  const statusCallbackUrl = `${config.publicUrl}/webhooks/twilio/status`;
  const sms = config.sms.provider === 'twilio' ? twilioSms({ ...config.sms, statusCallbackUrl }) : simulatorAdapter('sms');
  const numbers = config.sms.provider === 'twilio' ? twilioNumbers({ ...config.sms, statusCallbackUrl }) : simulatorNumbers;
  const whatsapp = config.whatsapp.provider === 'meta' ? metaWhatsApp(config.whatsapp) : simulatorAdapter('whatsapp');
  const email = config.email.provider === 'smtp' ? smtpEmail(config.email.smtpUrl) : simulatorAdapter('email');
  const adapters: Record<ProviderChannel, ChannelAdapter> = { sms, whatsapp, email };
  return {
    adapter: (channel) => adapters[channel],
    numbers,
    close: () => Object.values(adapters).forEach((a) => a.close?.()),
  };
}
