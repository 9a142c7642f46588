import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { when } from '../shared/format';
import type { Page } from '../shared/types';
import { keys } from '../shared/queryKeys';

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

/** What happened, as an admin reads it; an action not listed shows as its name. */
const actionLabels: Record<string, string> = {
  'conversation.view': 'Read a conversation',
  'conversation.create': 'Started a conversation',
  'conversation.move': 'Moved a conversation',
  'conversation.spam': 'Marked a conversation as spam',
  'conversation.emergency_access': 'Opened a conversation by emergency access',
  'message.send': 'Sent a message',
  'message.receive': 'Received a message',
  'message.retract': 'Retracted a message',
  'contact.view': 'Viewed a contact',
  'contact.create': 'Added a contact',
  'contact.update': 'Changed a contact',
  'contact.block': 'Blocked a contact',
  'contact.opt_out': 'Opted a contact out',
  'contact.record_export': 'Exported a patient’s record',
  'contact.import': 'Imported contacts',
  'contacts.export': 'Exported all contacts',
  'conversations.export': 'Exported all conversations',
  'attachment.download': 'Downloaded a file',
  'attachment.upload': 'Uploaded a file',
  'call.log': 'Logged a call',
  'auth.login': 'Signed in',
  'auth.login_failed': 'Failed to sign in',
  'auth.logout': 'Signed out',
  'user.create': 'Added a team member',
  'user.update': 'Changed a team member',
  'plan.change': 'Changed the plan',
  'audit.export': 'Exported the audit log',
  'portal.thread_view': 'Patient read their portal thread',
  'guest_thread.view': 'Guest opened their private link',
  'sms_inbox.disable': 'Turned off two-way SMS',
};
const outcomeLabels: Record<Entry['outcome'], string> = { success: 'Done', failure: 'Failed', denied: 'Refused' };

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
  if (conversationId) return { href: `/?status=all&c=${conversationId}`, label: 'Open the conversation' };
  if (e.subjectType === 'contact' && e.subjectId) return { href: `/contacts/${e.subjectId}`, label: 'Open the contact' };
  return null;
}

function who(e: Entry, users: Map<string, string>): string {
  if (e.actorKind === 'user') return (e.actorUserId && users.get(e.actorUserId)) ?? 'A former team member';
  if (e.actorKind === 'api_token') return 'An integration (API token)';
  if (e.actorKind === 'patient') return 'The patient';
  return 'Frontdesk (automatic)';
}

/** A user agent as a person reads it: the browser and system, not the whole string. */
function device(userAgent: string | null): string {
  if (!userAgent) return '';
  const browser = /(Edg|Firefox|Chrome|Safari)\/[\d.]+/.exec(userAgent)?.[1]?.replace('Edg', 'Edge');
  const system = /(Windows|Mac OS X|Android|iPhone|iPad|Linux)/.exec(userAgent)?.[1]?.replace('Mac OS X', 'macOS');
  return [browser, system].filter(Boolean).join(' on ') || userAgent.slice(0, 40);
}

/** M13: the audit log on screen for admins — filter, read, follow to the thread or contact, export the selection. */
export function AuditPage() {
  const [filters, setFilters] = useState<AuditFilters>(filtersFromUrl);
  const users = useQuery({ queryKey: keys.users(), queryFn: () => api<{ items: { id: string; name: string }[] }>('/api/v1/users') });
  const names = new Map((users.data?.items ?? []).map((u) => [u.id, u.name]));
  const query = auditQuery(filters);
  const entries = useInfiniteQuery({
    queryKey: keys.audit(query.toString()),
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
      <h2>Audit log</h2>
      <p className="sub">Every read and change of patient data, sign-in and setting, newest first. Filter it, follow an entry to its conversation or contact, or export what you selected.</p>
      <form className="audit-filters" aria-label="Filter the audit log" onSubmit={apply}>
        <label>
          User
          <select name="userId" defaultValue={filters.userId ?? ''}>
            <option value="">Anyone</option>
            {(users.data?.items ?? []).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
        </label>
        <PatientPicker initial={filters.patientId} />
        <label>
          Action
          <input name="action" list="audit-actions" defaultValue={filters.action ?? ''} placeholder="e.g. conversation.view" />
          <datalist id="audit-actions">
            {Object.entries(actionLabels).map(([value, label]) => <option key={value} value={value}>{label}</option>)}
          </datalist>
        </label>
        <label>
          Outcome
          <select name="outcome" defaultValue={filters.outcome ?? ''}>
            <option value="">Any</option>
            {(Object.keys(outcomeLabels) as Entry['outcome'][]).map((o) => <option key={o} value={o}>{outcomeLabels[o]}</option>)}
          </select>
        </label>
        <label>From <input type="date" name="from" defaultValue={filters.from ?? ''} /></label>
        <label>To <input type="date" name="to" defaultValue={filters.to ?? ''} /></label>
        <button type="submit">Show</button>
      </form>
      <p className="audit-export">
        Export these entries: <a href={`/api/v1/audit/export?format=csv&${query}`} download>CSV</a> · <a href={`/api/v1/audit/export?format=json&${query}`} download>JSON</a>
      </p>
      {entries.isError ? (
        <p className="error" role="alert">{refusalSentence(entries.error)}</p>
      ) : entries.isLoading ? (
        <p className="loading">Loading…</p>
      ) : rows.length === 0 ? (
        <p className="empty">No entries match these filters.</p>
      ) : (
        <ol className="audit-entries" aria-label="Audit entries">
          {rows.map((e) => {
            const link = subjectLink(e);
            return (
              <li key={e.id} className={`audit-entry ${e.outcome}`}>
                <p>
                  <strong>{who(e, names)}</strong> · {actionLabels[e.action] ?? e.action}
                  {e.outcome !== 'success' && <span className={`tag outcome-${e.outcome}`}>{outcomeLabels[e.outcome]}</span>}
                </p>
                <p className="sub">
                  <time dateTime={e.at}>{when(e.at)}</time>
                  {e.ip && <> · from {e.ip}</>}
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
          Show older entries
        </button>
      )}
    </>
  );
}

/** The patient filter: search by name or phone, pick one; the form carries their id. */
function PatientPicker({ initial }: { initial?: string }) {
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<{ id: string; name: string } | null>(initial ? { id: initial, name: 'the selected patient' } : null);
  const matches = useQuery({
    queryKey: keys.contacts.search(q),
    queryFn: () => api<{ items: { id: string; name: string }[] }>(`/api/v1/contacts?limit=6&q=${encodeURIComponent(q)}`),
    enabled: q.trim().length >= 2 && !picked,
  });
  return (
    <div className="audit-patient">
      <label>
        Patient
        <input value={picked ? picked.name : q} onChange={(e) => { setPicked(null); setQ(e.target.value); }} placeholder="Name or phone" />
      </label>
      <input type="hidden" name="patientId" value={picked?.id ?? ''} />
      {!picked && (matches.data?.items.length ?? 0) > 0 && (
        <ul className="suggestions" aria-label="Matching patients">
          {matches.data!.items.map((c) => (
            <li key={c.id}><button type="button" onClick={() => setPicked(c)}>{c.name}</button></li>
          ))}
        </ul>
      )}
    </div>
  );
}
