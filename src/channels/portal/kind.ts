/** M12: portal chat, read by the patient inside the portal. */
import type { ChannelKind } from '../kind.js';
import { portalAdapter } from './adapter.js';

export const portal = {
  name: 'portal',
  label: 'portal chat',
  provider: false,
  sending: {
    reach(contact) {
      if (!contact.portalAccount) return { missing: 'portal_account', gap: 'the patient has no portal account' };
      return contact.chatOptIn ? null : { missing: 'chat_opt_in', gap: 'the patient has not opted in to portal chat' };
    },
    limit: () => null,
    adapter: () => portalAdapter,
  },
} as const satisfies ChannelKind;
