import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { api } from '../shared/api';
import { phone, shortWhen, when } from '../shared/format';
import { channelLabel, channelShort, initials, listQuery, type Filters } from '../shared/logic';
import { RowMenu, rowActions, rowContextActions, type MenuItem } from './RowMenu';
import type { ConversationItem, Page } from '../shared/types';
import { refusalSentence } from '../shared/errors';
import { keys } from '../shared/queryKeys';

const rowHeight = 68;

export function ConversationList(props: {
  filters: Filters;
  selected: string | null;
  onSelect: (id: string) => void;
  checked: Set<string>;
  onCheck: (next: Set<string>) => void;
  onVisible: (items: ConversationItem[]) => void;
}) {
  const { t } = useTranslation('staff');
  const { filters } = props;
  const pinned = useQuery({ queryKey: keys.conversations.list(filters, 'pinned'), queryFn: () => api<Page<ConversationItem>>(listQuery(filters, 'pinned')) });
  const rest = useInfiniteQuery({
    queryKey: keys.conversations.list(filters, 'rest'),
    queryFn: ({ pageParam }) => api<Page<ConversationItem>>(listQuery(filters, 'rest', pageParam)),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const items = useMemo(() => [...(pinned.data?.items ?? []), ...(rest.data?.pages.flatMap((p) => p.items) ?? [])], [pinned.data, rest.data]);
  const { onVisible } = props;
  useEffect(() => {
    onVisible(items);
  }, [items, onVisible]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => scroller.current, estimateSize: () => rowHeight, overscan: 8 });
  const rows = virtualizer.getVirtualItems();
  const last = rows[rows.length - 1];
  useEffect(() => {
    if (last && last.index >= items.length - 10 && rest.hasNextPage && !rest.isFetchingNextPage) void rest.fetchNextPage();
  }, [last, items.length, rest]);

  const [menu, setMenu] = useState<{ label: string; at: { x: number; y: number }; items: MenuItem[] } | null>(null);
  const closeMenu = useCallback(() => setMenu(null), []);

  const toggle = (id: string) => {
    const next = new Set(props.checked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    props.onCheck(next);
  };

  if (rest.isError) return <div className="list empty" role="alert">{refusalSentence(rest.error)}</div>;
  return (
    <div className="list" ref={scroller} aria-label={t('list.label')} role="list">
      {!rest.isLoading && items.length === 0 && <p className="empty">{t('list.empty')}</p>}
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {rows.map((row) => {
          const c = items[row.index]!;
          return (
            <div
              key={c.id}
              role="listitem"
              className={`row${c.unread ? ' unread' : ''}${c.id === props.selected ? ' active' : ''}`}
              style={{ position: 'absolute', top: 0, left: 0, right: 0, height: rowHeight, transform: `translateY(${row.start}px)` }}
              onContextMenu={(e) => {
                e.preventDefault();
                setMenu({ label: t('list.contextMenu', { name: c.contact.name }), at: { x: e.clientX, y: e.clientY }, items: rowContextActions(c) });
              }}
            >
              <input type="checkbox" aria-label={t('list.select', { name: c.contact.name })} checked={props.checked.has(c.id)} onChange={() => toggle(c.id)} />
              <button type="button" className="row-main" onClick={() => props.onSelect(c.id)} aria-current={c.id === props.selected}>
                <span className="row-top">
                  <span className="name">
                    {c.pinned && <span className="pill pinned" aria-hidden>{t('list.pinnedPill')}</span>}
                    {c.muted && <span className="pill muted" aria-hidden title={t('list.mutedHint')}>{t('list.mutedPill')}</span>}
                    <span className={`pill ${c.channel}`} aria-hidden title={channelLabel(c.channel)}>{channelShort(c.channel)}</span>
                    {c.contact.name}
                    <span className="visually-hidden">{['', channelLabel(c.channel), c.unread && t('list.unread'), c.pinned && t('thread.tags.pinned'), c.muted && t('thread.tags.muted')].filter((x) => x !== false).join(', ')}</span>
                    {c.contact.type === 'lead' && <span className="tag"><span className="visually-hidden"> · </span>{t('list.lead')}</span>}
                    {c.overdue && <span className="tag overdue" title={t('list.overdueHint', { since: when(c.awaitingSince!, c.clinicId), due: when(c.replyDueAt!, c.clinicId) })}><span className="visually-hidden"> · </span>{t('list.overdue')}</span>}
                  </span>
                  <time dateTime={c.lastActivityAt}>{shortWhen(c.lastActivityAt, c.clinicId)}</time>
                </span>
                <span className="row-bottom">
                  <span className="preview">
                    {c.subject && <strong className="subject">{c.subject} · </strong>}
                    {c.lastMessage?.direction === 'outbound' && c.lastMessage.senderName ? t('list.previewBy', { name: c.lastMessage.senderName, preview: c.lastMessage.preview ?? '' }) : (c.lastMessage?.preview ?? '')}
                  </span>
                  {c.assignee && (
                    <span className="avatar" title={t('thread.assignedTo', { name: c.assignee.name })}>
                      {initials(c.assignee.name)}
                    </span>
                  )}
                </span>
              </button>
              <button
                type="button"
                className="row-more secondary"
                aria-label={t('list.more', { name: c.contact.name })}
                aria-haspopup="menu"
                onClick={(e) => {
                  const r = e.currentTarget.getBoundingClientRect();
                  setMenu({ label: t('list.actions', { name: c.contact.name }), at: { x: r.left - 150, y: r.bottom }, items: rowActions(c) });
                }}
              >
                ⋯
              </button>
            </div>
          );
        })}
      </div>
      {menu && <RowMenu label={menu.label} at={menu.at} items={menu.items} onClose={closeMenu} />}
    </div>
  );
}
