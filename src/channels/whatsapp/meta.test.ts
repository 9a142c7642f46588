/**
 * Meta's webhook payloads for each message type, with the example values of Meta's webhook
 * reference (developers.facebook.com/documentation/business-messaging/whatsapp/webhooks/reference/messages/…:
 * text, image, document, button, interactive, location, contacts, reaction, unsupported). The
 * envelope and ids are the reference's (WABA 102290129340398, phone number id 106540352242922,
 * Sheena Nelson's 16505551234).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMetaWebhook } from './meta.js';

const wamid = 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=';

function delivery(message: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: '106540352242922' },
              contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: '16505551234' }],
              messages: [{ from: '16505551234', id: wamid, timestamp: '1749416383', ...message }],
            },
            field: 'messages',
          },
        ],
      },
    ],
  };
}

const one = (message: Record<string, unknown>) => {
  const [batch] = parseMetaWebhook(delivery(message));
  expect(batch.inbound).toHaveLength(1);
  return batch.inbound[0];
};

describe('parseMetaWebhook: what each WhatsApp message type says', () => {
  it('a text message', () => {
    expect(one({ type: 'text', text: { body: 'Does it come in another color?' } })).toEqual({
      providerMessageId: wamid,
      from: '+16505551234',
      to: '106540352242922',
      body: 'Does it come in another color?',
      name: 'Sheena Nelson',
      at: new Date(1749416383 * 1000),
    });
  });

  it('an image: the caption is the text, the media id is fetched later', () => {
    const m = one({ type: 'image', image: { caption: 'Here is a photo', mime_type: 'image/jpeg', sha256: 'WO+dsL7ZOPqYNgcbZafZLs7c3gD3LHM1pbZ5zNIx8DQ=', id: '1003383421387256' } });
    expect(m).toMatchObject({ body: 'Here is a photo', media: [{ reference: '1003383421387256', contentType: 'image/jpeg' }] });
  });

  it('a document keeps its file name; a voice note and a sticker carry no caption', () => {
    expect(one({ type: 'document', document: { caption: 'Lucky Shrub Invoice', filename: 'lucky-shrub-invoice.pdf', mime_type: 'application/pdf', sha256: 'x', id: '1376223850470843' } })).toMatchObject({
      body: 'Lucky Shrub Invoice',
      media: [{ reference: '1376223850470843', filename: 'lucky-shrub-invoice.pdf', contentType: 'application/pdf' }],
    });
    expect(one({ type: 'audio', audio: { mime_type: 'audio/ogg; codecs=opus', sha256: 'x', id: '1003383421387257', voice: true } })).toMatchObject({ body: '', media: [{ reference: '1003383421387257' }] });
    expect(one({ type: 'sticker', sticker: { mime_type: 'image/webp', sha256: 'x', id: '1003383421387258', animated: false } })).toMatchObject({ body: '', media: [{ contentType: 'image/webp' }] });
  });

  it('a quick-reply button and interactive replies show the option tapped', () => {
    expect(one({ context: { from: '15550783881', id: 'wamid.ctx' }, type: 'button', button: { payload: 'Unsubscribe', text: 'Unsubscribe' } }).body).toBe('Tapped: Unsubscribe');
    expect(one({ type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'change-button', title: 'Change' } } }).body).toBe('Tapped: Change');
    expect(one({ type: 'interactive', interactive: { type: 'list_reply', list_reply: { id: 'priority_express', title: 'Priority Mail Express', description: 'Next Day to 2 Days' } } }).body).toBe(
      'Tapped: Priority Mail Express — Next Day to 2 Days',
    );
  });

  it('a location shows its name, address and a map link', () => {
    const body = one({ type: 'location', location: { address: '101 Forest Ave, Palo Alto, CA 94301', latitude: 37.44211676562361, longitude: -122.16155960083124, name: 'Philz Coffee' } }).body;
    expect(body).toBe('Shared a location:\nPhilz Coffee\n101 Forest Ave, Palo Alto, CA 94301\nhttps://www.google.com/maps/search/?api=1&query=37.44211676562361,-122.16155960083124');
  });

  it('a shared contact card shows the name, company, numbers and addresses', () => {
    const body = one({
      type: 'contacts',
      contacts: [
        {
          addresses: [{ city: 'Menlo Park', country: 'United States', type: 'HOME' }],
          emails: [{ email: 'bjohnson@luckyshrub.com', type: 'WORK' }],
          name: { first_name: 'Barbara', last_name: 'Johnson', formatted_name: 'Barbara J. Johnson' },
          org: { company: 'Lucky Shrub' },
          phones: [{ phone: '+1 (650) 555-1234', wa_id: '16505551234', type: 'WORK' }],
        },
      ],
    }).body;
    expect(body).toBe('Shared a contact: Barbara J. Johnson\nLucky Shrub\n+1 (650) 555-1234\nbjohnson@luckyshrub.com');
  });

  it('a reaction names the message it reacts to; one without an emoji takes it back', () => {
    expect(one({ type: 'reaction', reaction: { message_id: 'wamid.ours', emoji: '\uD83D\uDE00' } })).toMatchObject({ body: '', reaction: { providerMessageId: 'wamid.ours', emoji: '😀' } });
    expect(one({ type: 'reaction', reaction: { message_id: 'wamid.ours' } }).reaction).toEqual({ providerMessageId: 'wamid.ours', emoji: null });
  });

  it('an unsupported or unknown message says what it was, and what to do', () => {
    const unsupported = one({
      type: 'unsupported',
      unsupported: { type: 'poll_creation' },
      errors: [{ code: 131051, title: 'Message type unknown', message: 'Message type unknown', error_data: { details: 'Message type is currently not supported.' } }],
    });
    expect(unsupported.body).toBe('[a WhatsApp message (poll creation) that WhatsApp does not pass on: Message type is currently not supported; ask the patient what they sent, or to send it as text or a photo]');
    expect(one({ type: 'order', order: {} }).body).toBe('[a WhatsApp "order" message, which Frontdesk cannot show: ask the patient what they sent, or to send it as text or a photo]');
  });

  it('reads statuses as before', () => {
    const [batch] = parseMetaWebhook({
      entry: [{ changes: [{ field: 'messages', value: { metadata: { phone_number_id: '1' }, statuses: [{ id: 'wamid.s', status: 'failed', errors: [{ code: 131026, title: 'Message undeliverable' }] }] } }] }],
    });
    expect(batch.statuses).toEqual([{ providerMessageId: 'wamid.s', status: 'failed', errorCode: '131026', reason: 'Message undeliverable' }]);
  });

  it('never throws, whatever shape the JSON has', () => {
    const shapes = fc.letrec((tie) => ({
      json: fc.oneof({ depthSize: 'small' }, fc.constant(null), fc.boolean(), fc.double(), fc.string(), fc.array(tie('json'), { maxLength: 3 }), fc.dictionary(fc.constantFrom('entry', 'changes', 'value', 'field', 'messages', 'metadata', 'phone_number_id', 'id', 'from', 'type', 'text', 'image', 'reaction', 'statuses', 'errors', 'contacts', 'location'), tie('json'), { maxKeys: 5 })),
    })).json;
    fc.assert(fc.property(shapes, (body) => Array.isArray(parseMetaWebhook(body))), { numRuns: 2000 });
  });
});
