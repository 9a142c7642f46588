import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post } from '../shared/api';
import { when } from '../shared/format';
import { keys } from '../shared/queryKeys';
import { useAction } from '../shared/useAction';
import type { Ok } from '../shared/types';

interface Campaign {
  id: string;
  name: string;
  trigger: 'appointment_reminder' | 'form_invite';
  hoursBefore: number | null;
  templateId: string | null;
  channel: string;
  quietHours: { start: string; end: string };
  active: boolean;
}
interface RunReport {
  at: string;
  sent: number;
  skipped: number;
  failed: number;
  items: { target: string; status: string; reason: string | null }[];
}

/** M10: automatic campaigns — appointment reminders and form invites — with their last run. */
export function Campaigns() {
  const list = useQuery({ queryKey: keys.campaigns(), queryFn: () => api<{ items: Campaign[] }>('/api/v1/campaigns') });
  const templates = useQuery({ queryKey: keys.templates(), queryFn: () => api<Ok<'getTemplates'>>('/api/v1/templates') });
  const [report, setReport] = useState<RunReport | null>(null);
  const { error, run } = useAction([keys.campaigns()]);
  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const trigger = String(f.get('trigger'));
    const ok = await run(() =>
      post('/api/v1/campaigns', {
        name: f.get('name'),
        trigger,
        templateId: f.get('templateId'),
        channel: f.get('channel'),
        ...(trigger === 'appointment_reminder' ? { hoursBefore: Number(f.get('hoursBefore')) } : {}),
      }),
    );
    if (ok) form.reset();
  }
  return (
    <>
      <h2>Campaigns</h2>
      <p className="sub">Automatic messages, sent under the campaign's name. Texts wait out quiet hours (clinic time); opted-out and blocked patients are skipped; nobody gets the same reminder twice.</p>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="report">
        <thead><tr><th scope="col">Name</th><th scope="col">When</th><th scope="col">Channel</th><th scope="col">Quiet hours</th><th scope="col"><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {(list.data?.items ?? []).map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.name}{c.active ? '' : ' (paused)'}</th>
              <td>{c.trigger === 'appointment_reminder' ? `${c.hoursBefore} h before each appointment` : 'once per new booking'}</td>
              <td>{c.channel}</td>
              <td>{c.quietHours.start}–{c.quietHours.end}</td>
              <td>
                <button type="button" className="secondary" onClick={async () => setReport((await run(() => post<RunReport>(`/api/v1/campaigns/${c.id}/run`))) ?? null)}>Run now</button>{' '}
                <button type="button" className="secondary" onClick={() => run(() => api(`/api/v1/campaigns/${c.id}`, { method: 'PATCH', body: { active: !c.active } }))}>{c.active ? 'Pause' : 'Resume'}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report && (
        <p className="notice" role="status">
          Run at {when(report.at)}: {report.sent} sent, {report.skipped} skipped, {report.failed} failed.
          {report.items.filter((i) => i.status !== 'sent').map((i) => ` ${i.target}: ${i.reason}.`).join('')}
        </p>
      )}
      <form className="stack-form" onSubmit={add} aria-label="New campaign">
        <h3>New campaign</h3>
        <label>Name <input name="name" required placeholder="Appointment reminders" /></label>
        <label>Sends <select name="trigger"><option value="appointment_reminder">a reminder before each appointment</option><option value="form_invite">a form invite once per new booking</option></select></label>
        <label>Hours before (reminders) <input name="hoursBefore" type="number" min="1" max="336" defaultValue="24" /></label>
        <label>Template <select name="templateId" required>{(templates.data?.items ?? []).map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
        <label>Channel <select name="channel"><option value="auto">Best available (SMS, email, portal)</option><option value="sms">SMS</option><option value="email">Email</option><option value="portal">Portal</option><option value="whatsapp">WhatsApp</option></select></label>
        <button type="submit">Create campaign</button>
      </form>
    </>
  );
}

interface Endpoint {
  id: string;
  url: string;
  events: string[];
  active: boolean;
}
const events = ['message.created', 'message.status', 'conversation.closed', 'booking.created'];

/** B3: outgoing webhooks, their signing secret (shown once) and their delivery log. */
export function Webhooks() {
  const list = useQuery({ queryKey: keys.webhooks.list(), queryFn: () => api<{ items: Endpoint[] }>('/api/v1/webhooks') });
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const log = useQuery({
    queryKey: keys.webhooks.log(open),
    queryFn: () => api<Ok<'getWebhooksByIdDeliveries'>>(`/api/v1/webhooks/${open}/deliveries`),
    enabled: Boolean(open),
  });
  const { error, run } = useAction([keys.webhooks.all]);
  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    const created = await run(() => post<{ secret: string }>('/api/v1/webhooks', { url: f.get('url'), events: events.filter((ev) => f.get(ev) === 'on') }));
    if (created) {
      setSecret(created.secret);
      form.reset();
    }
  }
  async function rotate(id: string) {
    const rotated = await run(() => post<{ secret: string }>(`/api/v1/webhooks/${id}/rotate-secret`, {}));
    if (rotated) setSecret(rotated.secret);
  }
  return (
    <>
      <h2>Webhooks</h2>
      <p className="sub">Events are posted as JSON with identifiers only (no message text), signed as Standard Webhooks specifies (webhook-id, webhook-timestamp, webhook-signature), and retried with growing waits. Rotating a secret keeps the old one signing beside the new one for 24 hours.</p>
      {error && <p className="error" role="alert">{error}</p>}
      {secret && <p className="notice" role="status">Signing secret — copy it now, it is not shown again: <code>{secret}</code></p>}
      <ul>
        {(list.data?.items ?? []).map((w) => (
          <li key={w.id}>
            <code>{w.url}</code> · {w.events.join(', ')} {w.active ? '' : '(stopped)'}{' '}
            <button type="button" className="secondary" onClick={() => setOpen(open === w.id ? null : w.id)}>Delivery log</button>{' '}
            {w.active && <button type="button" className="secondary" onClick={() => void rotate(w.id)}>Rotate secret</button>}{' '}
            {w.active && <button type="button" className="danger" onClick={() => run(() => post(`/api/v1/webhooks/${w.id}/disable`))}>Stop</button>}
            {open === w.id && (
              <ul>
                {(log.data?.items ?? []).map((d) => (
                  <li key={d.id}>
                    {when(d.createdAt)} · {d.event} · {d.status} · tries: {d.attempts.map((a) => a.statusCode ?? a.error).join(', ') || 'none yet'}{' '}
                    {w.active && d.status !== 'pending' && <button type="button" className="secondary" onClick={() => run(() => post(`/api/v1/webhooks/${w.id}/deliveries/${d.id}/redeliver`))}>Redeliver</button>}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <form className="stack-form" onSubmit={add} aria-label="New webhook">
        <h3>New webhook</h3>
        <label>URL (https) <input name="url" type="url" required placeholder="https://pms.example.com/frontdesk" /></label>
        <fieldset>
          <legend>Events</legend>
          {events.map((ev) => <label key={ev} className="check"><input type="checkbox" name={ev} defaultChecked /> {ev}</label>)}
        </fieldset>
        <button type="submit">Add webhook</button>
      </form>
    </>
  );
}
