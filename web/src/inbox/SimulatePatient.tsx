import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { post } from '../shared/api';
import type { Me } from '../shared/types';
import { refusalSentence } from '../shared/errors';
import { keys } from '../shared/queryKeys';
import { Dialog } from '../shared/layout/Dialog';

/** S5: play a patient writing in, offline — it arrives the way a provider's webhook would deliver it. */
export function SimulatePatient({ me, onClose }: { me: Me; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
    if (!f.name) delete f.name;
    try {
      await post('/api/v1/simulator/inbound', f);
      await queryClient.invalidateQueries({ queryKey: keys.conversations.all });
      onClose();
    } catch (err) {
      setError(refusalSentence(err));
    }
  }
  return (
    <Dialog title="Simulate a patient writing in" onClose={onClose}>
      <form className="stack" onSubmit={submit}>
        <p className="sub">For trying Frontdesk offline: the message takes the same way in as a provider's webhook.</p>
        <label>Clinic <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
        <label>Channel <select name="channel"><option value="sms">SMS</option><option value="whatsapp">WhatsApp</option><option value="email">Email</option></select></label>
        <label>From (phone or email) <input name="from" required defaultValue="(415) 555-0142" /></label>
        <label>Name <input name="name" placeholder="optional" /></label>
        <label>Message <textarea name="body" required defaultValue="Hi! Can I book a cleaning next week?" /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="buttons">
          <button type="submit">Deliver</button>
          <button type="button" className="secondary" onClick={onClose}>Cancel</button>
        </div>
      </form>
    </Dialog>
  );
}
