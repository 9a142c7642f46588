/** WhatsApp: messages to the contact's phone through Meta's Cloud API (or the simulator). */
import { needsPhone, type ChannelKind } from '../kind.js';
import { whatsappWindowOpen } from '../rules.js';
import { simulatorAdapter } from '../simulator/adapters.js';
import { metaHandshake, metaWhatsApp, whatsappAddressing } from './meta.js';

export const whatsapp = {
  name: 'whatsapp',
  label: 'WhatsApp',
  provider: true,
  sending: {
    reach: needsPhone('WhatsApp'),
    /** S4: free-form text only within 24 hours of the patient's last WhatsApp message; a template any time. */
    limit(draft) {
      if (draft.template || whatsappWindowOpen(draft.lastInboundAt, draft.at)) return null;
      return { code: 'whatsapp_window_closed', detail: 'the patient has not written on WhatsApp in the last 24 hours; only an approved template can be sent' };
    },
    replyWindow: true,
    adapter: (config) => (config.whatsapp.provider === 'meta' ? metaWhatsApp(config.whatsapp) : simulatorAdapter('whatsapp', whatsappAddressing)),
    webhooks: (config) => ({ handshakes: [metaHandshake(config.whatsapp.verifyToken)] }),
  },
} as const satisfies ChannelKind;
