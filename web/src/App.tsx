import { useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState } from 'react';
import { api, post, setSession } from './api';
import { Inbox } from './Inbox';
import { SignIn } from './SignIn';
import type { Me } from './types';

/** Signs out after this long without the user touching anything (the server enforces its own limit too). */
const idleMs = 15 * 60_000;

export function App() {
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
    setMe(next);
  }, [signOut]);

  useEffect(() => {
    api<Me>('/api/v1/me').then(signedIn, () => setMe(null));
  }, [signedIn]);

  // Idle sign-out: the screen is cleared, nothing of a patient stays on it.
  useEffect(() => {
    if (!me) return;
    let timer = setTimeout(expire, idleMs);
    function expire() {
      void post('/api/v1/auth/logout').catch(() => {});
      signOut('You were signed out after 15 minutes without activity.');
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

  if (me === undefined) return <p className="loading">Loading…</p>;
  if (me === null) return <SignIn notice={notice} onSignedIn={signedIn} />;
  return (
    <Inbox
      me={me}
      onSignOut={async () => {
        await post('/api/v1/auth/logout').catch(() => {});
        signOut(null);
      }}
    />
  );
}
