/**
 * The channel kinds an outside provider carries, and what each one means for a contact. The
 * database's provider_channel enum is built from this list (channels/schema.ts); a switch here
 * does not compile until a new kind has its case.
 */
import type { SendChannel } from '../conversations/rules.js';

/** The channels an outside provider carries: they have numbers or addresses of their own (channel_accounts) and webhooks. */
export const providerChannels = ['sms', 'whatsapp', 'email'] as const satisfies readonly SendChannel[];
export type ProviderChannel = (typeof providerChannels)[number];
export const isProviderChannel = (channel: string): channel is ProviderChannel => (providerChannels as readonly string[]).includes(channel);

/** The contact's flag that says they opted out of a channel (STOP, or the provider's word that they unsubscribed). */
export type OptOutFlag = 'optedOutSms' | 'optedOutWhatsapp' | 'optedOutEmail';

export function optOutFlag(channel: ProviderChannel): OptOutFlag {
  switch (channel) {
    case 'sms':
      return 'optedOutSms';
    case 'whatsapp':
      return 'optedOutWhatsapp';
    case 'email':
      return 'optedOutEmail';
    default:
      return unknownChannel(channel);
  }
}

function unknownChannel(channel: never): never {
  throw new Error(`no opt-out flag for channel ${String(channel)}`);
}
