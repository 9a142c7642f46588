import { describe, expect, it } from 'vitest';
import { emailPreview, guestTokenPattern, newGuestToken, notificationSubject, notificationText, sameMessage, shouldNotify } from './rules.js';

describe('guest inbox rules (P1)', () => {
  it('makes tokens of 256 random bits that never repeat', () => {
    const tokens = new Set(Array.from({ length: 1000 }, newGuestToken));
    expect(tokens.size).toBe(1000);
    for (const t of tokens) expect(t).toMatch(guestTokenPattern);
    expect(Buffer.from([...tokens][0], 'base64url')).toHaveLength(32);
  });

  it('treats the same words with other spacing or case as the same message', () => {
    expect(sameMessage('Need an  appointment\n', 'need an appointment')).toBe(true);
    expect(sameMessage('Need an appointment', 'Need an appointment!')).toBe(false);
  });

  it('quotes nothing of the reply unless the clinic allows a short preview', () => {
    expect(emailPreview('Your results are normal', false)).toBeNull();
    expect(emailPreview('Your results are normal', true)).toBe('Your results are normal');
    expect(emailPreview('x'.repeat(200), true)).toHaveLength(60);
  });

  it('emails again only once the guest has seen the last email, or a day later', () => {
    const now = new Date('2026-11-24T12:00:00Z');
    const hourAgo = new Date('2026-11-24T11:00:00Z');
    expect(shouldNotify({ notifiedAt: null, lastSeenAt: null }, now)).toBe(true);
    expect(shouldNotify({ notifiedAt: hourAgo, lastSeenAt: null }, now)).toBe(false);
    expect(shouldNotify({ notifiedAt: hourAgo, lastSeenAt: new Date('2026-11-24T10:00:00Z') }, now)).toBe(false);
    expect(shouldNotify({ notifiedAt: hourAgo, lastSeenAt: new Date('2026-11-24T11:30:00Z') }, now)).toBe(true);
    expect(shouldNotify({ notifiedAt: new Date('2026-11-23T11:00:00Z'), lastSeenAt: null }, now)).toBe(true);
  });

  it('writes the email with the link and, when allowed, the preview only', () => {
    const text = notificationText({ patientName: 'Ana', clinicName: 'Riverside', url: 'https://x/g/abc', preview: null });
    expect(text).toContain('https://x/g/abc');
    expect(text).not.toContain('begins');
  });
});

describe('the reply notification email', () => {
  const input = { patientName: 'Elena', clinicName: 'Clínica Riverside', url: 'https://x.test/g/abc', preview: 'Sí, el jueves' };
  it('is written in the patient’s language, English by default', () => {
    expect(notificationText(input, 'es')).toMatch(/^Hola, Elena:\n\nClínica Riverside respondió a su mensaje\. Comienza así: «Sí, el jueves»\n\nLéalo y responda aquí: https:\/\/x\.test\/g\/abc\n\nEste enlace es privado/);
    expect(notificationSubject('Clínica Riverside', 'es')).toBe('Clínica Riverside respondió a su mensaje');
    expect(notificationText({ ...input, preview: null })).toMatch(/^Hello Elena,\n\nClínica Riverside replied to your message\.\n/);
  });
});
