import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, ApiError, post } from '../shared/api';
import { refusalSentence } from '../shared/errors';
import { channelLabels } from '../shared/logic';
import { Dialog } from '../shared/layout/Dialog';
import type { Me } from '../shared/types';
import { keys } from '../shared/queryKeys';

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
      return 'no phone number on file.';
    case 'email':
      return 'no email address on file.';
    case 'portal':
      return contact?.portalAccount ? 'they have not turned on portal chat.' : 'they have no portal account.';
  }
}

/** Why each channel can or cannot reach the recipient: a sentence for the ones it cannot. */
function channelChoices(contact: ContactHit | null, typed: string): { channel: StartChannel; why: string | null }[] {
  const reachable = contact ? contact.availableChannels : typed.includes('@') ? ['email'] : typed ? ['sms', 'whatsapp'] : [];
  return startChannels.map((channel) => {
    if (!reachable.includes(channel)) return { channel, why: missingReason(contact, channel) };
    const optedOut = contact && channel !== 'portal' && contact.optedOut[channel];
    return { channel, why: optedOut ? `${contact.name} opted out; they must opt back in first.` : null };
  });
}

/** Start a conversation: pick a patient by name or phone, or type any number or email (a lead is made). */
export function NewConversation({ me, onClose, onStarted }: { me: Me; onClose: () => void; onStarted: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [contact, setContact] = useState<ContactHit | null>(null);
  const [error, setError] = useState<string | null>(null);
  /** T4: the patient's open thread a clinician was refused a second one beside. */
  const [existing, setExisting] = useState<string | null>(null);
  const matches = useQuery({ queryKey: keys.contacts.search(q), queryFn: () => api<{ items: ContactHit[] }>(`/api/v1/contacts?limit=8&q=${encodeURIComponent(q)}`), enabled: q.trim().length >= 2 && !contact });
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
    <Dialog title="New message" onClose={onClose}>
      <form className="stack" onSubmit={submit}>
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
          <select name="channel" value={chosen ?? ''} onChange={(e) => setChannel(e.target.value as StartChannel)} disabled={!possible.length}>
            {possible.map((c) => <option key={c.channel} value={c.channel}>{channelLabels[c.channel]}</option>)}
          </select>
        </label>
        {(contact || q.trim()) && choices.some((c) => c.why) && (
          <ul className="channel-notes" aria-label="Channels not offered">
            {choices.filter((c) => c.why).map((c) => <li key={c.channel}>{channelLabels[c.channel]}: {c.why}</li>)}
          </ul>
        )}
        <label>Clinic <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
        {chosen === 'email' && (
          <label>
            Subject <input name="subject" maxLength={300} placeholder="Your appointment on Monday" />
          </label>
        )}
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
    </Dialog>
  );
}
