import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type KeyboardEvent } from 'react';
import { post } from '../shared/api';
import { i18next } from '../shared/i18n';
import type { ConversationItem } from '../shared/types';
import { keys } from '../shared/queryKeys';

export interface MenuItem {
  label: string;
  /** The conversation the action changes: its thread and the lists are refreshed, nothing else. */
  conversationId: string;
  run: () => Promise<unknown>;
}

const action = (c: ConversationItem, label: string, verb: string): MenuItem => ({ label, conversationId: c.id, run: () => post(`/api/v1/conversations/${c.id}/${verb}`) });

/** Seed 002: a row's three-dot menu — Mark as unread, Close conversation. */
export function rowActions(c: ConversationItem): MenuItem[] {
  return [
    c.unread ? action(c, i18next.t('staff:rowMenu.markRead'), 'read') : action(c, i18next.t('staff:rowMenu.markUnread'), 'unread'),
    c.status === 'open' ? action(c, i18next.t('staff:rowMenu.close'), 'close') : action(c, i18next.t('staff:rowMenu.reopen'), 'reopen'),
  ];
}

/** Seed 003: right-click on a row — Pin and Mute, for you alone. */
export function rowContextActions(c: ConversationItem): MenuItem[] {
  return [
    action(c, c.pinned ? i18next.t('staff:actions.unpin') : i18next.t('staff:rowMenu.pin'), c.pinned ? 'unpin' : 'pin'),
    action(c, c.muted ? i18next.t('staff:actions.unmute') : i18next.t('staff:rowMenu.mute'), c.muted ? 'unmute' : 'mute'),
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
    await Promise.all([queryClient.invalidateQueries({ queryKey: keys.conversations.all }), queryClient.invalidateQueries({ queryKey: keys.conversation(item.conversationId) })]);
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
