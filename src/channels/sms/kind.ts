/** SMS: texts to the contact's mobile, carried by Twilio (or the simulator). */
import { normalizePhone } from '../../contacts/rules.js';
import { needsPhone, type ChannelKind } from '../kind.js';
import { simulatorAdapter } from '../simulator/adapters.js';
import { maxSmsSegments, smsSize } from '../sms-segments.js';
import { smsAddressing, twilioSms, twilioWebhookPaths } from './twilio.js';

export const sms = {
  name: 'sms',
  label: 'SMS',
  provider: true,
  sending: {
    reach: needsPhone('SMS'),
    limit(draft) {
      const { segments } = smsSize(draft.body);
      if (segments > maxSmsSegments) {
        return { code: 'invalid_input', detail: `an SMS is at most ${maxSmsSegments} segments; this one needs ${segments}. Shorten it or send it by email or portal chat` };
      }
      if (draft.attachmentCount) return { code: 'attachments_not_allowed', detail: 'attachments cannot go by SMS; choose email, WhatsApp or portal chat' };
      return null;
    },
    addressRefusal: (contact) => smsNumberRefusal(contact.phone!),
    adapter: (config) =>
      config.sms.provider === 'twilio' ? twilioSms({ ...config.sms, statusCallbackUrl: config.publicUrl + twilioWebhookPaths.status }) : simulatorAdapter('sms', smsAddressing),
  },
} as const satisfies ChannelKind;

/** S2: texts go only to valid numbers that can receive them; landlines cannot. */
export function smsNumberRefusal(phone: string) {
  const parsed = normalizePhone(phone, 'US');
  if (!parsed.ok) return { code: 'invalid_number', detail: `${phone} is not a valid phone number` } as const;
  if (parsed.type === 'fixed_line') return { code: 'landline', detail: `${phone} is a landline and cannot receive texts; call or email instead` } as const;
  return null;
}
