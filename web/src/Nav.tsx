import type { MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { navigate } from './shared/router';
import type { Me } from './shared/types';

/** T3: tabs a user may not use are not shown. */
export function Nav({ me, path, unread }: { me: Me; path: string; unread: number | null }) {
  const { t } = useTranslation('staff');
  const go = (to: string) => (e: MouseEvent) => {
    e.preventDefault();
    navigate(to);
  };
  const tabs = [
    me.privileges.includes('send_messages') && { to: '/', label: t('nav.inbox'), badge: unread ?? 0 },
    me.privileges.includes('contacts') && { to: '/contacts', label: t('nav.contacts'), badge: null },
    (me.role === 'admin' || me.role === 'main_admin') && { to: '/reports', label: t('nav.reports'), badge: null },
    { to: '/settings', label: t('nav.settings'), badge: null },
  ].filter(Boolean) as { to: string; label: string; badge: number | null }[];
  return (
    <nav className="tabs" aria-label={t('nav.main')}>
      {tabs.map((tab) => (
        <a key={tab.to} href={tab.to} onClick={go(tab.to)} aria-current={(tab.to === '/' ? path === '/' : path.startsWith(tab.to)) ? 'page' : undefined}>
          {tab.label}
          {tab.badge !== null && (
            <span className={`badge${tab.badge ? '' : ' zero'}`} aria-label={t('nav.unread', { count: tab.badge })} data-testid="unread-badge">
              {tab.badge}
            </span>
          )}
        </a>
      ))}
    </nav>
  );
}
