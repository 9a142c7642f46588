import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, post } from '../shared/api';
import { MessageBubble } from '../shared/MessageBubble';
import type { ConversationItem, Message } from '../shared/types';
import { refusalSentence } from '../shared/errors';
import { when } from '../shared/format';

/** Break the glass: an admin refused a thread may open it read-only by giving a reason another admin reviews. */
export function EmergencyAccess({ id, refusal }: { id: string; refusal: string }) {
  const { t } = useTranslation('staff');
  const [opened, setOpened] = useState<{ conversation: ConversationItem; messages: Message[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function open(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      setOpened(await post(`/api/v1/conversations/${id}/emergency-access`, { reason: new FormData(e.currentTarget).get('reason') }));
    } catch (err) {
      setError(refusalSentence(err));
    }
  }

  if (opened) {
    return (
      <section className="thread" aria-label={t('emergency.threadLabel')}>
        <header className="thread-head">
          <h2>{opened.conversation.contact.name}</h2>
          <p className="notice" role="status">
            {t('emergency.readOnly')}
          </p>
        </header>
        <ol className="messages" aria-label={t('thread.messages')}>
          {opened.messages.map((m) => (
            <MessageBubble key={m.id} m={m} onStar={() => {}} />
          ))}
        </ol>
      </section>
    );
  }
  return (
    <section className="thread empty">
      <p role="alert">{refusal}</p>
      <form onSubmit={open} className="emergency">
        <h2>{t('emergency.title')}</h2>
        <p>{t('emergency.intro')}</p>
        <label>
          {t('emergency.reason')}
          <textarea name="reason" minLength={10} maxLength={1000} required />
        </label>
        <button type="submit">{t('emergency.open')}</button>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </section>
  );
}

interface Opening {
  id: string;
  conversationId: string;
  openedBy: { id: string; name: string };
  reason: string;
  openedAt: string;
  reviewedAt: string | null;
  reviewedBy: { id: string; name: string } | null;
  reviewNote: string | null;
}

/** Settings → Emergency access: openings waiting for review, and the reviewed ones. */
export function EmergencyReview({ myId }: { myId: string }) {
  const { t } = useTranslation('staff');
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: ['emergency-access'], queryFn: () => api<{ items: Opening[] }>('/api/v1/emergency-access') });
  const [error, setError] = useState<string | null>(null);
  const review = async (id: string) => {
    setError(null);
    try {
      await post(`/api/v1/emergency-access/${id}/review`, {});
      await queryClient.invalidateQueries({ queryKey: ['emergency-access'] });
    } catch (e) {
      setError(refusalSentence(e));
    }
  };
  return (
    <>
      <h2>{t('emergency.title')}</h2>
      <p>{t('emergency.reviewIntro')}</p>
      {list.data?.items.length === 0 && <p>{t('emergency.none')}</p>}
      <ul className="rows" aria-label={t('emergency.openings')}>
        {list.data?.items.map((o) => (
          <li key={o.id}>
            <strong>{o.openedBy.name}</strong> · <time dateTime={o.openedAt}>{when(o.openedAt)}</time> · <a href={`/?c=${o.conversationId}`}>{t('emergency.conversation')}</a>
            <p>{o.reason}</p>
            {o.reviewedAt ? (
              <p>
                {o.reviewNote ? t('emergency.reviewedNote', { name: o.reviewedBy?.name, note: o.reviewNote }) : t('emergency.reviewed', { name: o.reviewedBy?.name })}
              </p>
            ) : o.openedBy.id === myId ? (
              <p>{t('emergency.waiting')}</p>
            ) : (
              <button type="button" onClick={() => void review(o.id)}>
                {t('emergency.markReviewed')}
              </button>
            )}
          </li>
        ))}
      </ul>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}
