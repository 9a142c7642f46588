import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { showStaffNotification } from './notifications/show';
import { keys } from './queryKeys';

export interface Typing {
  conversationId: string;
  name: string;
  until: number;
}

/**
 * B1: one EventSource per screen. Change events refresh what they touch. The browser reconnects on
 * its own, sending the last event's id (I19): the server then replays what was missed, or sends
 * `resync` when it cannot (too long away), and that refetches everything, as does a reconnect the
 * server could not resume — so nothing missed stays missed.
 */
export function useLive(enabled: boolean) {
  const queryClient = useQueryClient();
  const [unread, setUnread] = useState<number | null>(null);
  const [typing, setTyping] = useState<Typing[]>([]);
  const connectedOnce = useRef(false);

  useEffect(() => {
    if (!enabled) return;
    const source = new EventSource('/api/v1/events');
    const refreshAll = () => void queryClient.invalidateQueries();
    source.addEventListener('ready', (e) => {
      const { resumed } = JSON.parse((e as MessageEvent).data) as { resumed?: boolean };
      if (connectedOnce.current && !resumed) refreshAll();
      connectedOnce.current = true;
    });
    source.addEventListener('resync', refreshAll);
    source.addEventListener('unread.count', (e) => setUnread(JSON.parse((e as MessageEvent).data).unread));
    const changed = (e: Event) => {
      const data = JSON.parse((e as MessageEvent).data) as { conversationId: string };
      void queryClient.invalidateQueries({ queryKey: keys.conversations.all });
      void queryClient.invalidateQueries({ queryKey: keys.conversation(data.conversationId) });
      setTyping((list) => list.filter((t) => t.conversationId !== data.conversationId || e.type !== 'message.created'));
    };
    for (const type of ['message.created', 'message.status', 'conversation.updated']) source.addEventListener(type, changed);
    source.addEventListener('notification', (e) => showStaffNotification(JSON.parse((e as MessageEvent).data)));
    source.addEventListener('conversation.typing', (e) => {
      const data = JSON.parse((e as MessageEvent).data) as { conversationId: string; user: { name: string } };
      setTyping((list) => [...list.filter((t) => t.conversationId !== data.conversationId || t.name !== data.user.name), { conversationId: data.conversationId, name: data.user.name, until: Date.now() + 6000 }]);
    });
    const sweep = setInterval(() => setTyping((list) => (list.some((t) => t.until < Date.now()) ? list.filter((t) => t.until >= Date.now()) : list)), 1000);
    return () => {
      clearInterval(sweep);
      source.close();
    };
  }, [enabled, queryClient]);

  return { unread, typing };
}
