import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { lazy, Suspense, useCallback, useEffect, useState } from 'react';

// Pages away from the inbox load when first opened, so the inbox itself loads less.
const Settings = lazy(() => import('./settings/Settings').then((m) => ({ default: m.Settings })));
const ContactsPage = lazy(() => import('./contacts/ContactsPage').then((m) => ({ default: m.ContactsPage })));
const ReportsPage = lazy(() => import('./reports/ReportsPage').then((m) => ({ default: m.ReportsPage })));
import { api, post, setSession } from './shared/api';
import { Inbox } from './inbox/Inbox';
import { ContactPage } from './contacts/ContactPage';

import { Nav } from './Nav';
import { usePath } from './shared/router';

import { SignIn } from './SignIn';
import { TwoFactor } from './settings/Security';
import { useLive } from './shared/useLive';
import { stopPushOnThisDevice } from './shared/notifications/device';
import { setDisplayContext } from './shared/format';
import { applyUserLanguage, i18next } from './shared/i18n';
import type { Me } from './shared/types';

export function App() {
  const { t } = useTranslation('staff');
  const queryClient = useQueryClient();
  const [me, setMe] = useState<Me | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback(
    (reason: string | null) => {
      setSession(null);
      queryClient.clear();
      setMe(null);
      setNotice(reason);
    },
    [queryClient],
  );

  const signedIn = useCallback((next: Me) => {
    setSession(next.csrfToken, (reason) => signOut(reason));
    setNotice(null);
    applyUserLanguage(next.user.language);
    setDisplayContext(next);
    setMe(next);
  }, [signOut]);

  useEffect(() => {
    api<Me>('/api/v1/me').then(signedIn, () => setMe(null));
  }, [signedIn]);

  // Idle sign-out: the screen is cleared, nothing of a patient stays on it.
  useEffect(() => {
    if (!me) return;
    // Signs out after the organization's idle time without the user touching anything (the server enforces it too).
    const idleMs = me.sessionIdleMinutes * 60_000;
    let timer = setTimeout(expire, idleMs);
    function expire() {
      void post('/api/v1/auth/logout').catch(() => {});
      signOut(i18next.t('staff:app.idleSignedOut', { count: me!.sessionIdleMinutes }));
    }
    const reset = () => {
      clearTimeout(timer);
      timer = setTimeout(expire, idleMs);
    };
    const events = ['keydown', 'pointerdown', 'wheel'] as const;
    events.forEach((e) => window.addEventListener(e, reset, { passive: true }));
    return () => {
      clearTimeout(timer);
      events.forEach((e) => window.removeEventListener(e, reset));
    };
  }, [me, signOut]);

  if (me === undefined) return <p className="loading">{t('app.loading')}</p>;
  if (me === null) return <SignIn notice={notice} onSignedIn={signedIn} />;
  if (me.security.mustEnrolTwoFactor) {
    return (
      <main className="signin">
        <div className="card">
          <h1>{t('app.enrolTitle')}</h1>
          <p>{t('app.enrolText', { organization: me.organization.name })}</p>
          <TwoFactor onChange={() => void api<Me>('/api/v1/me').then(signedIn)} />
        </div>
      </main>
    );
  }
  return (
    <Shell
      me={me}
      onSignOut={async () => {
        await stopPushOnThisDevice().catch(() => {});
        await post('/api/v1/auth/logout').catch(() => {});
        signOut(null);
      }}
    />
  );
}

function Shell({ me, onSignOut }: { me: Me; onSignOut: () => void }) {
  const { t } = useTranslation('staff');
  const path = usePath();
  const live = useLive(me.privileges.includes('send_messages'));
  const contactId = /^\/contacts\/([0-9a-f-]{36})$/.exec(path)?.[1];
  return (
    <div className="page">
      <header className="topbar">
        <strong className="brand">{me.organization.name}</strong>
        <Nav me={me} path={path} unread={live.unread} />
        <span className="spacer" />
        <span className="who">
          {t('app.who', { name: me.user.name, role: t(`roles.${me.role}`) })}
        </span>
        <button type="button" className="secondary" onClick={onSignOut}>
          {t('app.signOut')}
        </button>
      </header>
      <Suspense fallback={<p className="loading">{t('app.loading')}</p>}>
      {path.startsWith('/settings') || path === '/audit' ? (
        <Settings me={me} />
      ) : contactId ? (
        <ContactPage id={contactId} me={me} />
      ) : path === '/contacts' ? (
        <ContactsPage />
      ) : path === '/reports' ? (
        <ReportsPage />
      ) : (
        <Inbox me={me} live={live} />
      )}
      </Suspense>
    </div>
  );
}
