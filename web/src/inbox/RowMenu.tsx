import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { post } from '../shared/api';
import { i18next } from '../shared/i18n';
import type { ConversationItem } from '../shared/types';

export interface MenuItem {
  label: string;
  run: () => Promise<unknown>;
}

/** Seed 002: a row's three-dot menu — Mark as unread, Close conversation. */
export function rowActions(c: ConversationItem): MenuItem[] {
  const base = `/api/v1/conversations/${c.id}`;
  return [
    c.unread ? { label: i18next.t('staff:rowMenu.markRead'), run: () => post(`${base}/read`) } : { label: i18next.t('staff:rowMenu.markUnread'), run: () => post(`${base}/unread`) },
    c.status === 'open' ? { label: i18next.t('staff:rowMenu.close'), run: () => post(`${base}/close`) } : { label: i18next.t('staff:rowMenu.reopen'), run: () => post(`${base}/reopen`) },
  ];
}

/** Seed 003: right-click on a row — Pin and Mute, for you alone. */
export function rowContextActions(c: ConversationItem): MenuItem[] {
  const base = `/api/v1/conversations/${c.id}`;
  return [
    { label: c.pinned ? i18next.t('staff:actions.unpin') : i18next.t('staff:rowMenu.pin'), run: () => post(`${base}/${c.pinned ? 'unpin' : 'pin'}`) },
    { label: c.muted ? i18next.t('staff:actions.unmute') : i18next.t('staff:rowMenu.mute'), run: () => post(`${base}/${c.muted ? 'unmute' : 'mute'}`) },
  ];
}

/**
 * A small menu at a point on screen (fixed, so the list's scrolling box does not clip it): arrow
 * keys move, Escape or a click elsewhere closes it and focus goes back to what opened it.
 */
export function RowMenu({ label, at, items, onClose }: { label: string; at: { x: number; y: number }; items: MenuItem[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const opener = document.activeElement as HTMLElement | null;
    ref.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    const away = (e: PointerEvent) => {
      if (!ref.current?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', away);
    return () => {
      document.removeEventListener('pointerdown', away);
      opener?.focus();
    };
  }, [onClose]);

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>) {
    const buttons = [...(ref.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      onClose();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      buttons[(index + (e.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
    }
  }

  async function choose(item: MenuItem) {
    onClose();
    await item.run();
    await queryClient.invalidateQueries({ queryKey: ['conversations'] });
    await queryClient.invalidateQueries({ queryKey: ['thread'] });
  }

  return (
    <div ref={ref} className="row-menu" role="menu" aria-label={label} style={{ left: Math.min(at.x, window.innerWidth - 200), top: Math.min(at.y, window.innerHeight - 120) }} onKeyDown={onKeyDown}>
      {items.map((item) => (
        <button key={item.label} type="button" role="menuitem" className="secondary" onClick={() => void choose(item)}>
          {item.label}
        </button>
      ))}
    </div>
  );
}
