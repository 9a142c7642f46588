import { useState, type FormEvent } from 'react';
import { api, post } from '../shared/api';
import type { Me } from '../shared/types';
import { refusalSentence } from '../shared/errors';

/** Settings → Security: two-factor sign-in, signing out everywhere, and (admins) requiring two-factor. */
export function Security({ me }: { me: Me }) {
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
      <h2>Two-factor sign-in</h2>
      {enabled ? (
        <DisableTwoFactor onDone={() => setEnabled(false)} />
      ) : (
        <TwoFactor onChange={() => setEnabled(true)} />
      )}
      {isAdmin && (
        <label className="inline">
          <input type="checkbox" checked={required} onChange={(e) => void requireAll(e.target.checked)} /> Require two-factor sign-in for
          everyone in {me.organization.name}
        </label>
      )}
      <p className="error" role="alert">
        {error}
      </p>
      <h2>Sessions</h2>
      <p>Lost a phone or signed in on a shared computer? End every session of yours, on every device, this one included.</p>
      <button type="button" className="secondary" onClick={() => void post('/api/v1/auth/logout-everywhere').then(() => window.location.reload())}>
        Sign out everywhere
      </button>
    </>
  );
}

/** Enrolment: a secret for the authenticator app, a first code to confirm, then the recovery codes once. */
export function TwoFactor({ onChange }: { onChange: () => void }) {
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
        <p>Two-factor sign-in is on. Keep these one-time recovery codes somewhere safe: each signs you in once if you lose your phone. They are not shown again.</p>
        <ul className="recovery-codes" aria-label="Recovery codes">
          {recovery.map((c) => (
            <li key={c}>
              <code>{c}</code>
            </li>
          ))}
        </ul>
        <button type="button" onClick={onChange}>
          I have saved them
        </button>
      </div>
    );
  }
  if (!secret) {
    return (
      <>
        <p>Sign in with your password and a code from an authenticator app (Google Authenticator, 1Password, Authy…).</p>
        <button type="button" onClick={() => void post<{ secret: string; uri: string }>('/api/v1/auth/two-factor/enrol').then(setSecret, (e: Error) => setError(refusalSentence(e)))}>
          Set up two-factor sign-in
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
        In your authenticator app, add an account with this key (or open the link on the phone): <code aria-label="Secret key">{secret.secret}</code>{' '}
        <a href={secret.uri}>open in app</a>
      </p>
      <label>
        The 6-digit code it shows
        <input name="code" inputMode="numeric" pattern="[0-9 ]{6,8}" autoComplete="one-time-code" required />
      </label>
      <button type="submit">Turn on</button>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}

function DisableTwoFactor({ onDone }: { onDone: () => void }) {
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
      <p>Two-factor sign-in is on for your account.</p>
      <label>
        Your password, to turn it off
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button type="submit" className="secondary">
        Turn off
      </button>
      <p className="error" role="alert">
        {error}
      </p>
    </form>
  );
}
