import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, post } from '../shared/api';
import type { Me } from '../shared/types';
import { refusalSentence } from '../shared/errors';

/** Settings → Security: two-factor sign-in, signing out everywhere, and (admins) requiring two-factor. */
export function Security({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
  const isAdmin = me.role === 'admin' || me.role === 'main_admin';
  const [required, setRequired] = useState(me.security.organizationRequiresTwoFactor);
  const [enabled, setEnabled] = useState(me.security.twoFactorEnabled);
  const [error, setError] = useState<string | null>(null);

  async function requireAll(next: boolean) {
    setError(null);
    try {
      await api('/api/v1/organization/two-factor', { method: 'PUT', body: { required: next } });
      setRequired(next);
    } catch (e) {
      setError(refusalSentence(e));
    }
  }

  return (
    <>
      <h2>{t('security.title')}</h2>
      {enabled ? (
        <DisableTwoFactor onDone={() => setEnabled(false)} />
      ) : (
        <TwoFactor onChange={() => setEnabled(true)} />
      )}
      {isAdmin && (
        <label className="inline">
          <input type="checkbox" checked={required} onChange={(e) => void requireAll(e.target.checked)} /> {t('security.require', { organization: me.organization.name })}
        </label>
      )}
      <p className="error" role="alert">
        {error}
      </p>
      <h2>{t('security.sessions')}</h2>
      <p>{t('security.sessionsText')}</p>
      <button type="button" className="secondary" onClick={() => void post('/api/v1/auth/logout-everywhere').then(() => window.location.reload())}>
        {t('security.everywhere')}
      </button>
    </>
  );
}

/** Enrolment: a secret for the authenticator app, a first code to confirm, then the recovery codes once. */
export function TwoFactor({ onChange }: { onChange: () => void }) {
  const { t } = useTranslation('staff');
  const [secret, setSecret] = useState<{ secret: string; uri: string } | null>(null);
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function confirm(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      const res = await post<{ recoveryCodes: string[] }>('/api/v1/auth/two-factor/confirm', { code: new FormData(e.currentTarget).get('code') });
      setRecovery(res.recoveryCodes);
    } catch (err) {
      setError(refusalSentence(err));
    }
  }

  if (recovery) {
    return (
      <div role="status">
        <p>{t('security.recoveryText')}</p>
        <ul className="recovery-codes" aria-label={t('security.recoveryCodes')}>
          {recovery.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={onChange}>
          {t('security.saved')}
        </button>
      </div>
    );
  }
  if (!secret) {
    return (
      <>
        <p>{t('security.intro')}</p>
        <button type="button" onClick={() => void post<{ secret: string; uri: string }>('/api/v1/auth/two-factor/enrol').then(setSecret, (e: Error) => setError(refusalSentence(e)))}>
          {t('security.setUp')}
        </button>
        <p className="error" role="alert">
          {error}
        </p>
      </>
    );
  }
  return (
    <form onSubmit={confirm}>
      <p>
        {t('security.addKey')} <code aria-label={t('security.secretKey')}>{secret.secret}</code>{' '}
        <a href={secret.uri}>{t('security.openInApp')}</a>
      </p>
      <label>
        {t('security.code')}
        <input name="code" inputMode="numeric" pattern="[0-9 ]{6,8}" autoComplete="one-time-code" required />
      </label>
      <button type="submit">{t('security.turnOn')}</button>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}

function DisableTwoFactor({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation('staff');
  const [error, setError] = useState<string | null>(null);
  async function disable(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      await post('/api/v1/auth/two-factor/disable', { password: new FormData(e.currentTarget).get('password') });
      onDone();
    } catch (err) {
      setError(refusalSentence(err));
    }
  }
  return (
    <form onSubmit={disable}>
      <p>{t('security.isOn')}</p>
      <label>
        {t('security.password')}
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" className="secondary">
        {t('security.turnOff')}
      </button>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}
