/**
 * M1: the channels a message goes out on, and which of them reach a contact. Here, below
 * conversations, because a contact's own view (contacts/service.ts) lists them too;
 * conversations/rules.ts re-exports all of it for the inbox's rules.
 */
export const channels = ['sms', 'email', 'whatsapp', 'portal', 'web', 'call'] as const;
export type Channel = (typeof channels)[number];
export const sendChannels = ['sms', 'email', 'whatsapp', 'portal', 'web'] as const;
export type SendChannel = (typeof sendChannels)[number];

export interface ChannelReach {
  phone: string | null;
  email: string | null;
  portalAccount: boolean;
  chatOptIn: boolean;
}

/**
 * The channels a message to this contact can go out on. `web` replies travel over the guest link of
 * a conversation started from the clinic's page, so they are offered only inside one.
 */
export function sendableChannels(contact: ChannelReach, opts: { hasGuestLink?: boolean } = {}): SendChannel[] {
  const out: SendChannel[] = [];
  if (contact.phone) out.push('sms', 'whatsapp');
  if (contact.email) out.push('email');
  if (contact.portalAccount && contact.chatOptIn) out.push('portal');
  if (opts.hasGuestLink) out.push('web');
  return out;
}
