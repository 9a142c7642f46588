import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, post } from '../shared/api';
import { locale, phone, shortWhen, when } from '../shared/format';
import { channelLabel } from '../shared/logic';
import type { Booking, Channel, ConversationItem, Me, Message } from '../shared/types';
import { MessageFiles } from '../shared/MessageFiles';
import { PlanLockOr } from '../shared/PlanLock';
import { refusalSentence } from '../shared/errors';

/** C3: a patient's details, private notes and the history of their conversations, on one page. */
export function ContactPage({ id, me }: { id: string; me: Me }) {
  const { t } = useTranslation('staff');
  const list = (items: string[]) => new Intl.ListFormat(locale(), { type: 'conjunction' }).format(items);
  const queryClient = useQueryClient();
  const contact = useQuery({ queryKey: ['contact', id], queryFn: () => api(`/api/v1/contacts/${id}`) });
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
      await queryClient.invalidateQueries({ queryKey: ['contact', id] });
    } catch (err) {
      setError(refusalSentence(err));
    }
  }
  if (contact.isLoading) return <p className="loading">{t('app.loading')}</p>;
  if (contact.isError) return <PlanLockOr error={contact.error as Error} />;
  const c = contact.data;
  return (
    <main className="contact-page">
      <section aria-labelledby="contact-name">
        <h1 id="contact-name">{c.name}</h1>
        <p className="sub">{[c.type === 'lead' ? t('contacts.lead') : t('contacts.patient'), c.blocked && t('thread.tags.blocked')].filter(Boolean).join(' · ')}</p>
        <dl className="facts">
          <dt>{t('contacts.phone')}</dt><dd>{c.phone ? phone(c.phone) : '—'}</dd>
          <dt>{t('contacts.email')}</dt>
          <dd>
            {c.email ?? '—'}
            {c.emailBounce && <span className="failure"> · {t('contact.bounce', { reason: c.emailBounce.reason })}</span>}
          </dd>
          <dt>{t('contact.dateOfBirth')}</dt><dd>{c.dateOfBirth ?? '—'}</dd>
          <dt>{t('contact.reachable')}</dt><dd>{list(c.availableChannels.map((ch: Channel) => channelLabel(ch))) || '—'}</dd>
          <dt>{t('contact.optedOut')}</dt><dd>{list(Object.entries(c.optedOut).filter(([, v]) => v).map(([k]) => k.toUpperCase())) || t('contact.nothing')}</dd>
          <dt>{t('contact.portal')}</dt>
          <dd>
            {c.portalAccount ? (c.chatOptIn ? t('contact.chatOn') : t('contact.chatOff')) : t('contact.noAccount')}{' '}
            {c.email && !c.blocked && <button type="button" className="secondary" onClick={invitePatient}>{c.portalAccount ? t('contact.newLink') : t('contact.invite')}</button>}
          </dd>
        </dl>
        {invite && (
          <p className="notice" role="status">
            {invite.emailed ? t('contact.invited') : t('contact.notEmailed')} {t('contact.once')} <code>{invite.inviteUrl}</code>
          </p>
        )}
        {error && !me.privileges.includes('contacts') && <p className="error" role="alert">{error}</p>}
        {(me.role === 'admin' || me.role === 'main_admin') && (
          <p>
            {t('contact.record')} <a href={`/api/v1/contacts/${c.id}/record`} download>JSON</a> ·{' '}
            <a href={`/api/v1/contacts/${c.id}/record?format=fhir`} download>{t('contact.fhir')}</a>
          </p>
        )}
      </section>
      <section aria-labelledby="bookings-title">
        <h2 id="bookings-title">{t('contact.bookings')}</h2>
        {c.bookings.length === 0 ? <p className="sub">{t('contact.noBookings')}</p> : (
          <ul>
            {c.bookings.map((b: Booking) => (
              <li key={b.id}>{when(b.startsAt, b.clinicId)} <span className="sub">{[b.source === 'integration' ? t('contact.fromSystem') : t('contact.byStaff'), b.conversationId ? t('contact.fromConversation') : null, b.notes].filter(Boolean).map((x) => ` · ${x}`).join('')}</span></li>
            ))}
          </ul>
        )}
      </section>
      {me.privileges.includes('contacts') && (
        <section aria-labelledby="notes-title">
          <h2 id="notes-title">{t('contact.notes')}</h2>
          <p className="sub">{t('contact.notesHint')}</p>
          {error && <p className="error" role="alert">{error}</p>}
          <ul>{c.notes.map((n: { id: string; body: string; author: { name: string }; createdAt: string }) => <li key={n.id}>{n.body} <span className="sub">{t('contact.noteBy', { name: n.author.name, when: shortWhen(n.createdAt) })}</span></li>)}</ul>
          <form className="inline-form" onSubmit={addNote}>
            <label className="grow">{t('contact.addNote')} <input name="body" required /></label>
            <button type="submit">{t('contact.saveNote')}</button>
          </form>
        </section>
      )}
      <section aria-labelledby="threads-title">
        <h2 id="threads-title">{t('list.label')}</h2>
        <ul>
          {c.conversations.map((x: ConversationItem) => (
            <li key={x.id}><a href={`/?status=all&c=${x.id}`}>{[channelLabel(x.channel), t(`thread.status.${x.status}`), x.archived && t('thread.tags.archived'), shortWhen(x.lastActivityAt)].filter(Boolean).join(' · ')}</a> — {x.lastMessage?.preview}</li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('contact.history')}</h2>
        <ul>
          {c.messages.map((m: Message) => (
            <li key={m.id}><span className="sub">{shortWhen(m.createdAt)} · {channelLabel(m.channel)} · {m.sender.name}:</span> {m.body}<MessageFiles files={m.attachments} /></li>
          ))}
        </ul>
      </section>
    </main>
  );
}
