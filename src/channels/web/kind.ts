/** P1: web replies, to a conversation a patient started from the clinic's page (read on their guest page). */
import type { ChannelKind } from '../kind.js';
import { webAdapter } from './adapter.js';

export const web = {
  name: 'web',
  label: 'web reply',
  provider: false,
  sending: {
    /** Web replies travel over the conversation's guest link, so they are offered only inside one. */
    reach: (_contact, opts) => (opts.hasGuestLink ? null : { missing: 'guest_link', gap: 'web replies go only to conversations started from the clinic page' }),
    limit: () => null,
    adapter: (_config, db) => webAdapter(db),
  },
} as const satisfies ChannelKind;
