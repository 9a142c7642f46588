import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { NotificationPreferences, NotifyLevel } from '../../../src/notifications/rules';
import { api } from '../shared/api';
import type { Me } from '../shared/types';
import { chime } from '../shared/notifications/show';
import { pushOnThisDevice, pushSupported, startPushOnThisDevice, stopPushOnThisDevice } from '../shared/notifications/device';

const levels: NotifyLevel[] = ['all', 'mine', 'none'];

const toTime = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const toMinutes = (time: string) => {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
};

/** Settings › Notifications: the user's own choice (kept on the server, audited), this browser's permission, and the organization's rule for admins. */
export function NotificationSettings({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
  const isAdmin = me.role === 'admin' || me.role === 'main_admin';
  const prefs = useQuery({ queryKey: ['notification-preferences'], queryFn: () => api<NotificationPreferences>('/api/v1/me/notifications') });
  return (
    <>
      <h2>{t('settings.sections.notifications')}</h2>
      <p className="sub">{t('notify.intro')}</p>
      <BrowserPermission />
      <PushOnThisDevice />
      {prefs.data && <PreferencesForm saved={prefs.data} timeZone={quietHoursZone(prefs.data, me)} />}
      {prefs.isError && <p className="error" role="alert">{t('notify.loadFailed', { reason: (prefs.error as Error).message })}</p>}
      {isAdmin && <OrganizationRule />}
      {isAdmin && me.clinics.map((c) => <ClinicWaitLimit key={c.id} clinic={c} />)}
    </>
  );
}

function BrowserPermission() {
  const { t } = useTranslation('staff');
  const supported = typeof window !== 'undefined' && 'Notification' in window;
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return <p className="notice">{t('notify.unsupported')}</p>;
  if (permission === 'granted') return <p className="sub" role="status">{t('notify.granted')}</p>;
  if (permission === 'denied')
    return <p className="notice" role="status">{t('notify.denied')}</p>;
  return (
    <p>
      <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>{t('notify.allow')}</button>
    </p>
  );
}

/** Web Push: the same notifications while Frontdesk is closed, on this device only. */
function PushOnThisDevice() {
  const { t } = useTranslation('staff');
  const [on, setOn] = useState(pushOnThisDevice() !== null);
  const [problem, setProblem] = useState<string | null>(null);
  if (!pushSupported()) return null;
  async function toggle() {
    setProblem(null);
    try {
      if (on) await stopPushOnThisDevice();
      else await startPushOnThisDevice();
      setOn(!on);
    } catch {
      setProblem(on ? t('notify.stopFailed') : t('notify.pushRefused'));
    }
  }
  return (
    <div className="stack-form">
      <h3>{t('notify.closedTitle')}</h3>
      <p className="sub">{on ? t('notify.pushOn') : t('notify.pushOff')}</p>
      <p>
        <button type="button" className={on ? 'secondary' : undefined} onClick={() => void toggle()}>
          {on ? t('notify.stop') : t('notify.start')}
        </button>
      </p>
      {problem && <p className="error" role="alert">{problem}</p>}
    </div>
  );
}

/**
 * Quiet hours are kept in a named zone and the server decides in it: the one already chosen, else
 * the user's clinic's — never the browser's, which on a laptop set to another zone (or travelling)
 * would silence the wrong hours. The browser's is the last resort for a user with no clinic.
 */
export function quietHoursZone(saved: NotificationPreferences, me: Pick<Me, 'clinics'>): string {
  return saved.quietHours?.timeZone ?? me.clinics[0]?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
}

function PreferencesForm({ saved, timeZone }: { saved: NotificationPreferences; timeZone: string }) {
  const { t } = useTranslation('staff');
  const queryClient = useQueryClient();
  const [level, setLevel] = useState(saved.level);
  const [sound, setSound] = useState(saved.sound);
  const [quiet, setQuiet] = useState(saved.quietHours !== null);
  const [emailReminders, setEmailReminders] = useState(saved.emailReminders);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);

  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const quietHours = quiet
      ? { start: toMinutes(String(f.get('quietStart'))), end: toMinutes(String(f.get('quietEnd'))), timeZone }
      : null;
    try {
      const next = await api<NotificationPreferences>('/api/v1/me/notifications', { method: 'PUT', body: { level, sound, quietHours, emailReminders } });
      queryClient.setQueryData(['notification-preferences'], next);
      setStatus({ ok: true, text: t('language.saved') });
    } catch (err) {
      setStatus({ ok: false, text: t('notify.notSaved', { reason: (err as Error).message }) });
    }
  }

  return (
    <form className="stack-form" onSubmit={save} aria-label={t('notify.mine')}>
      <fieldset className="choice">
        <legend>{t('notify.about')}</legend>
        {levels.map((value) => (
          <label key={value} className="check">
            <input type="radio" name="level" value={value} checked={level === value} onChange={() => setLevel(value)} /> {t(`notify.levels.${value}`)}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} /> {t('notify.sound')}
      </label>
      {sound && (
        <p>
          <button type="button" className="secondary" onClick={chime}>{t('notify.hear')}</button>
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} /> {t('notify.quiet', { zone: timeZone })}
      </label>
      {quiet && (
        <div className="inline-form">
          <label>{t('notify.from')} <input type="time" name="quietStart" required defaultValue={toTime(saved.quietHours?.start ?? 22 * 60)} /></label>
          <label>{t('notify.until')} <input type="time" name="quietEnd" required defaultValue={toTime(saved.quietHours?.end ?? 7 * 60)} /></label>
        </div>
      )}
      <label className="check">
        <input type="checkbox" checked={emailReminders} onChange={(e) => setEmailReminders(e.target.checked)} /> {t('notify.emailReminders')}
      </label>
      <div className="buttons">
        <button type="submit">{t('notify.save')}</button>
      </div>
      {status && <p className={status.ok ? 'sub' : 'error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
    </form>
  );
}

function OrganizationRule() {
  const { t } = useTranslation('staff');
  const queryClient = useQueryClient();
  const setting = useQuery({ queryKey: ['notification-settings'], queryFn: () => api<{ showFirstName: boolean }>('/api/v1/notification-settings') });
  const [error, setError] = useState<string | null>(null);
  if (!setting.data) return null;
  async function change(showFirstName: boolean) {
    setError(null);
    try {
      queryClient.setQueryData(['notification-settings'], await api('/api/v1/notification-settings', { method: 'PUT', body: { showFirstName } }));
    } catch (err) {
      setError(t('notify.changeNotSaved', { reason: (err as Error).message }));
    }
  }
  return (
    <div className="stack-form">
      <h3>{t('notify.everyone')}</h3>
      <label className="check">
        <input type="checkbox" checked={setting.data.showFirstName} onChange={(e) => void change(e.target.checked)} /> {t('notify.firstName')}
      </label>
      <p className="sub">{t('notify.firstNameHint')}</p>
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

/** An admin's limit for how long a patient may wait (in opening hours) before the team is emailed. */
function ClinicWaitLimit({ clinic }: { clinic: { id: string; name: string } }) {
  const { t } = useTranslation('staff');
  const setting = useQuery({ queryKey: ['clinic-reminder', clinic.id], queryFn: () => api<{ waitMinutes: number | null }>(`/api/v1/clinics/${clinic.id}/reminder`) });
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  if (!setting.data) return null;
  const id = `wait-${clinic.id}`;
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const value = String(new FormData(e.currentTarget).get('minutes') ?? '').trim();
    try {
      await api(`/api/v1/clinics/${clinic.id}/reminder`, { method: 'PUT', body: { waitMinutes: value ? Number(value) : null } });
      setStatus({ ok: true, text: value ? t('notify.waitSaved', { count: Number(value) }) : t('notify.waitOff') });
    } catch (err) {
      setStatus({ ok: false, text: t('notify.waitNotSaved', { reason: (err as Error).message }) });
    }
  }
  return (
    <form className="stack-form" onSubmit={save} aria-label={t('notify.waitFor', { clinic: clinic.name })}>
      <h3>{t('notify.waitTitle', { clinic: clinic.name })}</h3>
      <label htmlFor={id}>{t('notify.waitLabel')}</label>
      <input id={id} name="minutes" type="number" min="5" max="10080" step="5" defaultValue={setting.data.waitMinutes ?? ''} placeholder={t('notify.noReminders')} />
      <div className="buttons">
        <button type="submit">{t('notify.saveReminder')}</button>
      </div>
      {status && <p className={status.ok ? 'sub' : 'error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
    </form>
  );
}
