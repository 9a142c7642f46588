import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import type { NotificationPreferences, NotifyLevel } from '../../../src/notifications/rules';
import { api } from '../shared/api';
import type { Me, Ok } from '../shared/types';
import { chime } from '../shared/notifications/show';
import { pushOnThisDevice, pushSupported, startPushOnThisDevice, stopPushOnThisDevice } from '../shared/notifications/device';
import { keys } from '../shared/queryKeys';

const levels: [NotifyLevel, string][] = [
  ['all', 'Every new patient message'],
  ['mine', 'Only conversations assigned to me, or to no one'],
  ['none', 'None'],
];

const toTime = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
const toMinutes = (time: string) => {
  const [h, m] = time.split(':').map(Number);
  return h! * 60 + m!;
};

/** Settings › Notifications: the user's own choice (kept on the server, audited), this browser's permission, and the organization's rule for admins. */
export function NotificationSettings({ me }: { me: Me }) {
  const isAdmin = me.role === 'admin' || me.role === 'main_admin';
  const prefs = useQuery({ queryKey: keys.notificationPreferences(), queryFn: () => api<NotificationPreferences>('/api/v1/me/notifications') });
  return (
    <>
      <h2>Notifications</h2>
      <p className="sub">Tells you when a patient writes. A notification says which clinic it is for, never what the patient wrote. Conversations you mute never notify you.</p>
      <BrowserPermission />
      <PushOnThisDevice />
      {prefs.data && <PreferencesForm saved={prefs.data} timeZone={quietHoursZone(prefs.data, me)} />}
      {prefs.isError && <p className="error" role="alert">Your notification settings could not be loaded: {(prefs.error as Error).message}</p>}
      {isAdmin && <OrganizationRule />}
      {isAdmin && me.clinics.map((c) => <ClinicWaitLimit key={c.id} clinic={c} />)}
    </>
  );
}

function BrowserPermission() {
  const supported = typeof window !== 'undefined' && 'Notification' in window;
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  if (!supported) return <p className="notice">This browser cannot show notifications; the tab’s title still counts unread conversations.</p>;
  if (permission === 'granted') return <p className="sub" role="status">This browser shows notifications.</p>;
  if (permission === 'denied')
    return <p className="notice" role="status">This browser blocks notifications from Frontdesk. Allow them in the browser’s site settings (the icon left of the address), then reload.</p>;
  return (
    <p>
      <button type="button" onClick={() => void Notification.requestPermission().then(setPermission)}>Allow notifications in this browser</button>
    </p>
  );
}

