import { describe, expect, it } from 'vitest';
import { browserAsksFor, patientLanguage, versionFor } from './patient-language.js';

describe("a patient's language", () => {
  it('is the contact’s preferred language when set, whatever the browser says', () => {
    expect(patientLanguage('es', 'en-US,en;q=0.9')).toBe('es');
    expect(patientLanguage('en', 'es-MX')).toBe('en');
  });

  it('is the browser’s when no preference is known, English when it asks for nothing we speak', () => {
    expect(patientLanguage(null, 'fr-FR,es;q=0.8,en;q=0.5')).toBe('es');
    expect(patientLanguage(undefined, 'de-DE')).toBe('en');
    expect(patientLanguage(null)).toBe('en');
  });

  it('ignores a stored value that is not a language we offer', () => {
    expect(patientLanguage('fr', 'es')).toBe('es');
  });
});

describe('the version of a clinic text a patient gets', () => {
  const template = { language: 'en', text: 'See you soon', translations: { es: 'Hasta pronto' } };

  it('is their language’s version when there is one', () => {
    expect(versionFor(template, 'es')).toEqual({ language: 'es', text: 'Hasta pronto' });
  });

  it('falls back to the text as written: no version, an empty one, or no language known', () => {
    expect(versionFor({ ...template, translations: {} }, 'es')).toEqual({ language: 'en', text: 'See you soon' });
    expect(versionFor({ ...template, translations: { es: '  ' } }, 'es')).toEqual({ language: 'en', text: 'See you soon' });
    expect(versionFor(template, null)).toEqual({ language: 'en', text: 'See you soon' });
  });

  it('a text written in Spanish is itself the Spanish version', () => {
    expect(versionFor({ language: 'es', text: 'Hola', translations: { en: 'Hello' } }, 'es')).toEqual({ language: 'es', text: 'Hola' });
    expect(versionFor({ language: 'es', text: 'Hola', translations: { en: 'Hello' } }, 'en')).toEqual({ language: 'en', text: 'Hello' });
  });
});

describe('what a browser asks for', () => {
  it('is the first language we speak in its Accept-Language, nothing when it names none', () => {
    expect(browserAsksFor('fr-CA,es-MX;q=0.8')).toBe('es');
    expect(browserAsksFor('en-GB')).toBe('en');
    expect(browserAsksFor('de')).toBeUndefined();
    expect(browserAsksFor(undefined)).toBeUndefined();
  });
});
