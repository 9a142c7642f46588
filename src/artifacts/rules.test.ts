import { describe, expect, it } from 'vitest';
import { newCardToken } from './service.js';
import { cardLine, cardTokenPattern, portalCardNote, formatAmount, linkExpired, parseRequestCommand, slashCommands } from './rules.js';

describe('cards (K3, K4)', () => {
  it('writes the line a text carries: kind, title, amount and the link', () => {
    expect(cardLine({ kind: 'invoice', title: 'Invoice 1042', amountCents: 12050 }, 'https://x/l/abc')).toBe('Invoice: Invoice 1042 ($120.50) — https://x/l/abc');
    expect(cardLine({ kind: 'appointment', title: 'Cleaning, Tue 10:00' }, 'https://x/l/abc')).toBe('Appointment: Cleaning, Tue 10:00 — https://x/l/abc');
    expect(formatAmount(500, 'EUR')).toBe('€5.00');
  });

  it('writes the line in the patient\'s language (issue 18)', () => {
    expect(cardLine({ kind: 'invoice', title: 'Factura 1042', amountCents: 12050, currency: 'EUR' }, 'https://x/l/abc', 'es')).toBe('Factura: Factura 1042 (120,50\u00a0€) — https://x/l/abc');
  });

  it('keeps the note written with a portal card apart from the card\'s line, whichever language the line is in', () => {
    const card = { kind: 'treatment_plan' as const, title: 'Two crowns' };
    expect(portalCardNote('See below\n\nTreatment plan: Two crowns', card)).toBe('See below');
    expect(portalCardNote('Mire abajo\n\nPlan de tratamiento: Two crowns', card)).toBe('Mire abajo');
    expect(portalCardNote('Plan de tratamiento: Two crowns', card)).toBeNull();
    expect(portalCardNote('Just a note', card)).toBe('Just a note');
    expect(portalCardNote(null, card)).toBeNull();
  });

  it('makes unguessable link tokens of 192 bits', () => {
    const t = newCardToken();
    expect(t).toMatch(cardTokenPattern);
    expect(Buffer.from(t, 'base64url')).toHaveLength(24);
  });

  it('maps the composer shortcuts to artifact kinds', () => {
    expect(slashCommands['/appt']).toBe('appointment');
    expect(slashCommands['/rx']).toBe('prescription');
    expect(slashCommands['/invoice']).toBe('invoice');
  });

  it('expires a link at its time, not before', () => {
    const at = new Date('2026-03-10T00:00:00Z');
    expect(linkExpired(at, new Date('2026-03-09T23:59:59Z'))).toBe(false);
    expect(linkExpired(at, at)).toBe(true);
  });

  it.each([
    ['/pay 45.50 Co-pay for today', { card: { kind: 'payment_request', amountCents: 4550, title: 'Co-pay for today' } }],
    ['/pay $120', { card: { kind: 'payment_request', amountCents: 12000 } }],
    ['/pay 9,99', { card: { kind: 'payment_request', amountCents: 999 } }],
    ['/review https://g.page/r/abc Thanks for coming in!', { card: { kind: 'review_request', url: 'https://g.page/r/abc' }, note: 'Thanks for coming in!' }],
    ['Hello there', null],
  ])('reads the request shortcut %j', (text, expected) => {
    expect(parseRequestCommand(text)).toEqual(expected);
  });

  it('says what is missing from a request shortcut', () => {
    expect(parseRequestCommand('/pay')).toEqual({ problem: expect.stringMatching(/amount/) });
    expect(parseRequestCommand('/pay 0')).toEqual({ problem: expect.stringMatching(/more than zero/) });
    expect(parseRequestCommand('/review http://insecure.example')).toEqual({ problem: expect.stringMatching(/https/) });
  });
});
