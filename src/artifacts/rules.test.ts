import { describe, expect, it } from 'vitest';
import { newCardToken } from './service.js';
import { cardLine, cardTokenPattern, formatAmount, linkExpired, slashCommands } from './rules.js';

describe('cards (K3, K4)', () => {
  it('writes the line a text carries: kind, title, amount and the link', () => {
    expect(cardLine({ kind: 'invoice', title: 'Invoice 1042', amountCents: 12050 }, 'https://x/l/abc')).toBe('Invoice: Invoice 1042 ($120.50) — https://x/l/abc');
    expect(cardLine({ kind: 'appointment', title: 'Cleaning, Tue 10:00' }, 'https://x/l/abc')).toBe('Appointment: Cleaning, Tue 10:00 — https://x/l/abc');
    expect(formatAmount(500, 'EUR')).toBe('€5.00');
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
});
