/**
 * One translation layer for the server and the browser (i18next: it runs in both, interpolates,
 * and plurals through Intl.PluralRules). Adding a language is adding a catalogue here and its name
 * to `languages`.
 */
import i18next, { type TFunction } from 'i18next';
import { en } from './catalogues/en/index.js';
import { es } from './catalogues/es/index.js';

import type { Catalogue } from './catalogues/shape.js';

export type { Catalogue };
export type Namespace = keyof Catalogue;

export const languages = ['en', 'es'] as const;
export type Language = (typeof languages)[number];
export const defaultLanguage: Language = 'en';
export const catalogues: Record<Language, Catalogue> = { en, es };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

/** `es-MX` → `es`; anything not offered → undefined. */
export function supportedLanguage(tag: string | null | undefined): Language | undefined {
  const primary = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return isLanguage(primary) ? primary : undefined;
}

/** An Accept-Language header's tags, most wanted first (q=0 means "not this one"). */
export function acceptedTags(header: string | null | undefined): string[] {
  if (!header) return [];
  return header
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
      const weight = q ? Number(q.slice(2)) : 1;
      return { tag: tag.trim(), weight: Number.isFinite(weight) ? weight : 0, index };
    })
    .filter((entry) => entry.tag && entry.tag !== '*' && entry.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((entry) => entry.tag);
}

/** The first of the candidates (each a tag or a whole Accept-Language header) we can speak. */
export function pickLanguage(...candidates: (string | null | undefined)[]): Language {
  for (const candidate of candidates) {
    for (const tag of acceptedTags(candidate)) {
      const language = supportedLanguage(tag);
      if (language) return language;
    }
  }
  return defaultLanguage;
}

const translators = new Map<Language, TFunction>();

/** A `t` for one language; missing keys fall back to English. Built once per language. */
export function translator(language: Language): TFunction {
  let t = translators.get(language);
  if (!t) {
    const instance = i18next.createInstance();
    void instance.init({
      lng: language,
      fallbackLng: defaultLanguage,
      resources: catalogues,
      ns: Object.keys(en),
      defaultNS: 'common',
      initAsync: false,
      // Output goes to HTML through each renderer's own escaping (React, the server's html kit).
      interpolation: { escapeValue: false },
      returnNull: false,
    });
    t = instance.t;
    translators.set(language, t);
  }
  return t;
}
