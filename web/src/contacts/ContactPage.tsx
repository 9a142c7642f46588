import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post } from '../shared/api';
import { phone, shortWhen, when } from '../shared/format';
import { channelLabels } from '../shared/logic';
import type { Booking, ConversationItem, Me, Message } from '../shared/types';
import { MessageFiles } from '../shared/MessageFiles';
import { PlanLockOr } from '../shared/PlanLock';
import { refusalSentence } from '../shared/errors';
import { keys } from '../shared/queryKeys';

/** C3: a patient's details, private notes and the history of their conversations, on one page. */
export function ContactPage({ id, me }: { id: string; me: Me }) {
  const queryClient = useQueryClient();
  const contact = useQuery({ queryKey: keys.contact(id), queryFn: () => api(`/api/v1/contacts/${id}`) });
  const [error, setError] = useState<string | null>(null);
  const [invite, setInvite] = useState<{ inviteUrl: string; emailed: boolean } | null>(null);
  async function invitePatient() {
    setError(null);
    try {
      setInvite(await post(`/api/v1/contacts/${id}/portal-invitation`));
    } catch (err) {
      setError(refusalSentence(err));
    }
  }
  async function addNote(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    try {
      await post(`/api/v1/contacts/${id}/notes`, { body: new FormData(form).get('body') });
      form.reset();
      await queryClient.invalidateQueries({ queryKey: keys.contact(id) });
    } catch (err) {
      setError(refusalSentence(err));
    }
  }
  if (contact.isLoading) return <p className="loading">Loading…</p>;
  if (contact.isError) return <PlanLockOr error={contact.error as Error} />;
  const c = contact.data;
  return (
    <main className="contact-page">
      <section aria-labelledby="contact-name">
        <h1 id="contact-name">{c.name}</h1>
        <p className="sub">{c.type === 'lead' ? 'Lead' : 'Patient'}{c.blocked ? ' · blocked' : ''}</p>
        <dl className="facts">
          <dt>Phone</dt><dd>{c.phone ? phone(c.phone) : '—'}</dd>
          <dt>Email</dt>
          <dd>
            {c.email ?? '—'}
            {c.emailBounce && <span className="failure"> · mail to this address comes back undelivered ({c.emailBounce.reason}); correct the address to clear this</span>}
          </dd>
          <dt>Date of birth</dt><dd>{c.dateOfBirth ?? '—'}</dd>
          <dt>Can be reached by</dt><dd>{c.availableChannels.map((ch: keyof typeof channelLabels) => channelLabels[ch]).join(', ') || '—'}</dd>
          <dt>Opted out of</dt><dd>{Object.entries(c.optedOut).filter(([, v]) => v).map(([k]) => k.toUpperCase()).join(', ') || 'nothing'}</dd>
          <dt>Patient portal</dt>
          <dd>
            {c.portalAccount ? (c.chatOptIn ? 'Account, chat on' : 'Account, chat off') : 'No account'}{' '}
            {c.email && !c.blocked && <button type="button" className="secondary" onClick={invitePatient}>{c.portalAccount ? 'Send a new portal link' : 'Invite to the portal'}</button>}
          </dd>
        </dl>
        {invite && (
          <p className="notice" role="status">
            {invite.emailed ? 'Invitation emailed. ' : 'The email could not be sent; give the patient this link. '}
            It works once, for 7 days: <code>{invite.inviteUrl}</code>
          </p>
        )}
        {error && !me.privileges.includes('contacts') && <p className="error" role="alert">{error}</p>}
        {(me.role === 'admin' || me.role === 'main_admin') && (
          <p>
            Patient's record (right of access): <a href={`/api/v1/contacts/${c.id}/record`} download>JSON</a> ·{' '}
            <a href={`/api/v1/contacts/${c.id}/record?format=fhir`} download>FHIR bundle</a>
          </p>
        )}
      </section>
      <section aria-labelledby="bookings-title">
        <h2 id="bookings-title">Bookings</h2>
        {c.bookings.length === 0 ? <p className="sub">No bookings yet.</p> : (
          <ul>
            {c.bookings.map((b: Booking) => (
              <li key={b.id}>{when(b.startsAt, b.clinicId)} <span className="sub">· {b.source === 'integration' ? 'from the practice system' : 'recorded by staff'}{b.conversationId ? ' · from a conversation' : ''}{b.notes ? ` · ${b.notes}` : ''}</span></li>
            ))}
          </ul>
        )}
      </section>
      {me.privileges.includes('contacts') && (
        <section aria-labelledby="notes-title">
          <h2 id="notes-title">Private notes</h2>
          <p className="sub">Seen by the clinic's staff only, never by the patient.</p>
          {error && <p className="error" role="alert">{error}</p>}
          <ul>{c.notes.map((n: { id: string; body: string; author: { name: string }; createdAt: string }) => <li key={n.id}>{n.body} <span className="sub">— {n.author.name}, {shortWhen(n.createdAt)}</span></li>)}</ul>
          <form className="inline-form" onSubmit={addNote}>
            <label className="grow">Add a note <input name="body" required /></label>
            <button type="submit">Save note</button>
          </form>
        </section>
      )}
      <section aria-labelledby="threads-title">
        <h2 id="threads-title">Conversations</h2>
        <ul>
          {c.conversations.map((t: ConversationItem) => (
            <li key={t.id}><a href={`/?status=all&c=${t.id}`}>{channelLabels[t.channel]} · {t.status}{t.archived ? ' · archived' : ''} · {shortWhen(t.lastActivityAt)}</a> — {t.lastMessage?.preview}</li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">Recent messages and calls</h2>
        <ul>
          {c.messages.map((m: Message) => (
            <li key={m.id}><span className="sub">{shortWhen(m.createdAt)} · {channelLabels[m.channel]} · {m.sender.name}:</span> {m.body}<MessageFiles files={m.attachments} /></li>
          ))}
        </ul>
      </section>
    </main>
  );
}
