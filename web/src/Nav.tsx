import type { MouseEvent } from 'react';
import { navigate } from './shared/router';
import type { Me } from './shared/types';

/** T3: tabs a user may not use are not shown. */
export function Nav({ me, path, unread }: { me: Me; path: string; unread: number | null }) {
  const go = (to: string) => (e: MouseEvent) => {
    e.preventDefault();
    navigate(to);
  };
  const tabs = [
    me.privileges.includes('send_messages') && { to: '/', label: 'Inbox', badge: unread ?? 0 },
    me.privileges.includes('contacts') && { to: '/contacts', label: 'Contacts', badge: null },
    (me.role === 'admin' || me.role === 'main_admin') && { to: '/reports', label: 'Reports', badge: null },
    { to: '/settings', label: 'Settings', badge: null },
  ].filter(Boolean) as { to: string; label: string; badge: number | null }[];
  return (
    <nav className="tabs" aria-label="Main">
      {tabs.map((t) => (
        <a key={t.to} href={t.to} onClick={go(t.to)} aria-current={(t.to === '/' ? path === '/' : path.startsWith(t.to)) ? 'page' : undefined}>
          {t.label}
          {t.badge !== null && (
            <span className={`badge${t.badge ? '' : ' zero'}`} aria-label={`${t.badge} unread conversations`} data-testid="unread-badge">
              {t.badge}
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}
