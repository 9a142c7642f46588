import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { catalogues } from '../../../src/i18n';
import { i18next } from '../shared/i18n';
import { api } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { when } from '../shared/format';
import type { Page } from '../shared/types';

/** One entry of GET /api/v1/audit (src/audit/routes.ts). */
interface Entry {
  id: string;
  at: string;
  actorKind: 'user' | 'api_token' | 'patient' | 'system';
  actorUserId: string | null;
  actorTokenId: string | null;
  action: string;
  subjectType: string;
  subjectId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown> | null;
  outcome: 'success' | 'failure' | 'denied';
}

const filterNames = ['userId', 'patientId', 'action', 'outcome', 'from', 'to'] as const;
type AuditFilters = Partial<Record<(typeof filterNames)[number], string>>;

/** What happened, as an admin reads it: audit.actions in the catalogue, nested as the action's name is ("conversation.view"); an action not listed shows as its name. */
const actionKey = (action: string) => `audit.actions.${action}`;
const knownActions = Object.entries(catalogues.en.staff.audit.actions).flatMap(([kind, verbs]) => Object.keys(verbs).map((verb) => `${kind}.${verb}`));
const outcomes: Entry['outcome'][] = ['success', 'failure', 'denied'];

function filtersFromUrl(): AuditFilters {
  const params = new URLSearchParams(window.location.search);
  return Object.fromEntries(filterNames.flatMap((k) => (params.get(k) ? [[k, params.get(k)!]] : []))) as AuditFilters;
}

/** The API's query for the filters; dates are whole days, from the start of the first to the end of the last. */
function auditQuery(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of filterNames) {
    const value = filters[key];
    if (!value) continue;
    if (key === 'from') params.set(key, new Date(`${value}T00:00:00`).toISOString());
    else if (key === 'to') params.set(key, new Date(`${value}T23:59:59.999`).toISOString());
    else params.set(key, value);
  }
  return params;
}

/** Where the entry's subject can be followed: the thread, or the contact's page. */
function subjectLink(e: Entry): { href: string; label: string } | null {
  const conversationId = e.subjectType === 'conversation' ? e.subjectId : typeof e.details?.conversationId === 'string' ? e.details.conversationId : null;
  if (conversationId) return { href: `/?status=all&c=${conversationId}`, label: i18next.t('staff:audit.openConversation') };
  if (e.subjectType === 'contact' && e.subjectId) return { href: `/contacts/${e.subjectId}`, label: i18next.t('staff:audit.openContact') };
  return null;
}

function who(e: Entry, users: Map<string, string>): string {
  if (e.actorKind === 'user') return (e.actorUserId && users.get(e.actorUserId)) || i18next.t('staff:audit.formerMember');
  if (e.actorKind === 'api_token') return i18next.t('staff:audit.integration');
  if (e.actorKind === 'patient') return i18next.t('staff:audit.patient');
  return i18next.t('staff:audit.system');
}

/** A user agent as a person reads it: the browser and system, not the whole string. */
function device(userAgent: string | null): string {
  if (!userAgent) return '';
  const browser = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[1]?.replace('Edg', 'Edge');
  const system = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(userAgent)?.[1]?.replace('Mac OS X', 'macOS');
  return browser && system ? i18next.t('staff:audit.device', { browser, system }) : browser || system || userAgent.slice(0, 40);
}

