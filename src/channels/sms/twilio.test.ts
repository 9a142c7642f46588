import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseTwilioInbound, twilioSignature, twilioUrlVariants, verifyTwilioSignature } from './twilio.js';

// Twilio's documented example (twilio.com/docs/usage/security): token, URL, fields and their signature.
const authToken = '12345';
const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675310', Digits: '1234', From: '+14158675310', To: '+18005551212' };

describe('X-Twilio-Signature', () => {
  it('matches Twilio\'s documented example', () => {
    expect(twilioSignature(authToken, url, params)).toBe('GvWf1cFY/Q7PnoempGyD5oXAezc=');
    expect(verifyTwilioSignature(authToken, url, params, 'GvWf1cFY/Q7PnoempGyD5oXAezc=')).toBe(true);
  });

  it('accepts the address signed with or without its port, as Twilio\'s libraries do', () => {
    const withPort = twilioSignature(authToken, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', params);
    expect(verifyTwilioSignature(authToken, url, params, withPort)).toBe(true);
    const local = twilioSignature(authToken, 'http://clinic.example:8080/webhooks/twilio/sms', params);
    expect(verifyTwilioSignature(authToken, 'http://clinic.example/webhooks/twilio/sms', params, local)).toBe(false);
    expect(verifyTwilioSignature(authToken, 'http://clinic.example:8080/webhooks/twilio/sms', params, local)).toBe(true);
  });

  it('signs a repeated field with each distinct value, sorted, as Twilio\'s libraries do', () => {
    const expected = createHmac('sha1', authToken).update(`${url}MediaUrlaMediaUrlzTo+1`).digest('base64');
    expect(twilioSignature(authToken, url, { To: '+1', MediaUrl: ['z', 'a', 'z'] })).toBe(expected);
    expect(verifyTwilioSignature(authToken, url, { MediaUrl: ['a', 'z'], To: '+1' }, expected)).toBe(true);
    expect(verifyTwilioSignature(authToken, url, { MediaUrl: 'z', To: '+1' }, expected)).toBe(false);
  });

  it('lists the variants it checks', () => {
    expect(twilioUrlVariants('https://a.test/x?y=1')).toEqual(['https://a.test/x?y=1', 'https://a.test:443/x?y=1']);
    expect(twilioUrlVariants('http://a.test:3000/x')).toEqual(['http://a.test/x', 'http://a.test:3000/x']);
    expect(twilioUrlVariants("https://a.test/x?n=O'Brien&q=a+b")).toEqual([
      'https://a.test/x?n=O%27Brien&q=a+b',
      'https://a.test:443/x?n=O%27Brien&q=a+b',
      "https://a.test/x?n=O'Brien&q=a%20b",
      "https://a.test:443/x?n=O'Brien&q=a%20b",
      'https://a.test/x?n=O%27Brien&q=a%20b',
    ]);
  });

  // twilio-node's validateRequest also tries the query as Node's legacy `querystring` writes it:
  // a webhook address with a quote or a plus in its query is signed in that form by Twilio's back end.
  it('accepts the query encoded the legacy way, with and without the port, as twilio-node does', () => {
    const address = "https://clinic.example/webhooks/twilio/sms?clinic=O'Brien+Dental";
    const legacy = twilioSignature(authToken, "https://clinic.example/webhooks/twilio/sms?clinic=O'Brien%20Dental", params);
    expect(verifyTwilioSignature(authToken, address, params, legacy)).toBe(true);
    const legacyWithPort = twilioSignature(authToken, "https://clinic.example:443/webhooks/twilio/sms?clinic=O'Brien%20Dental", params);
    expect(verifyTwilioSignature(authToken, address, params, legacyWithPort)).toBe(true);
    expect(verifyTwilioSignature(authToken, address, params, twilioSignature(authToken, "https://clinic.example/webhooks/twilio/sms?clinic=O'Brien%20Dentist", params))).toBe(false);
  });

  it('refuses a wrong token, other fields, and a missing or truncated header', () => {
    const good = twilioSignature(authToken, url, params);
    expect(verifyTwilioSignature('54321', url, params, good)).toBe(false);
    expect(verifyTwilioSignature(authToken, url, { ...params, Digits: '9' }, good)).toBe(false);
    expect(verifyTwilioSignature(authToken, url, params, undefined)).toBe(false);
    expect(verifyTwilioSignature(authToken, url, params, good.slice(0, -2))).toBe(false);
  });
});

describe('parseTwilioInbound', () => {
  // The fields of Twilio's incoming-message webhook (twilio.com/docs/messaging/guides/webhook-request).
  const base = { MessageSid: 'MM1', AccountSid: 'AC1', From: '+14155550101', To: '+14155550100', Body: '', NumSegments: '1', SmsStatus: 'received', ApiVersion: '2010-04-01' };

  it('lists an MMS\'s files, NumMedia of them, with the type Twilio names', () => {
    const form = { ...base, NumMedia: '2', MediaUrl0: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME0', MediaContentType0: 'image/jpeg', MediaUrl1: 'https://api.twilio.com/2010-04-01/Accounts/AC1/Messages/MM1/Media/ME1', MediaContentType1: 'video/3gpp' };
    expect(parseTwilioInbound(form)?.media).toEqual([
      { reference: form.MediaUrl0, contentType: 'image/jpeg' },
      { reference: form.MediaUrl1, contentType: 'video/3gpp' },
    ]);
    expect(parseTwilioInbound({ ...base, NumMedia: '0' })?.media).toBeUndefined();
    expect(parseTwilioInbound({ ...base, NumMedia: 'lots' })?.media).toBeUndefined();
  });

  it('reads Advanced Opt-Out\'s OptOutType as the keyword, whatever the word was', () => {
    expect(parseTwilioInbound({ ...base, Body: 'ARRET', OptOutType: 'STOP' })?.keyword).toBe('opt_out');
    expect(parseTwilioInbound({ ...base, Body: 'ALTA', OptOutType: 'START' })?.keyword).toBe('opt_in');
    expect(parseTwilioInbound({ ...base, Body: 'AIDE', OptOutType: 'HELP' })?.keyword).toBe('help');
    expect(parseTwilioInbound({ ...base, Body: 'stop by later?' })?.keyword).toBeUndefined();
  });
});
