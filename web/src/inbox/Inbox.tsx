import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { api, post } from '../shared/api';
import { ConversationList } from './ConversationList';
import { FilterPanel } from '../shared/layout/FilterPanel';
import { showUnreadOnAppIcon } from '../shared/notifications/device';
import { phone } from '../shared/format';
import { filtersFromSearch, searchFromFilters, type Filters } from '../shared/logic';
import { NewConversation } from './NewConversation';
import { SimulatePatient } from './SimulatePatient';
import { ThreadView } from './ThreadView';
import type { ConversationItem, Me } from '../shared/types';
import type { Typing } from '../shared/useLive';

function useUrlState() {
  const [search, setSearch] = useState(window.location.search);
  useEffect(() => {
    const onPop = () => setSearch(window.location.search);
    window.addEventListener('popstate', onPop);
    // navigate() (a notification's click) changes the address too.
    window.addEventListener('frontdesk:navigate', onPop);
    return () => {
      window.removeEventListener('popstate', onPop);
      window.removeEventListener('frontdesk:navigate', onPop);
    };
  }, []);
  const filters = useMemo(() => filtersFromSearch(search), [search]);
  const selected = new URLSearchParams(search).get('c');
  const update = useCallback((next: { filters?: Filters; selected?: string | null }, push = false) => {
    const current = new URLSearchParams(window.location.search);
    const text = searchFromFilters(next.filters ?? filtersFromSearch(window.location.search), next.selected === undefined ? current.get('c') : next.selected);
    window.history[push ? 'pushState' : 'replaceState'](null, '', `${window.location.pathname}${text}`);
    setSearch(text);
  }, []);
  return { filters, selected, update };
}

/** Seed 004's tabs over the list: open threads, the unread ones, the read ones. */
const readTabs = ['open', 'unread', 'read'] as const;

const channelFilters = ['sms', 'email', 'whatsapp', 'portal', 'web', 'call'] as const;

