import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { channelGap, sendChannels, type SendChannel } from '../../src/conversations/rules';
import { api, ApiError, post } from './api';
import { refusalSentence } from './errors';
import { channelLabels } from './logic';
import { Modal } from './Modal';
import type { Me } from './types';

interface ContactHit {
  id: string;
  name: string;
  phone: string | null;
  email: string | null;
  portalAccount: boolean;
  chatOptIn: boolean;
  blocked: boolean;
  optedOut: { sms: boolean; email: boolean; whatsapp: boolean };
}

/** The channels the dialog can start on (web replies exist only inside a guest's thread). */
const startChannels = sendChannels.filter((c) => c !== 'web');

/** Why each channel can or cannot reach the recipient: a sentence for the ones it cannot. */
function channelChoices(contact: ContactHit | null, typed: string): { channel: SendChannel; why: string | null }[] {
  const reach = contact ?? { phone: typed.includes('@') ? null : typed || null, email: typed.includes('@') ? typed : null, portalAccount: false, chatOptIn: false };
  return startChannels.map((channel) => {
    const gap = channelGap(reach, channel);
    const optedOut = contact && channel !== 'portal' && contact.optedOut[channel];
    const why = gap ? `${gap[0]!.toUpperCase()}${gap.slice(1)}.` : optedOut ? `${contact.name} opted out of ${channelLabels[channel]}; they must opt back in first.` : null;
    return { channel, why };
  });
}

/** Start a conversation: pick a patient by name or phone, or type any number or email (a lead is made). */
export function NewConversation({ me, onClose, onStarted }: { me: Me; onClose: () => void; onStarted: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [contact, setContact] = useState<ContactHit | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** T4: the patient's open thread a clinician was refused a second one beside. */
  const [existing, setExisting] = useState<string | null>(null);
  const matches = useQuery({ queryKey: ['contact-search', q], queryFn: () => api<{ items: ContactHit[] }>(`/api/v1/contacts?limit=8&q=${encodeURIComponent(q)}`), enabled: q.trim().length >= 2 && !contact });
  const choices = channelChoices(contact, q.trim());
  const possible = choices.filter((c) => !c.why);
  const [channel, setChannel] = useState<SendChannel | null>(null);
  const chosen = possible.find((c) => c.channel === channel)?.channel ?? possible[0]?.channel;

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const to = contact ? { contactId: contact.id } : q.includes('@') ? { email: q.trim() } : { phone: q.trim() };
    try {
      const res = await post<{ conversation: { id: string } }>('/api/v1/conversations', { ...to, channel: chosen, clinicId: f.get('clinicId'), body: f.get('body') });
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
        <h2 id="new-title">New message</h2>
        <label>
          To (patient, phone number or email)
          <input value={contact ? contact.name : q} onChange={(e) => { setContact(null); setQ(e.target.value); }} required autoFocus />
        </label>
        {matches.error && (matches.error as { status?: number }).status === 402 && (
          <p className="sub">🔒 Patient search is part of the Pro plan. Type a phone number or an email address instead.</p>
        )}
        {!contact && (matches.data?.items?.length ?? 0) > 0 && (
          <ul className="suggestions" aria-label="Matching contacts">
            {matches.data!.items.map((c) => (
              <li key={c.id}>
                <button type="button" onClick={() => setContact(c)}>{c.name} <span className="sub">{c.phone ?? c.email}</span></button>
              </li>
            ))}
          </ul>
        )}
        {contact?.blocked && <p className="error" role="alert">{contact.name} is blocked. Unblock them on their profile before writing.</p>}
        <label>
          Channel
          <select name="channel" value={chosen ?? ''} onChange={(e) => setChannel(e.target.value as SendChannel)} disabled={!possible.length}>
            {possible.map((c) => <option key={c.channel} value={c.channel}>{channelLabels[c.channel]}</option>)}
          </select>
        </label>
        {(contact || q.trim()) && choices.some((c) => c.why) && (
          <ul className="channel-notes" aria-label="Channels not offered">
            {choices.filter((c) => c.why).map((c) => <li key={c.channel}>{channelLabels[c.channel]}: {c.why}</li>)}
          </ul>
        )}
        <label>Clinic <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
        <label>Message <textarea name="body" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        {existing && (
          <button type="button" className="secondary" onClick={() => onStarted(existing)}>
            Open the existing conversation
          </button>
        )}
        <div className="buttons">
          <button type="submit" disabled={!chosen || contact?.blocked}>Send</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Modal>
  );
}
