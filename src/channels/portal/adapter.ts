/**
 * M12: portal chat. The message is delivered by being stored; the patient reads it in the portal,
 * which reports it delivered when fetched and read when opened (portal/service.ts).
 */
import type { ChannelAdapter } from '../types.js';

export const portalAdapter: ChannelAdapter = {
  channel: 'portal',
  provider: 'frontdesk',
  inApp: true,
  async send(envelope) {
    return { kind: 'sent', providerMessageId: envelope.messageId };
  },
};
