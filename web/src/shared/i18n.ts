/**
 * The browser side of the one translation layer (`src/i18n`): the same catalogues through
 * react-i18next. `useTranslation('staff')` in the staff app, `useTranslation('patient')` in the
 * portal; `setLanguage` when the user's choice is known.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { catalogues, defaultLanguage, pickLanguage, type Language } from '../../../src/i18n';

/** What the browser asks for, among the languages we speak (English when none). */
export function browserLanguage(): Language {
  return pickLanguage(...(typeof navigator === 'undefined' ? [] : navigator.languages));
}

void i18next.use(initReactI18next).init({
  lng: browserLanguage(),
  fallbackLng: defaultLanguage,
  resources: catalogues,
  ns: Object.keys(catalogues[defaultLanguage]),
  defaultNS: 'common',
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

/** `lang` for screen readers, hyphenation and fonts; `dir` so a right-to-left language mirrors the logical CSS. */
function markDocument(language: Language): void {
  if (typeof document === 'undefined') return;
  document.documentElement.lang = language;
  document.documentElement.dir = i18next.dir(language);
}
markDocument(i18next.language as Language);

export function setLanguage(language: Language): void {
  if (i18next.language !== language) void i18next.changeLanguage(language);
  markDocument(language);
}

/** A signed-in user's choice, or the browser's when they made none. */
export function applyUserLanguage(choice: Language | null | undefined): void {
  setLanguage(choice ?? browserLanguage());
}

export { i18next };
