import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, ApiError, post } from '../shared/api';
import { EmergencyAccess } from './Emergency';
import { MessageBubble } from '../shared/MessageBubble';
import { Composer } from './Composer';
import { ThreadActionsMenu } from './ThreadActionsMenu';
import { locale, phone, when } from '../shared/format';
import { BlockedState, optedOutNames } from './ContactState';
import type { Me, Thread } from '../shared/types';
import type { Typing } from '../shared/useLive';
import { refusalSentence } from '../shared/errors';

export function ThreadView({ id, me, typing, users, inboxes, onBack }: { id: string; me: Me; typing: Typing[]; users: { id: string; name: string }[]; inboxes: { id: string; name: string }[]; onBack: () => void }) {
  const { t } = useTranslation('staff');
  const queryClient = useQueryClient();
  const thread = useQuery({ queryKey: ['thread', id], queryFn: () => api<Thread>(`/api/v1/conversations/${id}?limit=500`) });
  const [error, setError] = useState<string | null>(null);
  const [loggingCall, setLoggingCall] = useState(false);
  const [booking, setBooking] = useState(false);
  const markedRead = useRef(false);
  const bottom = useRef<HTMLLIElement>(null);

  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: ['thread', id] }), queryClient.invalidateQueries({ queryKey: ['conversations'] })]);
  const act = async (path: string, body?: unknown) => {
    setError(null);
    try {
      await post(path, body);
      await refresh();
    } catch (e) {
      setError(refusalSentence(e, { name: thread.data?.contact.name }));
    }
  };

  // Opening a thread reads it, once: a later "Mark unread" in the open thread must stick.
  useEffect(() => {
    if (!thread.data || markedRead.current) return;
    markedRead.current = true;
    if (thread.data.unread) void act(`/api/v1/conversations/${id}/read`);
  });
  useEffect(() => {
    bottom.current?.scrollIntoView({ block: 'end' });
  }, [thread.data?.messages.length]);

  if (thread.isLoading) return <section className="thread empty">{t('app.loading')}</section>;
  if (thread.isError) {
    const refused = thread.error instanceof ApiError && thread.error.status === 403;
    if (refused && (me.role === 'admin' || me.role === 'main_admin')) return <EmergencyAccess id={id} refusal={thread.error.message} />;
    return <section className="thread empty" role="alert">{refusalSentence(thread.error)}</section>;
  }
  const th = thread.data!;
  const base = `/api/v1/conversations/${id}`;

  return (
    <section className="thread" aria-label={t('thread.label', { name: th.contact.name })}>
      <div className="thread-head">
        <button type="button" className="secondary back" onClick={onBack} aria-label={t('thread.back')}>
          <span aria-hidden="true">‹</span>
        </button>
        <div className="thread-title">
          <h2>{th.contact.name}</h2>
          {th.subject && <p className="subject">{t('thread.subject', { subject: th.subject })}</p>}
          <a className="sub profile-link" href={`/contacts/${th.contact.id}`} target="_blank" rel="noreferrer">{t('thread.openProfile')}</a>{' '}
          <span className="sub">
            {[
              phone(th.contact.phone),
              th.contact.email,
              t(`thread.status.${th.status}`),
              th.archived && t('thread.tags.archived'),
              th.contact.blocked && t('thread.tags.blocked'),
              ...optedOutNames(th.optedOut).map((channel) => t('thread.tags.optedOut', { channel })),
              th.spam && t('thread.tags.spam'),
            ]
              .filter(Boolean)
              .join(' · ')}
          </span>
          <p className="sub assignment">
            <span>{th.assignee ? t('thread.assignedTo', { name: th.assignee.name }) : t('thread.unassigned')}</span>
            {[inboxes.length > 1 && (inboxes.find((i) => i.id === th.inboxId)?.name ?? ''), th.muted && t('thread.tags.muted'), th.pinned && t('thread.tags.pinned')]
              .filter(Boolean)
              .map((tag) => ` · ${tag}`)
              .join('')}
          </p>
          {th.bookings.length > 0 && (
            <p className="sub booked">
              {t('thread.booked', { times: new Intl.ListFormat(locale(), { type: 'conjunction' }).format(th.bookings.map((b) => when(b.startsAt, th.clinicId))) })}
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" className="read-toggle" onClick={() => act(`${base}/${th.unread ? 'read' : 'unread'}`)}>{th.unread ? t('inbox.bulk.markRead') : t('inbox.bulk.markUnread')}</button>
          <button type="button" onClick={() => act(`${base}/${th.status === 'open' ? 'close' : 'reopen'}`)}>{th.status === 'open' ? t('thread.close') : t('thread.reopen')}</button>
          <ThreadActionsMenu thread={th} me={me} users={users} inboxes={inboxes} act={act} onLogCall={() => setLoggingCall((v) => !v)} onBooking={() => setBooking((v) => !v)} />
        </div>
      </div>
      {th.contact.blocked && <BlockedState name={th.contact.name} onUnblock={() => act(`/api/v1/contacts/${th.contact.id}/unblock`)} />}
      {error && <p className="error" role="alert">{error}</p>}
      {loggingCall && <CallForm onDone={() => setLoggingCall(false)} onSubmit={(body) => act(`${base}/calls`, body)} />}
      {booking && <BookingForm onDone={() => setBooking(false)} onSubmit={(body) => act(`${base}/bookings`, body)} />}
      <ol className="messages" aria-label={t('thread.messages')}>
        {th.messages.map((m) => (
          <MessageBubble
            key={m.id}
            m={m}
            clinicId={th.clinicId}
            onStar={() => act(`/api/v1/messages/${m.id}/${m.starred ? 'unstar' : 'star'}`)}
            onRetract={m.sender.id === me.user.id || me.role === 'admin' || me.role === 'main_admin' ? (body) => act(`/api/v1/messages/${m.id}/retract`, body) : undefined}
          />
        ))}
        <li ref={bottom} aria-hidden="true" className="end" />
      </ol>
      {typing.length > 0 && (
        <p className="typing" role="status">
          {t('thread.typing', { count: typing.length, names: new Intl.ListFormat(locale(), { type: 'conjunction' }).format(typing.map((x) => x.name)) })}
        </p>
      )}
      {th.contact.emailBounce && th.contact.email && (
        <p className="notice" role="note">
          {t('thread.bounce', { email: th.contact.email, reason: th.contact.emailBounce, name: th.contact.name })}
        </p>
      )}
      {!th.contact.blocked && <Composer thread={th} staffName={me.user.name} onSent={refresh} />}
    </section>
  );
}

function CallForm({ onSubmit, onDone }: { onSubmit: (body: unknown) => Promise<void>; onDone: () => void }) {
  const { t } = useTranslation('staff');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await onSubmit({
      startedAt: new Date(String(f.get('startedAt'))).toISOString(),
      durationSeconds: Math.round(Number(f.get('minutes')) * 60),
      direction: f.get('direction'),
      notes: f.get('notes'),
    });
    onDone();
  }
  const now = new Date(Date.now() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  return (
    <form className="callform" onSubmit={submit} aria-label={t('thread.call.label')}>
      <label>{t('thread.call.when')} <input type="datetime-local" name="startedAt" defaultValue={now} required /></label>
      <label>{t('thread.call.minutes')} <input type="number" name="minutes" min="0" step="0.5" defaultValue="5" required /></label>
      <label>{t('thread.call.direction')} <select name="direction"><option value="inbound">{t('thread.call.incoming')}</option><option value="outbound">{t('thread.call.outgoing')}</option></select></label>
      <label className="grow">{t('thread.call.summary')} <input name="notes" required placeholder={t('thread.call.summaryHint')} /></label>
      <button type="submit">{t('thread.call.save')}</button>
    </form>
  );
}

/** P3: staff record the appointment this conversation led to. */
function BookingForm({ onSubmit, onDone }: { onSubmit: (body: unknown) => Promise<void>; onDone: () => void }) {
  const { t } = useTranslation('staff');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await onSubmit({ startsAt: new Date(String(f.get('startsAt'))).toISOString(), notes: String(f.get('notes') || '') || undefined });
    onDone();
  }
  return (
    <form className="callform" onSubmit={submit} aria-label={t('thread.booking.label')}>
      <label>{t('thread.booking.appointment')} <input type="datetime-local" name="startsAt" required /></label>
      <label className="grow">{t('thread.booking.notes')} <input name="notes" placeholder={t('thread.booking.notesHint')} /></label>
      <button type="submit">{t('thread.booking.save')}</button>
    </form>
  );
}
