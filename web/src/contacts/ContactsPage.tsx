import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api';
import { PlanLockOr } from '../shared/PlanLock';
import type { Page } from '../shared/types';
import { phone } from '../shared/format';

interface ContactRow {
  id: string;
  name: string;
  type: 'patient' | 'lead';
  phone: string | null;
  email: string | null;
  blocked: boolean;
  portalAccount: boolean;
  createdAt: string;
}

/** C3: the CRM's contact list — search by name, phone or email, filter by type and blocked. */
export function ContactsPage() {
  const { t } = useTranslation('staff');
  const [q, setQ] = useState('');
  const [type, setType] = useState('');
  const [blocked, setBlocked] = useState(false);
  const params = new URLSearchParams({ limit: '50', ...(q.trim().length >= 2 ? { q: q.trim() } : {}), ...(type ? { type } : {}), ...(blocked ? { blocked: 'true' } : {}) });
  const list = useInfiniteQuery({
    queryKey: ['contacts', params.toString()],
    queryFn: ({ pageParam }) => api<Page<ContactRow>>(`/api/v1/contacts?${params}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <main className="contact-page">
      <h1>{t('nav.contacts')}</h1>
      <form className="inline-form" role="search" onSubmit={(e) => e.preventDefault()}>
        <label className="grow">{t('contacts.search')} <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('contacts.searchHint')} /></label>
        <label>{t('contacts.type')} <select value={type} onChange={(e) => setType(e.target.value)}><option value="">{t('contacts.all')}</option><option value="patient">{t('inbox.filters.patients')}</option><option value="lead">{t('inbox.filters.leads')}</option></select></label>
        <label><input type="checkbox" checked={blocked} onChange={(e) => setBlocked(e.target.checked)} /> {t('contacts.blockedOnly')}</label>
      </form>
      {list.isError ? (
        <PlanLockOr error={list.error as Error} />
      ) : list.isLoading ? (
        <p className="loading">{t('app.loading')}</p>
      ) : (
        <table className="report">
          <thead><tr><th scope="col">{t('contacts.name')}</th><th scope="col">{t('contacts.type')}</th><th scope="col">{t('contacts.phone')}</th><th scope="col">{t('contacts.email')}</th><th scope="col">{t('channels.portal')}</th></tr></thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.id}>
                <td><a href={`/contacts/${c.id}`}>{c.name}</a>{c.blocked ? ` ${t('contacts.blockedMark')}` : ''}</td>
                <td>{c.type === 'patient' ? t('contacts.patient') : t('contacts.lead')}</td>
                <td>{c.phone ? phone(c.phone) : '—'}</td>
                <td>{c.email ?? '—'}</td>
                <td>{c.portalAccount ? t('contacts.yes') : '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {list.hasNextPage && <button type="button" className="secondary" onClick={() => void list.fetchNextPage()}>{t('contacts.more')}</button>}
      {list.isSuccess && rows.length === 0 && <p className="sub">{t('contacts.none')}</p>}
    </main>
  );
}
