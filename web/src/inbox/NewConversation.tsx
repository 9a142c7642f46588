import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { i18next } from '../shared/i18n';
import { api, ApiError, post } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { channelLabel } from '../shared/logic';
import { Modal } from '../shared/Modal';
import type { Me } from '../shared/types';

type StartChannel = 'sms' | 'whatsapp' | 'email' | 'portal';

interface ContactHit {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  portalAccount: boolean;
  blocked: boolean;
  optedOut: { sms: boolean; email: boolean; whatsapp: boolean };
  /** M1, from the API: the channels a message to this contact can go out on. */
  availableChannels: string[];
}

/** The channels the dialog can start on (web replies exist only inside a guest's thread). */
const startChannels: StartChannel[] = ['sms', 'whatsapp', 'email', 'portal'];

function missingReason(contact: Pick<ContactHit, 'portalAccount'> | null, channel: StartChannel): string {
  switch (channel) {
    case 'sms':
    case 'whatsapp':
      return i18next.t('staff:newMessage.noPhone');
    case 'email':
      return i18next.t('staff:newMessage.noEmail');
    case 'portal':
      return contact?.portalAccount ? i18next.t('staff:newMessage.noPortalChat') : i18next.t('staff:newMessage.noPortal');
  }
}

/** Why each channel can or cannot reach the recipient: a sentence for the ones it cannot. */
function channelChoices(contact: ContactHit | null, typed: string): { channel: StartChannel; why: string | null }[] {
  const reachable = contact ? contact.availableChannels : typed.includes('@') ? ['email'] : typed ? ['sms', 'whatsapp'] : [];
  return startChannels.map((channel) => {
    if (!reachable.includes(channel)) return { channel, why: missingReason(contact, channel) };
    const optedOut = contact && channel !== 'portal' && contact.optedOut[channel];
    return { channel, why: optedOut ? i18next.t('staff:newMessage.optedOut', { name: contact.name }) : null };
  });
}

/** Start a conversation: pick a patient by name or phone, or type any number or email (a lead is made). */
export function NewConversation({ me, onClose, onStarted }: { me: Me; onClose: () => void; onStarted: (id: string) => void }) {
  const { t } = useTranslation('staff');
  const [q, setQ] = useState('');
  const [contact, setContact] = useState<ContactHit | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** T4: the patient's open thread a clinician was refused a second one beside. */
  const [existing, setExisting] = useState<string | null>(null);
  const matches = useQuery({ queryKey: ['contact-search', q], queryFn: () => api<{ items: ContactHit[] }>(`/api/v1/contacts?limit=8&q=${encodeURIComponent(q)}`), enabled: q.trim().length >= 2 && !contact });
  const choices = channelChoices(contact, q.trim());
  const possible = choices.filter((c) => !c.why);
  const [channel, setChannel] = useState<StartChannel | null>(null);
  const chosen = possible.find((c) => c.channel === channel)?.channel ?? possible[0]?.channel;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const to = contact ? { contactId: contact.id } : q.includes('@') ? { email: q.trim() } : { phone: q.trim() };
    const subject = chosen === 'email' ? String(f.get('subject') ?? '').trim() : '';
    try {
      const res = await post<{ conversation: { id: string } }>('/api/v1/conversations', { ...to, channel: chosen, clinicId: f.get('clinicId'), body: f.get('body'), ...(subject && { subject }) });
      onStarted(res.conversation.id);
    } catch (err) {
      setError(refusalSentence(err, { name: contact?.name ?? q.trim() }));
      const open = err instanceof ApiError ? err.extra.conversationId : undefined;
      setExisting(typeof open === 'string' ? open : null);
    }
  }

  return (
    <Modal labelledBy="new-title" onClose={onClose}>
      <form className="card" onSubmit={submit}>
        <h2 id="new-title">{t('inbox.newMessage')}</h2>
        <label>
          {t('newMessage.to')}
          <input value={contact ? contact.name : q} onChange={(e) => { setContact(null); setQ(e.target.value); }} required autoFocus />
        </label>
        {matches.error && (matches.error as { status?: number }).status === 402 && (
          <p className="sub">{t('newMessage.searchLocked')}</p>
        )}
        {!contact && (matches.data?.items?.length ?? 0) > 0 && (
          <ul className="suggestions" aria-label={t('newMessage.matches')}>
            {matches.data!.items.map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => setContact(c)}>{c.name} <span className="sub">{c.phone ?? c.email}</span></button>
              </li>
            ))}
          </ul>
        )}
        {contact?.blocked && <p className="error" role="alert">{t('newMessage.blocked', { name: contact.name })}</p>}
        <label>
          {t('inbox.filters.channel')}
          <select name="channel" value={chosen ?? ''} onChange={(e) => setChannel(e.target.value as StartChannel)} disabled={!possible.length}>
            {possible.map((c) => <option key={c.channel} value={c.channel}>{channelLabel(c.channel)}</option>)}
          </select>
        </label>
        {(contact || q.trim()) && choices.some((c) => c.why) && (
          <ul className="channel-notes" aria-label={t('newMessage.notOffered')}>
            {choices.filter((c) => c.why).map((c) => <li key={c.channel}>{t('newMessage.why', { channel: channelLabel(c.channel), why: c.why })}</li>)}
          </ul>
        )}
        <label>{t('inbox.clinic')} <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
        {chosen === 'email' && (
          <label>
            {t('newMessage.subject')} <input name="subject" maxLength={300} placeholder={t('newMessage.subjectHint')} />
          </label>
        )}
        <label>{t('composer.message')} <textarea name="body" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        {existing && (
          <button type="button" className="secondary" onClick={() => onStarted(existing)}>
            {t('newMessage.openExisting')}
          </button>
        )}
        <div className="buttons">
          <button type="submit" disabled={!chosen || contact?.blocked}>{t('composer.send')}</button>
          <button type="button" className="secondary" onClick={onClose}>{t('actions.cancel')}</button>
        </div>
      </form>
    </Modal>
  );
}
