import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { api, ApiError, post } from '../shared/api';
import { EmergencyAccess } from './Emergency';
import { MessageBubble } from '../shared/MessageBubble';
import { Composer } from './Composer';
import { ThreadActionsMenu } from './ThreadActionsMenu';
import { phone, when } from '../shared/format';
import { BlockedState, optedOutNames } from './ContactState';
import type { Me, Thread } from '../shared/types';
import type { Typing } from '../shared/useLive';
import { refusalSentence } from '../shared/errors';
import { keys } from '../shared/queryKeys';

export function ThreadView({ id, me, typing, users, inboxes, onBack }: { id: string; me: Me; typing: Typing[]; users: { id: string; name: string }[]; inboxes: { id: string; name: string }[]; onBack: () => void }) {
  const queryClient = useQueryClient();
  const thread = useQuery({ queryKey: keys.conversation(id), queryFn: () => api<Thread>(`/api/v1/conversations/${id}?limit=500`) });
  const [error, setError] = useState<string | null>(null);
  const [loggingCall, setLoggingCall] = useState(false);
  const [booking, setBooking] = useState(false);
  const markedRead = useRef(false);
  const bottom = useRef<HTMLLIElement>(null);

  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.conversation(id) }), queryClient.invalidateQueries({ queryKey: keys.conversations.all })]);
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

  if (thread.isLoading) return <section className="thread empty">Loading…</section>;
  if (thread.isError) {
    const refused = thread.error instanceof ApiError && thread.error.status === 403;
    if (refused && (me.role === 'admin' || me.role === 'main_admin')) return <EmergencyAccess id={id} refusal={thread.error.message} />;
    return <section className="thread empty" role="alert">{refusalSentence(thread.error)}</section>;
  }
  const t = thread.data!;
  const base = `/api/v1/conversations/${id}`;

  return (
    <section className="thread" aria-label={`Conversation with ${t.contact.name}`}>
      <div className="thread-head">
        <button type="button" className="secondary back" onClick={onBack} aria-label="Back to conversations">
          <span aria-hidden="true">‹</span>
        </button>
        <div className="thread-title">
          <h2>{t.contact.name}</h2>
          {t.subject && <p className="subject">Subject: {t.subject}</p>}
          <a className="sub profile-link" href={`/contacts/${t.contact.id}`} target="_blank" rel="noreferrer">Open profile in a new tab</a>{' '}
          <span className="sub">
            {[phone(t.contact.phone), t.contact.email].filter(Boolean).join(' · ')} · {t.status}
            {t.archived ? ' · archived' : ''}
            {t.contact.blocked ? ' · blocked' : ''}
            {optedOutNames(t.optedOut).map((c) => ` · opted out of ${c}`).join('')}
            {t.spam ? ' · marked as spam' : ''}
          </span>
          <p className="sub assignment">
            <span>{t.assignee ? `Assigned to ${t.assignee.name}` : 'Unassigned'}</span>
            {inboxes.length > 1 && ` · ${inboxes.find((i) => i.id === t.inboxId)?.name ?? ''}`}
            {t.muted ? ' · muted' : ''}
            {t.pinned ? ' · pinned' : ''}
          </p>
          {t.bookings.length > 0 && (
            <p className="sub booked">
              Booked: {t.bookings.map((b) => when(b.startsAt, t.clinicId)).join(', ')}
            </p>
          )}
        </div>
        <div className="actions">
          <button type="button" className="read-toggle" onClick={() => act(`${base}/${t.unread ? 'read' : 'unread'}`)}>{t.unread ? 'Mark read' : 'Mark unread'}</button>
          <button type="button" onClick={() => act(`${base}/${t.status === 'open' ? 'close' : 'reopen'}`)}>{t.status === 'open' ? 'Close' : 'Reopen'}</button>
          <ThreadActionsMenu thread={t} me={me} users={users} inboxes={inboxes} act={act} onLogCall={() => setLoggingCall((v) => !v)} onBooking={() => setBooking((v) => !v)} />
        </div>
      </div>
      {t.contact.blocked && <BlockedState name={t.contact.name} onUnblock={() => act(`/api/v1/contacts/${t.contact.id}/unblock`)} />}
      {error && <p className="error" role="alert">{error}</p>}
      {loggingCall && <CallForm onDone={() => setLoggingCall(false)} onSubmit={(body) => act(`${base}/calls`, body)} />}
      {booking && <BookingForm onDone={() => setBooking(false)} onSubmit={(body) => act(`${base}/bookings`, body)} />}
      <ol className="messages" aria-label="Messages">
        {t.messages.map((m) => (
          <MessageBubble
            key={m.id}
            m={m}
            clinicId={t.clinicId}
            onStar={() => act(`/api/v1/messages/${m.id}/${m.starred ? 'unstar' : 'star'}`)}
            onRetract={m.sender.id === me.user.id || me.role === 'admin' || me.role === 'main_admin' ? (body) => act(`/api/v1/messages/${m.id}/retract`, body) : undefined}
          />
        ))}
        <li ref={bottom} aria-hidden="true" className="end" />
      </ol>
      {typing.length > 0 && (
        <p className="typing" role="status">
          {typing.map((x) => x.name).join(', ')} {typing.length > 1 ? 'are' : 'is'} replying…
        </p>
      )}
      {t.contact.emailBounce && t.contact.email && (
        <p className="notice" role="note">
          Emails to {t.contact.email} are coming back undelivered ({t.contact.emailBounce}). Another email will probably not arrive: check the address with{' '}
          {t.contact.name}, or text or call instead.
        </p>
      )}
      {!t.contact.blocked && <Composer thread={t} staffName={me.user.name} onSent={refresh} />}
    </section>
  );
}

function CallForm({ onSubmit, onDone }: { onSubmit: (body: unknown) => Promise<void>; onDone: () => void }) {
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
    <form className="callform" onSubmit={submit} aria-label="Log a call">
      <label>When <input type="datetime-local" name="startedAt" defaultValue={now} required /></label>
      <label>Minutes <input type="number" name="minutes" min="0" step="0.5" defaultValue="5" required /></label>
      <label>Direction <select name="direction"><option value="inbound">Incoming</option><option value="outbound">Outgoing</option></select></label>
      <label className="grow">Summary <input name="notes" required placeholder="What was discussed" /></label>
      <button type="submit">Save call</button>
    </form>
  );
}

/** P3: staff record the appointment this conversation led to. */
function BookingForm({ onSubmit, onDone }: { onSubmit: (body: unknown) => Promise<void>; onDone: () => void }) {
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    await onSubmit({ startsAt: new Date(String(f.get('startsAt'))).toISOString(), notes: String(f.get('notes') || '') || undefined });
    onDone();
  }
  return (
    <form className="callform" onSubmit={submit} aria-label="Record a booking">
      <label>Appointment <input type="datetime-local" name="startsAt" required /></label>
      <label className="grow">Notes <input name="notes" placeholder="Cleaning, new patient exam…" /></label>
      <button type="submit">Save booking</button>
    </form>
  );
}
