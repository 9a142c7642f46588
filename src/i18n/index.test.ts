import { describe, expect, it } from 'vitest';
import { acceptedTags, pickLanguage, supportedLanguage, translator } from './index.js';

describe('choosing a language', () => {
  it('reads Accept-Language by weight, then order', () => {
    expect(acceptedTags('fr-CA;q=0.4, es-MX, en;q=0.8, de;q=0')).toEqual(['es-MX', 'en', 'fr-CA']);
    expect(acceptedTags('')).toEqual([]);
  });
  it('takes the first candidate we speak, else English', () => {
    expect(pickLanguage(undefined, 'fr-CA, es-MX;q=0.9')).toBe('es');
    expect(pickLanguage('es', 'en')).toBe('es');
    expect(pickLanguage('de', 'fr')).toBe('en');
    expect(supportedLanguage('ES_us')).toBe('es');
  });
  it('translates per language', () => {
    expect(translator('es')('common:languageName')).toBe('Español');
    expect(translator('en')('common:languageName')).toBe('English');
  });
});