export function Inbox({ me, live }: { me: Me; live: { unread: number | null; typing: Typing[] } }) {
  const { t } = useTranslation('staff');
  const canUseHub = me.privileges.includes('send_messages');
  // Without the inbox privilege the API hides SMS threads; the app says so rather than letting them vanish.
  const seesSms = me.privileges.includes('inbox');
  const queryClient = useQueryClient();
  const { filters, selected, update } = useUrlState();
  const { unread, typing } = live;
  const [checked, setChecked] = useState<Set<string>>(new Set());
  const [composing, setComposing] = useState(false);
  const [simulating, setSimulating] = useState(false);
  const [visible, setVisible] = useState<ConversationItem[]>([]);
  const [undo, setUndo] = useState<{ text: string; run: () => Promise<void> } | null>(null);
  useEffect(() => {
    if (!undo) return;
    const timer = setTimeout(() => setUndo(null), 10_000);
    return () => clearTimeout(timer);
  }, [undo]);
  const searchBox = useRef<HTMLInputElement>(null);
  const inboxes = useQuery({ queryKey: ['inboxes'], queryFn: () => api('/api/v1/inboxes'), enabled: canUseHub });
  const users = useQuery({ queryKey: ['users'], queryFn: () => api('/api/v1/users'), enabled: canUseHub });
  // Seed 004: once two-way SMS is on, its number sits in the inbox's upper right.
  const smsInbox = useQuery({ queryKey: ['sms-inbox'], queryFn: () => api<{ enabled: boolean; phoneNumber: string | null }>('/api/v1/sms-inbox'), enabled: canUseHub && seesSms });
  const unreadFallback = useQuery({ queryKey: ['conversations', 'unread-count'], queryFn: () => api('/api/v1/unread-count'), enabled: canUseHub });
  const unreadCount = unread ?? unreadFallback.data?.unread ?? 0;

  useEffect(() => {
    document.title = unreadCount ? `(${unreadCount}) Frontdesk` : 'Frontdesk';
    showUnreadOnAppIcon(unreadCount);
  }, [unreadCount]);

  const setFilter = (key: keyof Filters, value: string) => update({ filters: { ...filters, [key]: value || undefined } });

  // Keyboard: j/k move, r reply, e close, / search — not while typing in a field.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const target = e.target as HTMLElement;
      if (e.metaKey || e.ctrlKey || e.altKey || target.closest('input, textarea, select, [contenteditable]')) return;
      const index = visible.findIndex((c) => c.id === selected);
      if (e.key === 'j' || e.key === 'k') {
        const next = visible[Math.max(0, Math.min(visible.length - 1, index + (e.key === 'j' ? 1 : -1)))];
        if (next) update({ selected: next.id });
      } else if (e.key === '/') {
        e.preventDefault();
        searchBox.current?.focus();
      } else if (e.key === 'r') {
        e.preventDefault();
        document.getElementById('composer-text')?.focus();
      } else if (e.key === 'e' && selected) {
        const name = visible.find((c) => c.id === selected)?.contact.name ?? t('inbox.thePatient');
        void closeWithUndo(selected, name);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [visible, selected, update, queryClient]);

  /** `e` closes at once, and says so with an Undo: nothing is lost to a stray key. */
  async function closeWithUndo(id: string, name: string) {
    await post(`/api/v1/conversations/${id}/close`);
    await queryClient.invalidateQueries({ queryKey: ['conversations'] });
    await queryClient.invalidateQueries({ queryKey: ['thread', id] });
    setUndo({
      text: t('inbox.closedToast', { name }),
      run: async () => {
        setUndo(null);
        await post(`/api/v1/conversations/${id}/reopen`);
        await queryClient.invalidateQueries({ queryKey: ['conversations'] });
        await queryClient.invalidateQueries({ queryKey: ['thread', id] });
      },
    });
  }

  async function bulk(action: 'read' | 'unread' | 'close') {
    await post('/api/v1/conversations/bulk', { ids: [...checked], action });
    setChecked(new Set());
    await queryClient.invalidateQueries({ queryKey: ['conversations'] });
  }

  return (
    <main className={`app${selected ? ' thread-open' : ''}`}>
      <h1 className="visually-hidden">{t('nav.inbox')}</h1>
      <div className="toolbar">
        {canUseHub && (
          <>
            <label className="visually-hidden" htmlFor="clinic-switcher">
              {t('inbox.clinic')}
            </label>
            <select id="clinic-switcher" value={filters.clinicId ?? ''} onChange={(e) => setFilter('clinicId', e.target.value)}>
              <option value="">{t('inbox.allClinics')}</option>
              {me.clinics.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.name}
                </option>
              ))}
            </select>
            <input
              ref={searchBox}
              type="search"
              aria-label={t('inbox.searchLabel')}
              placeholder={t('inbox.searchPlaceholder')}
              defaultValue={filters.q ?? ''}
              onChange={(e) => setFilter('q', e.target.value.trim())}
            />
          </>
        )}
        <span className="spacer" />
        {smsInbox.data?.enabled && smsInbox.data.phoneNumber && (
          <span className="clinic-number" title={t('inbox.clinicNumberHint')}>
            <Trans t={t} i18nKey="inbox.clinicNumber" values={{ number: phone(smsInbox.data.phoneNumber) }} components={{ strong: <strong /> }} />
          </span>
        )}
        {me.simulator && (me.role === 'admin' || me.role === 'main_admin') && (
          <button type="button" className="secondary" onClick={() => setSimulating(true)}>
            {t('inbox.simulate')}
          </button>
        )}
        {canUseHub && (
          <button type="button" onClick={() => setComposing(true)}>
            {t('inbox.newMessage')}
          </button>
        )}
      </div>
      {!canUseHub ? (
        <p className="empty">{t('inbox.needPrivilege')}</p>
      ) : (
        <>
          <FilterPanel filters={filters}>
            <FilterSelect name="status" label={t('inbox.filters.status')} value={filters.status ?? (filters.q ? '' : 'open')} onChange={(v) => setFilter('status', v)} options={(['open', 'unread', 'read', 'all', 'closed', 'archived'] as const).map((v) => [v, t(`inbox.filters.statuses.${v}`)])} allowEmpty={!!filters.q} emptyLabel={t('inbox.filters.anyStatus')} />
            <FilterSelect name="contact-type" label={t('inbox.filters.contactType')} value={filters.contactType ?? ''} onChange={(v) => setFilter('contactType', v)} options={[['patient', t('inbox.filters.patients')], ['lead', t('inbox.filters.leads')]]} emptyLabel={t('inbox.filters.patientsAndLeads')} allowEmpty />
            <FilterSelect name="assignment" label={t('inbox.filters.assignment')} value={filters.assignee ?? ''} onChange={(v) => setFilter('assignee', v)} options={[['me', t('inbox.filters.assignedToMe')], ['none', t('inbox.filters.unassigned')], ...((users.data?.items ?? []) as { id: string; name: string }[]).map((u) => [u.id, u.name] as [string, string])]} emptyLabel={t('inbox.filters.anyone')} allowEmpty />
            <FilterSelect name="inbox" label={t('inbox.filters.inbox')} value={filters.inboxId ?? ''} onChange={(v) => setFilter('inboxId', v)} options={((inboxes.data?.items ?? []) as { id: string; name: string }[]).map((i) => [i.id, i.name] as [string, string])} emptyLabel={t('inbox.filters.allInboxes')} allowEmpty />
            <FilterSelect name="channel" label={t('inbox.filters.channel')} value={filters.channel ?? ''} onChange={(v) => setFilter('channel', v)} options={channelFilters.filter((c) => c !== 'sms' || seesSms).map((c) => [c, t(`inbox.filters.channels.${c}`)])} emptyLabel={t('inbox.filters.allChannels')} allowEmpty />
            <FilterSelect name="patient-messages" label={t('inbox.filters.patientMessages')} value={filters.messageStatus ?? ''} onChange={(v) => setFilter('messageStatus', v)} options={[['unread', t('inbox.filters.unreadByTeam')], ['read', t('inbox.filters.readNotAnswered')], ['replied', t('inbox.filters.replied')]]} emptyLabel={t('inbox.filters.readOrNot')} allowEmpty />
            <FilterSelect name="direction" label={t('inbox.filters.direction')} value={filters.direction ?? ''} onChange={(v) => setFilter('direction', v)} options={[['inbound', t('inbox.filters.fromPatients')], ['outbound', t('inbox.filters.fromClinic')]]} emptyLabel={t('inbox.filters.bothDirections')} allowEmpty />
            <label className="check">
              <input type="checkbox" checked={filters.starred === 'true'} onChange={(e) => setFilter('starred', e.target.checked ? 'true' : '')} /> {t('inbox.filters.starred')}
            </label>
            <label className="check">
              <input type="checkbox" checked={filters.overdue === 'true'} onChange={(e) => setFilter('overdue', e.target.checked ? 'true' : '')} /> {t('inbox.filters.overdue')}
            </label>
          </FilterPanel>
          {!seesSms && <p className="sub privilege-note" role="note">{t('inbox.smsHidden')}</p>}
          <div className="list-head">
            <div role="tablist" aria-label={t('inbox.readTabs')} className="tabs">
              {readTabs.map((value) => (
                <button key={value} type="button" role="tab" aria-selected={(filters.status ?? 'open') === value} onClick={() => setFilter('status', value === 'open' ? '' : value)}>
                  {t(`inbox.readTab.${value}`)}
                </button>
              ))}
            </div>
            <label className="check select-all">
              <input
                type="checkbox"
                checked={visible.length > 0 && visible.every((c) => checked.has(c.id))}
                onChange={(e) => setChecked(e.target.checked ? new Set(visible.map((c) => c.id)) : new Set())}
              />{' '}
              {t('inbox.selectAll')}
            </label>
          </div>
          {checked.size > 0 && (
            <div className="bulkbar" role="toolbar" aria-label={t('inbox.bulk.label')}>
              <span>{t('inbox.bulk.selected', { count: checked.size })}</span>
              <button type="button" onClick={() => bulk('read')}>{t('inbox.bulk.markRead')}</button>
              <button type="button" onClick={() => bulk('unread')}>{t('inbox.bulk.markUnread')}</button>
              <button type="button" onClick={() => bulk('close')}>{t('inbox.bulk.close')}</button>
              <button type="button" className="secondary" onClick={() => setChecked(new Set())}>{t('inbox.bulk.clear')}</button>
            </div>
          )}
          <section className="panes">
            <ConversationList filters={filters} selected={selected} onSelect={(id) => update({ selected: id }, true)} checked={checked} onCheck={setChecked} onVisible={setVisible} />
            {selected ? (
              <ThreadView key={selected} id={selected} me={me} typing={typing.filter((x) => x.conversationId === selected)} users={(users.data?.items ?? []) as { id: string; name: string }[]} inboxes={(inboxes.data?.items ?? []) as { id: string; name: string }[]} onBack={() => update({ selected: null })} />
            ) : (
              <section className="thread empty">{t('inbox.selectOne')}</section>
            )}
          </section>
        </>
      )}
      {undo && (
        <div className="toast" role="status">
          {undo.text}
          <button type="button" onClick={() => void undo.run()}>{t('inbox.undo')}</button>
        </div>
      )}
      {simulating && <SimulatePatient me={me} onClose={() => setSimulating(false)} />}
      {composing && (
        <NewConversation
          me={me}
          onClose={() => setComposing(false)}
          onStarted={(id) => {
            setComposing(false);
            update({ selected: id }, true);
          }}
        />
      )}
    </main>
  );
}

function FilterSelect(props: { name: string; label: string; value: string; onChange: (v: string) => void; options: [string, string][]; emptyLabel?: string; allowEmpty?: boolean }) {
  const id = `filter-${props.name}`;
  return (
    <span className="filter">
      <label htmlFor={id} className="visually-hidden">
        {props.label}
      </label>
      <select id={id} value={props.value} onChange={(e) => props.onChange(e.target.value)}>
        {props.allowEmpty && <option value="">{props.emptyLabel}</option>}
        {props.options.map(([value, label]) => (
          <option key={value} value={value}>
            {label}
          </option>
        ))}
      </select>
    </span>
  );
}
