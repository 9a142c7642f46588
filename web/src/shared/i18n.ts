/**
 * The browser side of the one translation layer (`src/i18n`): the same catalogues through
 * react-i18next. `useTranslation('staff')` in the staff app, `useTranslation('patient')` in the
 * portal; `setLanguage` when the user's choice is known.
 */
import i18next from 'i18next';
import { initReactI18next } from 'react-i18next';
import { catalogues, defaultLanguage, pickLanguage, type Language } from '../../../src/i18n';

void i18next.use(initReactI18next).init({
  lng: pickLanguage(...(typeof navigator === 'undefined' ? [] : navigator.languages)),
  fallbackLng: defaultLanguage,
  resources: catalogues,
  ns: Object.keys(catalogues[defaultLanguage]),
  defaultNS: 'common',
  initAsync: false,
  interpolation: { escapeValue: false },
  returnNull: false,
});

export function setLanguage(language: Language): void {
  if (i18next.language !== language) void i18next.changeLanguage(language);
  document.documentElement.lang = language;
}

export { i18next };
