import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { api, post } from '../shared/api';
import { number, when } from '../shared/format';
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
  const { t } = useTranslation('staff');
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
      <h2>{t('settings.sections.campaigns')}</h2>
      <p className="sub">{t('campaigns.intro')}</p>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="report stacked">
        <thead><tr><th scope="col">{t('contacts.name')}</th><th scope="col">{t('thread.call.when')}</th><th scope="col">{t('inbox.filters.channel')}</th><th scope="col">{t('campaigns.quietHours')}</th><th scope="col"><span className="visually-hidden">{t('campaigns.actions')}</span></th></tr></thead>
        <tbody>
          {(list.data?.items ?? []).map((c) => (
            <tr key={c.id}>
              <th scope="row">{c.active ? c.name : t('campaigns.paused', { name: c.name })}</th>
              <td data-label={t('thread.call.when')}>{c.trigger === 'appointment_reminder' ? t('campaigns.hoursBefore', { count: c.hoursBefore ?? 0 }) : t('campaigns.perBooking')}</td>
              <td data-label={t('inbox.filters.channel')}>{c.channel === 'auto' ? t('campaigns.auto') : t(`channels.${c.channel}`, { defaultValue: c.channel })}</td>
              <td data-label={t('campaigns.quietHours')}>{c.quietHours.start}–{c.quietHours.end}</td>
              <td className="row-actions">
                <button type="button" className="secondary" onClick={async () => setReport((await run(() => post<RunReport>(`/api/v1/campaigns/${c.id}/run`))) ?? null)}>{t('campaigns.run')}</button>{' '}
                <button type="button" className="secondary" onClick={() => run(() => api(`/api/v1/campaigns/${c.id}`, { method: 'PATCH', body: { active: !c.active } }))}>{c.active ? t('campaigns.pause') : t('campaigns.resume')}</button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {report && (
        <p className="notice" role="status">
          {t('campaigns.report', { when: when(report.at), sent: number(report.sent), skipped: number(report.skipped), failed: number(report.failed) })}
          {report.items.filter((i) => i.status !== 'sent').map((i) => ` ${t('campaigns.item', { target: i.target, reason: i.reason })}`).join('')}
        </p>
      )}
      <form className="stack-form" onSubmit={add} aria-label={t('campaigns.new')}>
        <h3>{t('campaigns.new')}</h3>
        <label>{t('contacts.name')} <input name="name" required placeholder={t('campaigns.nameHint')} /></label>
        <label>{t('campaigns.sends')} <select name="trigger"><option value="appointment_reminder">{t('campaigns.triggerReminder')}</option><option value="form_invite">{t('campaigns.triggerForm')}</option></select></label>
        <label>{t('campaigns.hoursField')} <input name="hoursBefore" type="number" min="1" max="336" defaultValue="24" /></label>
        <label>{t('campaigns.template')} <select name="templateId" required>{(templates.data?.items ?? []).map((x) => <option key={x.id} value={x.id}>{x.name}</option>)}</select></label>
        <label>{t('inbox.filters.channel')} <select name="channel"><option value="auto">{t('campaigns.autoLong')}</option>{(['sms', 'email', 'portal', 'whatsapp'] as const).map((c) => <option key={c} value={c}>{t(`channels.${c}`)}</option>)}</select></label>
        <button type="submit">{t('campaigns.create')}</button>
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
  const { t } = useTranslation('staff');
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
      <h2>{t('settings.sections.webhooks')}</h2>
      <p className="sub">{t('webhooks.intro')}</p>
      {error && <p className="error" role="alert">{error}</p>}
      {secret && <p className="notice" role="status">{t('webhooks.secret')} <code>{secret}</code></p>}
      <ul>
        {(list.data?.items ?? []).map((w) => (
          <li key={w.id}>
            <code>{w.url}</code> · {w.events.join(', ')} {w.active ? '' : t('webhooks.stopped')}{' '}
            <button type="button" className="secondary" onClick={() => setOpen(open === w.id ? null : w.id)}>{t('webhooks.log')}</button>{' '}
            {w.active && <button type="button" className="secondary" onClick={() => void rotate(w.id)}>{t('webhooks.rotate')}</button>}{' '}
            {w.active && <button type="button" className="danger" onClick={() => run(() => post(`/api/v1/webhooks/${w.id}/disable`))}>{t('webhooks.stop')}</button>}
            {open === w.id && (
              <ul>
                {(log.data?.items ?? []).map((d) => (
                  <li key={d.id}>
                    {when(d.createdAt)} · {d.event} · {d.status} · {t('webhooks.tries', { tries: d.attempts.map((a) => a.statusCode ?? a.error).join(', ') || t('webhooks.noTries') })}{' '}
                    {w.active && d.status !== 'pending' && <button type="button" className="secondary" onClick={() => run(() => post(`/api/v1/webhooks/${w.id}/deliveries/${d.id}/redeliver`))}>{t('webhooks.redeliver')}</button>}
                  </li>
                ))}
              </ul>
            )}
          </li>
        ))}
      </ul>
      <form className="stack-form" onSubmit={add} aria-label={t('webhooks.new')}>
        <h3>{t('webhooks.new')}</h3>
        <label>{t('webhooks.url')} <input name="url" type="url" required placeholder={t('webhooks.urlHint')} /></label>
        <fieldset>
          <legend>{t('webhooks.events')}</legend>
          {events.map((ev) => <label key={ev} className="check"><input type="checkbox" name={ev} defaultChecked /> {ev}</label>)}
        </fieldset>
        <button type="submit">{t('webhooks.add')}</button>
      </form>
    </>
  );
}
