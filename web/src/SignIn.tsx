import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post } from './shared/api';
import type { Me } from './shared/types';
import { refusalSentence } from './shared/errors';

export function SignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (me: Me) => void }) {
  const { t } = useTranslation('staff');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  // Two-factor accounts answer the first attempt with two_factor_required: then the code field shows.
  const [askCode, setAskCode] = useState(false);

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const code = String(form.get('code') ?? '').trim();
    setBusy(true);
    try {
      onSignedIn(await post<Me>('/api/v1/auth/login', { email: form.get('email'), password: form.get('password'), ...(code ? { code } : {}) }));
    } catch (err) {
      if (err instanceof ApiError && err.code === 'two_factor_required') {
        setAskCode(true);
        setError(null);
      } else {
        setError(refusalSentence(err));
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="signin">
      <form className="card" onSubmit={submit} aria-labelledby="signin-title">
        <h1 id="signin-title">Frontdesk</h1>
        <p>{t('signIn.intro')}</p>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label>
          {t('signIn.email')}
          <input name="email" type="email" autoComplete="username" required autoFocus />
        </label>
        <label>
          {t('signIn.password')}
          <input name="password" type="password" autoComplete="current-password" required />
        </label>
        {askCode && (
          <label>
            {t('signIn.code')}
            <input name="code" autoComplete="one-time-code" inputMode="text" required autoFocus />
          </label>
        )}
        <button type="submit" disabled={busy}>
          {busy ? t('signIn.busy') : t('signIn.submit')}
        </button>
        <p className="error" role="alert">
          {error}
        </p>
      </form>
    </main>
  );
}