/** M13: the audit log on screen for admins — filter, read, follow to the thread or contact, export the selection. */
export function AuditPage() {
  const { t } = useTranslation('staff');
  const [filters, setFilters] = useState<AuditFilters>(filtersFromUrl);
  const users = useQuery({ queryKey: ['users'], queryFn: () => api<{ items: { id: string; name: string }[] }>('/api/v1/users') });
  const names = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  const query = auditQuery(filters);
  const entries = useInfiniteQuery({
    queryKey: ['audit', query.toString()],
    queryFn: ({ pageParam }) => api<Page<Entry>>(`/api/v1/audit?limit=50&${query}${pageParam ? `&cursor=${encodeURIComponent(pageParam)}` : ''}`),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = entries.data?.pages.flatMap((p) => p.items) ?? [];

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const next = Object.fromEntries(filterNames.flatMap((k) => (String(f.get(k) ?? '').trim() ? [[k, String(f.get(k)).trim()]] : []))) as AuditFilters;
    setFilters(next);
    const search = new URLSearchParams(next as Record<string, string>).toString();
    window.history.replaceState(null, '', `${window.location.pathname}${search ? `?${search}` : ''}`);
  }

  return (
    <>
      <h2>{t('audit.title')}</h2>
      <p className="sub">{t('audit.intro')}</p>
      <form className="audit-filters" aria-label={t('audit.filter')} onSubmit={apply}>
        <label>
          {t('audit.user')}
          <select name="userId" defaultValue={filters.userId ?? ''}>
            <option value="">{t('inbox.filters.anyone')}</option>
            {(users.data?.items ?? []).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
        </label>
        <PatientPicker initial={filters.patientId} />
        <label>
          {t('audit.action')}
          <input name="action" list="audit-actions" defaultValue={filters.action ?? ''} placeholder={t('audit.actionHint')} />
          <datalist id="audit-actions">
            {knownActions.map((value) => <option key={value} value={value}>{t(actionKey(value))}</option>)}
          </datalist>
        </label>
        <label>
          {t('audit.outcome')}
          <select name="outcome" defaultValue={filters.outcome ?? ''}>
            <option value="">{t('audit.any')}</option>
            {outcomes.map((o) => <option key={o} value={o}>{t(`audit.outcomes.${o}`)}</option>)}
          </select>
        </label>
        <label>{t('notify.from')} <input type="date" name="from" defaultValue={filters.from ?? ''} /></label>
        <label>{t('notify.until')} <input type="date" name="to" defaultValue={filters.to ?? ''} /></label>
        <button type="submit">{t('audit.show')}</button>
      </form>
      <p className="audit-export">
        {t('audit.export')} <a href={`/api/v1/audit/export?format=csv&${query}`} download>CSV</a> · <a href={`/api/v1/audit/export?format=json&${query}`} download>JSON</a>
      </p>
      {entries.isError ? (
        <p className="error" role="alert">{refusalSentence(entries.error)}</p>
      ) : entries.isLoading ? (
        <p className="loading">{t('app.loading')}</p>
      ) : rows.length === 0 ? (
        <p className="empty">{t('audit.none')}</p>
      ) : (
        <ol className="audit-entries" aria-label={t('audit.entries')}>
          {rows.map((e) => {
            const link = subjectLink(e);
            return (
              <li key={e.id} className={`audit-entry ${e.outcome}`}>
                <p>
                  <strong>{who(e, names)}</strong> · {t(actionKey(e.action), { defaultValue: e.action })}
                  {e.outcome !== 'success' && <span className={`tag outcome-${e.outcome}`}>{t(`audit.outcomes.${e.outcome}`)}</span>}
                </p>
                <p className="sub">
                  <time dateTime={e.at}>{when(e.at)}</time>
                  {e.ip && <> · {t('audit.from', { ip: e.ip })}</>}
                  {e.userAgent && <> · {device(e.userAgent)}</>}
                  {link && <> · <a href={link.href}>{link.label}</a></>}
                </p>
              </li>
            );
          })}
        </ol>
      )}
      {entries.hasNextPage && (
        <button type="button" className="secondary" disabled={entries.isFetchingNextPage} onClick={() => void entries.fetchNextPage()}>
          {t('audit.older')}
        </button>
      )}
    </>
  );
}

/** The patient filter: search by name or phone, pick one; the form carries their id. */
function PatientPicker({ initial }: { initial?: string }) {
  const { t } = useTranslation('staff');
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(initial ? { id: initial, name: i18next.t('staff:audit.selectedPatient') } : null);
  const matches = useQuery({
    queryKey: ['contact-search', q],
    queryFn: () => api<{ items: { id: string; name: string }[] }>(`/api/v1/contacts?limit=6&q=${encodeURIComponent(q)}`),
    enabled: q.trim().length >= 2 && !picked,
  });
  return (
    <div className="audit-patient">
      <label>
        {t('contacts.patient')}
        <input value={picked ? picked.name : q} onChange={(e) => { setPicked(null); setQ(e.target.value); }} placeholder={t('audit.patientHint')} />
      </label>
      <input type="hidden" name="patientId" value={picked?.id ?? ''} />
      {!picked && (matches.data?.items.length ?? 0) > 0 && (
        <ul className="suggestions" aria-label={t('audit.matches')}>
          {matches.data!.items.map((c) => (
            <li key={c.id}><button type="button" onClick={() => setPicked(c)}>{c.name}</button></li>
          ))}
        </ul>
      )}
    </div>
  );
}
