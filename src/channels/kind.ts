/**
 * What a channel kind is (M1, S2, S4, S5): one descriptor per kind, in its own folder
 * (`channels/<kind>/kind.ts`), listed once in the registry (registry.ts). Everything the product
 * knows about a kind — who it reaches, what it cannot carry, whether a provider carries it and
 * patients can opt out of it, which adapter sends it — is read from here; nothing else lists kinds.
 *
 * Descriptors are pure apart from the adapter they build, and sit below contacts and conversations
 * (module-layers.test.ts), so they may import only pure rules and the adapters' own files.
 */
import type { Config } from '../config.js';
import type { ChannelAdapter, ChannelWebhooks, SqlRunner } from './types.js';

/** What a contact has that channels need to reach them. */
export interface ContactReach {
  phone: string | null;
  email: string | null;
  portalAccount: boolean;
  chatOptIn: boolean;
}

export interface ReachOptions {
  /** The message is a reply in a conversation started from the clinic's page (it has a guest link). */
  hasGuestLink?: boolean;
}

/** The reach of a channel that goes to the contact's phone (SMS, WhatsApp). */
export const needsPhone =
  (label: string) =>
  (contact: ContactReach): ReachGap | null =>
    contact.phone ? null : { missing: 'phone', gap: `${label} needs the contact's phone number` };

/** What a contact lacks for a channel: named in a 422 so an integration knows what to fix. */
export type Missing = 'phone' | 'email' | 'portal_account' | 'chat_opt_in' | 'guest_link';

/** Why a channel cannot reach a contact: what is missing, and a receptionist's sentence saying so. */
export interface ReachGap {
  missing: Missing;
  gap: string;
}

export interface OutboundDraft<Channel extends string = string> {
  channel: Channel;
  body: string;
  attachmentCount: number;
  /** WhatsApp: an approved template, which may go outside the window. */
  template: boolean;
  /** The patient's latest message on this channel, for channels with a reply window. */
  lastInboundAt: Date | null;
  at: Date;
}

export type ChannelLimit = { code: 'invalid_input' | 'attachments_not_allowed' | 'whatsapp_window_closed'; detail: string };

/** The contact's address itself cannot take the channel (a landline cannot receive texts). */
export type AddressRefusal = { code: 'landline' | 'invalid_number'; detail: string };

/** How staff send on a kind: who it reaches, what it carries, and the adapter that sends it. */
export interface Sending {
  /** What the contact lacks to be reached on it, or null when they can be. */
  reach(contact: ContactReach, opts: ReachOptions): ReachGap | null;
  /** What the channel itself cannot carry (a size, files, a time window), or null. */
  limit(draft: OutboundDraft): ChannelLimit | null;
  /** Whether the contact's address can take it at all, checked once it is known to reach them. */
  addressRefusal?(contact: ContactReach): AddressRefusal | null;
  /** Free-form messages need a recent message from the patient on the same channel (WhatsApp's 24 hours). */
  readonly replyWindow?: boolean;
  /** The adapter configuration picks: the provider's, or the simulator standing in for it. */
  adapter(config: Config, db: SqlRunner): ChannelAdapter;
  /** Routes this kind's providers call besides the adapter's own signed webhooks (a handshake, raw mail). */
  webhooks?(config: Config): Pick<ChannelWebhooks, 'handshakes' | 'mail'>;
}

export interface ChannelKind {
  readonly name: string;
  /** How a sentence names it: "this contact opted out of SMS". */
  readonly label: string;
  /**
   * An outside provider carries it: the organization has numbers or addresses of its own on it
   * (channel_accounts), its providers call webhooks, and patients can opt out of it (S2).
   */
  readonly provider: boolean;
  /** Null for a kind that is only logged, never sent (phone calls). */
  readonly sending: Sending | null;
}
