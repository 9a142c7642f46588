import { describe, expect, it } from 'vitest';
import type { OutboundDraft } from './kind.js';
import { channelLimit, hasReplyWindow, sendChannels, type SendChannel } from './registry.js';
import { keywordAction, keywordLanguage, keywordReply, whatsappBusinessNumber, whatsappWindowOpen } from './rules.js';
import { twilioSignature, verifyTwilioSignature } from './sms/twilio.js';
import { metaSignature } from './whatsapp/meta.js';

describe('S2 keywords', () => {
  it.each([
    ['STOP', false, 'opt_out'],
    ['stop', false, 'opt_out'],
    ['  Stop! ', false, 'opt_out'],
    ['STOPALL', false, 'opt_out'],
    ['unsubscribe', false, 'opt_out'],
    ['Cancel', false, 'opt_out'],
    ['END', false, 'opt_out'],
    ['quit', false, 'opt_out'],
    ['REVOKE', false, 'opt_out'],
    ['OptOut', false, 'opt_out'],
    ['STOP', true, null],
    ['START', true, 'opt_in'],
    ['unstop', true, 'opt_in'],
    ['Yes', true, 'opt_in'],
    ['Yes', false, null],
    ['START', false, null],
    ['HELP', false, 'help'],
    ['info', true, 'help'],
    ['please stop texting me', false, null],
    ['stop by at 3?', false, null],
    ['Can I cancel my appointment', false, null],
    ['', false, null],
    ['STOP STOP', false, null],
  ])('%j (opted out: %s) → %s', (body, optedOut, expected) => {
    expect(keywordAction(body, optedOut)).toBe(expected);
  });

  it('replies name the clinic and say how to stop or come back', () => {
    const clinic = { name: 'Riverside Dental', phone: '+14155550100' };
    expect(keywordReply('opt_out', clinic)).toMatch(/^Riverside Dental: .*unsubscribed.*START/);
    expect(keywordReply('opt_in', clinic)).toMatch(/resubscribed.*STOP/);
    expect(keywordReply('help', clinic)).toMatch(/\+14155550100.*STOP/);
    expect(keywordReply('help', { ...clinic, phone: null })).not.toMatch(/call/);
  });

  it.each([
    ['BAJA', false, 'opt_out'],
    ['  alto. ', false, 'opt_out'],
    ['Cancelar', false, 'opt_out'],
    ['PARAR', false, 'opt_out'],
    ['ALTA', true, 'opt_in'],
    ['Sí', true, 'opt_in'],
    ['si', false, null],
    ['AYUDA', false, 'help'],
    ['Información', true, 'help'],
    ['quiero darme de baja', false, null],
  ])('Spanish %j (opted out: %s) → %s', (body, optedOut, expected) => {
    expect(keywordAction(body, optedOut)).toBe(expected);
  });

  it('a Spanish keyword says the patient reads Spanish; an English or shared one says nothing', () => {
    expect(['BAJA', 'alto', 'Sí', 'ayuda'].map(keywordLanguage)).toEqual(['es', 'es', 'es', 'es']);
    expect(['STOP', 'HELP', 'yes', 'hola'].map(keywordLanguage)).toEqual([undefined, undefined, undefined, undefined]);
  });

  it('replies in the patient’s language, naming the Spanish keywords', () => {
    const clinic = { name: 'Clínica Riverside', phone: '+14155550100' };
    expect(keywordReply('opt_out', clinic, 'es')).toMatch(/^Clínica Riverside: se ha dado de baja.*ALTA/);
    expect(keywordReply('opt_in', clinic, 'es')).toMatch(/suscribir.*BAJA/);
    expect(keywordReply('help', clinic, 'es')).toMatch(/llame al \+14155550100.*BAJA/);
    expect(keywordReply('help', { ...clinic, phone: null }, 'es')).not.toMatch(/llame/);
  });
});

describe('S4 WhatsApp 24-hour window', () => {
  const now = new Date('2026-03-02T12:00:00Z');
  it.each([
    [null, false],
    [new Date('2026-03-02T11:00:00Z'), true],
    [new Date('2026-03-01T12:00:01Z'), true],
    [new Date('2026-03-01T12:00:00Z'), false],
    [new Date('2026-02-20T12:00:00Z'), false],
  ])('last inbound %s → open %s', (last, open) => {
    expect(whatsappWindowOpen(last, now)).toBe(open);
  });
});

describe('webhook signatures', () => {
  it("matches Twilio's documented example", () => {
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    expect(twilioSignature('12345', url, params)).toBe('0/KCTR6DLpKmkAf8muzZqo1nDgQ=');
    expect(verifyTwilioSignature('12345', url, params, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(true);
    expect(verifyTwilioSignature('12345', url, { ...params, Digits: '1235' }, '0/KCTR6DLpKmkAf8muzZqo1nDgQ=')).toBe(false);
    expect(verifyTwilioSignature('12345', url, params, undefined)).toBe(false);
  });

  it('signs WhatsApp bodies as sha256=<hex HMAC>', () => {
    expect(metaSignature('secret', '{"a":1}')).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(metaSignature('secret', '{"a":1}')).not.toBe(metaSignature('secret', '{"a":2}'));
  });
});

describe("each channel's limits on what it carries", () => {
  const at = new Date('2026-03-02T12:00:00Z');
  const draft = (over: Partial<OutboundDraft<SendChannel>>): OutboundDraft<SendChannel> => ({ channel: 'sms', body: 'Hi', attachmentCount: 0, template: false, lastInboundAt: null, at, ...over });
  it.each([
    ['a short SMS', draft({}), null],
    ['an SMS over the segment cap', draft({ body: 'x'.repeat(153 * 10 + 1) }), 'invalid_input'],
    ['an SMS with a file', draft({ attachmentCount: 1 }), 'attachments_not_allowed'],
    ['WhatsApp text with no message from the patient', draft({ channel: 'whatsapp' }), 'whatsapp_window_closed'],
    ['WhatsApp text an hour after the patient wrote', draft({ channel: 'whatsapp', lastInboundAt: new Date('2026-03-02T11:00:00Z') }), null],
    ['a WhatsApp template outside the window', draft({ channel: 'whatsapp', template: true }), null],
    ['an email with a file and a long text', draft({ channel: 'email', attachmentCount: 2, body: 'x'.repeat(5000) }), null],
  ] as const)('%s', (_name, d, code) => {
    expect(channelLimit(d)?.code ?? null).toBe(code);
  });
  it('only WhatsApp has a reply window', () => {
    expect(sendChannels.filter(hasReplyWindow)).toEqual(['whatsapp']);
  });
});

describe('a WhatsApp business number', () => {
  it.each([
    // Meta's Cloud API test numbers, in no carrier's number plan.
    ['+1 555 025 3483', '+15550253483'],
    ['+1 (555) 078-3881', '+15550783881'],
    ['+1 415 555 0900', '+14155550900'],
    ['(415) 555-0900', '+14155550900'],
    ['+44 7700 900123', '+447700900123'],
  ])('takes %s as %s', (input, e164) => {
    expect(whatsappBusinessNumber(input, 'US')).toEqual({ ok: true, e164 });
  });

  it.each(['+0 555 0253', '+1 555', '555-0253', 'call me', '+1 555 025 3483 9999 99'])('refuses %s with what to type instead', (input) => {
    expect(whatsappBusinessNumber(input, 'US')).toMatchObject({ ok: false, reason: expect.stringMatching(/international form: a "\+", the country code/) });
  });
});
