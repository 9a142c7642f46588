import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post } from './api';
import type { Me } from './types';

/** Start a conversation: pick a patient by name or phone, or type any number or email (a lead is made). */
export function NewConversation({ me, onClose, onStarted }: { me: Me; onClose: () => void; onStarted: (id: string) => void }) {
  const [q, setQ] = useState('');
  const [contact, setContact] = useState<{ id: string; name: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [channel, setChannel] = useState('sms');
  const matches = useQuery({ queryKey: ['contact-search', q], queryFn: () => api(`/api/v1/contacts?limit=8&q=${encodeURIComponent(q)}`), enabled: q.trim().length >= 2 && !contact });

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const to = contact ? { contactId: contact.id } : q.includes('@') ? { email: q.trim() } : { phone: q.trim() };
    const subject = channel === 'email' ? String(f.get('subject') ?? '').trim() : '';
    try {
      const res = await post<{ conversation: { id: string } }>('/api/v1/conversations', { ...to, channel: f.get('channel'), clinicId: f.get('clinicId'), body: f.get('body'), ...(subject && { subject }) });
      onStarted(res.conversation.id);
    } catch (err) {
      setError((err as Error).message);
    }
  }

  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="new-title">
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
            {matches.data.items.map((c: { id: string; name: string; phone: string | null; email: string | null }) => (
              <li key={c.id}>
                <button type="button" onClick={() => setContact(c)}>{c.name} <span className="sub">{c.phone ?? c.email}</span></button>
              </li>
            ))}
          </ul>
        )}
        <label>Channel <select name="channel" value={channel} onChange={(e) => setChannel(e.target.value)}><option value="sms">SMS</option><option value="email">Email</option><option value="whatsapp">WhatsApp</option><option value="portal">Portal</option></select></label>
        <label>Clinic <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
        {channel === 'email' && (
          <label>
            Subject <input name="subject" maxLength={300} placeholder="Your appointment on Monday" />
          </label>
        )}
        <label>Message <textarea name="body" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="buttons">
          <button type="submit">Send</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </div>
  );
}
