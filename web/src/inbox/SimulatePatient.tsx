import { useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { post } from '../shared/api';
import type { Me } from '../shared/types';
import { refusalSentence } from '../shared/errors';

/** S5: play a patient writing in, offline — it arrives the way a provider's webhook would deliver it. */
export function SimulatePatient({ me, onClose }: { me: Me; onClose: () => void }) {
  const { t } = useTranslation('staff');
  const queryClient = useQueryClient();
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = Object.fromEntries(new FormData(e.currentTarget)) as Record<string, string>;
    if (!f.name) delete f.name;
    try {
      await post('/api/v1/simulator/inbound', f);
      await queryClient.invalidateQueries({ queryKey: ['conversations'] });
      onClose();
    } catch (err) {
      setError(refusalSentence(err));
    }
  }
  return (
    <div className="overlay" role="dialog" aria-modal="true" aria-labelledby="simulate-title">
      <form className="card" onSubmit={submit}>
        <h2 id="simulate-title">{t('simulate.title')}</h2>
        <p className="sub">{t('simulate.intro')}</p>
        <label>{t('inbox.clinic')} <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
        <label>{t('inbox.filters.channel')} <select name="channel"><option value="sms">{t('channels.sms')}</option><option value="whatsapp">{t('channels.whatsapp')}</option><option value="email">{t('channels.email')}</option></select></label>
        <label>{t('simulate.from')} <input name="from" required defaultValue="(415) 555-0142" /></label>
        <label>{t('simulate.name')} <input name="name" placeholder={t('simulate.optional')} /></label>
        <label>{t('composer.message')} <textarea name="body" required defaultValue={t('simulate.sample')} /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <div className="buttons">
          <button type="submit">{t('simulate.deliver')}</button>
          <button type="button" className="secondary" onClick={onClose}>{t('actions.cancel')}</button>
        </div>
      </form>
    </div>
  );
}