/** Web Push: the same notifications while Frontdesk is closed, on this device only. */
function PushOnThisDevice() {
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
      setProblem(on ? 'This device could not be stopped; try again.' : 'This browser did not allow notifications while Frontdesk is closed. Allow notifications for this site first, then try again.');
    }
  }
  return (
    <div className="stack-form">
      <h3>When Frontdesk is closed</h3>
      <p className="sub">{on ? 'This device is told when a patient writes, even when Frontdesk is closed.' : 'Only while Frontdesk is open, on this device.'}</p>
      <p>
        <button type="button" className={on ? 'secondary' : undefined} onClick={() => void toggle()}>
          {on ? 'Stop notifications on this device' : 'Also notify this device when Frontdesk is closed'}
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
      queryClient.setQueryData(keys.notificationPreferences(), next);
      setStatus({ ok: true, text: 'Saved.' });
    } catch (err) {
      setStatus({ ok: false, text: `Not saved: ${(err as Error).message}. Check the times and try again.` });
    }
  }

  return (
    <form className="stack-form" onSubmit={save} aria-label="My notifications">
      <fieldset className="choice">
        <legend>Notify me about</legend>
        {levels.map(([value, label]) => (
          <label key={value} className="check">
            <input type="radio" name="level" value={value} checked={level === value} onChange={() => setLevel(value)} /> {label}
          </label>
        ))}
      </fieldset>
      <label className="check">
        <input type="checkbox" checked={sound} onChange={(e) => setSound(e.target.checked)} /> Play a sound
      </label>
      {sound && (
        <p>
          <button type="button" className="secondary" onClick={chime}>Hear the sound</button>
        </p>
      )}
      <label className="check">
        <input type="checkbox" checked={quiet} onChange={(e) => setQuiet(e.target.checked)} /> Quiet hours (in {timeZone} time)
      </label>
      {quiet && (
        <div className="inline-form">
          <label>From <input type="time" name="quietStart" required defaultValue={toTime(saved.quietHours?.start ?? 22 * 60)} /></label>
          <label>Until <input type="time" name="quietEnd" required defaultValue={toTime(saved.quietHours?.end ?? 7 * 60)} /></label>
        </div>
      )}
      <label className="check">
        <input type="checkbox" checked={emailReminders} onChange={(e) => setEmailReminders(e.target.checked)} /> Email me when a patient has waited longer than the clinic’s limit
      </label>
      <div className="buttons">
        <button type="submit">Save notifications</button>
      </div>
      {status && <p className={status.ok ? 'sub' : 'error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
    </form>
  );
}

function OrganizationRule() {
  const queryClient = useQueryClient();
  const setting = useQuery({ queryKey: keys.notificationSettings(), queryFn: () => api<Ok<'getNotificationSettings'>>('/api/v1/notification-settings') });
  const [error, setError] = useState<string | null>(null);
  if (!setting.data) return null;
  async function change(showFirstName: boolean) {
    setError(null);
    try {
      queryClient.setQueryData(keys.notificationSettings(), await api('/api/v1/notification-settings', { method: 'PUT', body: { showFirstName } }));
    } catch (err) {
      setError(`The change was not saved: ${(err as Error).message}`);
    }
  }
  return (
    <div className="stack-form">
      <h3>For everyone in the organization</h3>
      <label className="check">
        <input type="checkbox" checked={setting.data.showFirstName} onChange={(e) => void change(e.target.checked)} /> Notifications may show the patient’s first name
      </label>
      <p className="sub">Off: “New message · Riverside Downtown”. On: “New message from Maria · Riverside Downtown”. A lock screen can be read by anyone nearby.</p>
      {error && <p className="error" role="alert">{error}</p>}
    </div>
  );
}

/** An admin's limit for how long a patient may wait (in opening hours) before the team is emailed. */
function ClinicWaitLimit({ clinic }: { clinic: { id: string; name: string } }) {
  const setting = useQuery({ queryKey: keys.clinicReminder(clinic.id), queryFn: () => api<Ok<'getClinicsByIdReminder'>>(`/api/v1/clinics/${clinic.id}/reminder`) });
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  if (!setting.data) return null;
  const id = `wait-${clinic.id}`;
  async function save(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const value = String(new FormData(e.currentTarget).get('minutes') ?? '').trim();
    try {
      await api(`/api/v1/clinics/${clinic.id}/reminder`, { method: 'PUT', body: { waitMinutes: value ? Number(value) : null } });
      setStatus({ ok: true, text: value ? `Saved: the team is emailed after ${value} minutes of opening hours.` : 'Saved: no reminder emails.' });
    } catch (err) {
      setStatus({ ok: false, text: `Not saved: ${(err as Error).message}. Use 5 to 10080 minutes, or leave it empty for none.` });
    }
  }
  return (
    <form className="stack-form" onSubmit={save} aria-label={`Reminder for ${clinic.name}`}>
      <h3>Reminder emails · {clinic.name}</h3>
      <label htmlFor={id}>Email the assignee (or the clinic’s team) when a patient has waited longer than, in minutes of opening hours</label>
      <input id={id} name="minutes" type="number" min="5" max="10080" step="5" defaultValue={setting.data.waitMinutes ?? ''} placeholder="No reminders" />
      <div className="buttons">
        <button type="submit">Save reminder</button>
      </div>
      {status && <p className={status.ok ? 'sub' : 'error'} role={status.ok ? 'status' : 'alert'}>{status.text}</p>}
    </form>
  );
}
