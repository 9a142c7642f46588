import { describe, expect, it } from 'vitest';
import { replySubject, threadSubject } from './subject.js';

describe('email subjects (S4)', () => {
  it('takes the reply and forward prefixes of the big clients off, in their languages', () => {
    expect(threadSubject('Re: X-ray question')).toBe('X-ray question');
    expect(threadSubject('RE: RE: Fwd: X-ray question')).toBe('X-ray question');
    expect(threadSubject('AW: WG: Termin')).toBe('Termin'); // Outlook in German
    expect(threadSubject('SV: Tid')).toBe('Tid'); // Swedish, Danish, Norwegian
    expect(threadSubject('Antw: Afspraak')).toBe('Afspraak'); // Dutch
    expect(threadSubject('R: Rif: Appuntamento')).toBe('Appuntamento'); // Italian
    expect(threadSubject('RES: Consulta')).toBe('Consulta'); // Portuguese (Brazil)
    expect(threadSubject('TR: Rendez-vous')).toBe('Rendez-vous'); // French forward
    expect(threadSubject('Re[2]: Bill')).toBe('Bill');
    expect(threadSubject('Re：予約')).toBe('予約'); // a full-width colon
  });

  it('keeps a subject that only starts like a prefix, and says null for none', () => {
    expect(threadSubject('Really urgent')).toBe('Really urgent');
    expect(threadSubject('Results of my blood test')).toBe('Results of my blood test');
    expect(threadSubject('Trip next week')).toBe('Trip next week');
    expect(threadSubject('Re: ')).toBeNull();
    expect(threadSubject('')).toBeNull();
    expect(threadSubject(undefined)).toBeNull();
    expect(threadSubject('x'.repeat(1000))).toHaveLength(300);
  });

  it('a reply says Re: once', () => {
    expect(replySubject('X-ray question')).toBe('Re: X-ray question');
    expect(replySubject('Re: X-ray question')).toBe('Re: X-ray question');
  });
});
