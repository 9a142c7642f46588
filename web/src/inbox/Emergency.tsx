import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post } from '../shared/api';
import { MessageBubble } from '../shared/MessageBubble';
import type { ConversationItem, Message } from '../shared/types';
import { refusalSentence } from '../shared/errors';
import { when } from '../shared/format';
import { keys } from '../shared/queryKeys';

/** Break the glass: an admin refused a thread may open it read-only by giving a reason another admin reviews. */
export function EmergencyAccess({ id, refusal }: { id: string; refusal: string }) {
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
      <section className="thread" aria-label="Conversation (emergency access)">
        <header className="thread-head">
          <h2>{opened.conversation.contact.name}</h2>
          <p className="notice" role="status">
            Emergency access: read-only, recorded with your reason for review.
          </p>
        </header>
        <ol className="messages" aria-label="Messages">
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
        <h2>Emergency access</h2>
        <p>In an emergency you can open this conversation anyway. Your reason is recorded and another admin reviews it.</p>
        <label>
          Reason
          <textarea name="reason" minLength={10} maxLength={1000} required />
        </label>
        <button type="submit">Open in an emergency</button>
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
  const queryClient = useQueryClient();
  const list = useQuery({ queryKey: keys.emergencyAccess(), queryFn: () => api<{ items: Opening[] }>('/api/v1/emergency-access') });
  const [error, setError] = useState<string | null>(null);
  const review = async (id: string) => {
    setError(null);
    try {
      await post(`/api/v1/emergency-access/${id}/review`, {});
      await queryClient.invalidateQueries({ queryKey: keys.emergencyAccess() });
    } catch (e) {
      setError(refusalSentence(e));
    }
  };
  return (
    <>
      <h2>Emergency access</h2>
      <p>Every time an admin opened a conversation outside their normal access, with the reason they gave.</p>
      {list.data?.items.length === 0 && <p>No emergency openings.</p>}
      <ul className="rows" aria-label="Emergency openings">
        {list.data?.items.map((o) => (
          <li key={o.id}>
            <strong>{o.openedBy.name}</strong> · <time dateTime={o.openedAt}>{when(o.openedAt)}</time> · <a href={`/?c=${o.conversationId}`}>conversation</a>
            <p>{o.reason}</p>
            {o.reviewedAt ? (
              <p>
                Reviewed by {o.reviewedBy?.name} {o.reviewNote ? `: ${o.reviewNote}` : ''}
              </p>
            ) : o.openedBy.id === myId ? (
              <p>Waiting for another admin's review.</p>
            ) : (
              <button type="button" onClick={() => void review(o.id)}>
                Mark reviewed
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
