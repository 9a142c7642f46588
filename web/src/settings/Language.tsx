import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { catalogues, languages, type Language } from '../../../src/i18n';
import { api } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { applyUserLanguage, browserLanguage } from '../shared/i18n';
import type { Me } from '../shared/types';

/** Issue 18: each user's language for the app and their emails; "the browser's" until they choose. Saved on the server (audited). */
export function LanguageSettings({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
  const [choice, setChoice] = useState<Language | null>(me.user.language ?? null);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  async function choose(value: string) {
    const next = (languages as readonly string[]).includes(value) ? (value as Language) : null;
    setError(null);
    setSaved(false);
    try {
      await api('/api/v1/me', { method: 'PATCH', body: { language: next } });
      me.user.language = next;
      setChoice(next);
      applyUserLanguage(next);
      setSaved(true);
    } catch (e) {
      setError(refusalSentence(e));
    }
  }

  return (
    <>
      <h2>{t('language.title')}</h2>
      <p>{t('language.intro')}</p>
      <label htmlFor="user-language">{t('language.label')}</label>{' '}
      <select id="user-language" value={choice ?? ''} onChange={(e) => void choose(e.target.value)}>
          <option value="">{t('language.browser', { language: catalogues[browserLanguage()].common.languageName })}</option>
          {languages.map((l) => (
            <option key={l} value={l} lang={l}>
              {catalogues[l].common.languageName}
            </option>
          ))}
      </select>
      {saved && <p role="status">{t('language.saved')}</p>}
      {error && <p className="error" role="alert">{error}</p>}
    </>
  );
}
