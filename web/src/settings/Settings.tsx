import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { api, post } from '../shared/api';
import { navigate, usePath } from '../shared/router';
import type { Me } from '../shared/types';
import { Campaigns, Webhooks } from './Automation';
import { Security } from './Security';
import { EmergencyReview } from '../inbox/Emergency';
import { ImportWizard } from '../contacts/ImportWizard';
import { NotificationSettings } from './NotificationSettings';
import { AuditPage } from '../reports/AuditPage';
import { Charges } from './Charges';
import { SmsInbox, useCurrentPlan } from './SmsInbox';
import { phone, when } from '../shared/format';
import { keys } from '../shared/queryKeys';
import { useAction } from '../shared/useAction';

const privilegeNames = { send_messages: 'Send messages', inbox: 'SMS inbox', contacts: 'Contacts (CRM)' } as const;
type Privilege = keyof typeof privilegeNames;

/** Settings: team and privileges, inboxes, opted-out patients, the two-way SMS inbox, the plan, the audit log. */
export function Settings({ me }: { me: Me }) {
  const isAdmin = me.role === 'admin' || me.role === 'main_admin';
  // Seed 004: the SMS tab carries a lock below the Accelerator plan, and follows a plan change at once.
  const smsLocked = useCurrentPlan(me) !== 'accelerator';
  const sections = [
    isAdmin && ['team', 'Team'],
    isAdmin && ['inboxes', 'Inboxes'],
    isAdmin && ['import', 'Import patients'],
    isAdmin && ['templates', 'Templates'],
    isAdmin && ['public', 'Public pages'],
    isAdmin && ['campaigns', 'Campaigns'],
    isAdmin && ['webhooks', 'Webhooks'],
    (me.privileges.includes('contacts') || me.privileges.includes('send_messages')) && ['optouts', 'Opted-out patients'],
    me.privileges.includes('inbox') && ['sms', 'Two-way SMS inbox'],
    ['notifications', 'Notifications'],
    ['plan', 'Plan & billing'],
    ['security', 'Security'],
    isAdmin && ['emergency', 'Emergency access'],
    isAdmin && ['audit', 'Audit'],
  ].filter(Boolean) as [string, string][];
  // The section is in the address (/settings/audit), so it can be bookmarked, linked and reloaded.
  const path = usePath();
  const wanted = path === '/audit' ? 'audit' : /^\/settings\/([a-z]+)/.exec(path)?.[1];
  const section = sections.find(([id]) => id === wanted)?.[0] ?? sections[0]![0];
  const setSection = (id: string) => navigate(`/settings/${id}`);
  return (
    <main className="settings">
      <h1 className="visually-hidden">Settings</h1>
      <nav className="settings-nav" aria-label="Settings sections">
        {sections.map(([id, label]) => (
          <button key={id} type="button" className={id === section ? '' : 'secondary'} aria-pressed={id === section} onClick={() => setSection(id)}>
            {label}
            {id === 'sms' && smsLocked && <span aria-label=", locked: needs the Accelerator plan"> 🔒</span>}
          </button>
        ))}
      </nav>
      <section className="settings-body">
        {section === 'team' && <Team me={me} />}
        {section === 'inboxes' && <Inboxes />}
        {section === 'import' && <ImportWizard />}
        {section === 'templates' && <Templates />}
        {section === 'optouts' && <OptOuts />}
        {section === 'sms' && <SmsInbox me={me} />}
        {section === 'plan' && <Plan me={me} />}
        {section === 'public' && <PublicPages />}
        {section === 'campaigns' && <Campaigns />}
        {section === 'webhooks' && <Webhooks />}
        {section === 'security' && <Security me={me} />}
        {section === 'notifications' && <NotificationSettings me={me} />}
        {section === 'emergency' && <EmergencyReview myId={me.user.id} />}
        {section === 'audit' && <AuditPage />}
      </section>
    </main>
  );
}

function Team({ me }: { me: Me }) {
  const users = useQuery({ queryKey: keys.users(), queryFn: () => api('/api/v1/users') });
  const { error, run } = useAction([keys.users()]);
  const toggle = (user: { id: string; privileges: Privilege[] }, p: Privilege) =>
    run(() => api(`/api/v1/users/${user.id}`, { method: 'PATCH', body: { privileges: user.privileges.includes(p) ? user.privileges.filter((x) => x !== p) : [...user.privileges, p] } }));
  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const form = e.currentTarget;
    await run(async () => {
      await post('/api/v1/users', {
        name: f.get('name'),
        email: f.get('email'),
        password: f.get('password'),
        role: f.get('role'),
        privileges: (Object.keys(privilegeNames) as Privilege[]).filter((p) => f.get(p) === 'on'),
        clinicIds: me.clinics.map((c) => c.id),
      });
      form.reset();
    });
  }
  return (
    <>
      <h2>Team and privileges</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Role</th>
            {Object.values(privilegeNames).map((n) => (
              <th scope="col" key={n}>{n}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u: { id: string; name: string; email: string; role: string; privileges: Privilege[] }) => (
            <tr key={u.id}>
              <td>{u.name}<div className="sub">{u.email}</div></td>
              <td>{u.role.replace('_', ' ')}</td>
              {(Object.keys(privilegeNames) as Privilege[]).map((p) => (
                <td key={p}>
                  <input type="checkbox" aria-label={`${privilegeNames[p]} for ${u.name}`} checked={u.privileges.includes(p)} disabled={u.role === 'main_admin'} onChange={() => toggle(u, p)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={add} aria-label="Add a team member">
        <h3>Add a team member</h3>
        <label>Name <input name="name" required /></label>
        <label>Email <input name="email" type="email" required /></label>
        <label>Temporary password <input name="password" type="password" minLength={10} required /></label>
        <label>Role <select name="role" defaultValue="receptionist"><option value="receptionist">Receptionist</option><option value="doctor">Doctor</option><option value="nurse">Nurse</option><option value="admin">Admin</option></select></label>
        {(Object.keys(privilegeNames) as Privilege[]).map((p) => (
          <label key={p} className="check"><input type="checkbox" name={p} defaultChecked={p === 'send_messages'} /> {privilegeNames[p]}</label>
        ))}
        <button type="submit">Add</button>
      </form>
    </>
  );
}

function Inboxes() {
  const inboxes = useQuery({ queryKey: keys.inboxes(), queryFn: () => api('/api/v1/inboxes') });
  const { error, run } = useAction([keys.inboxes()]);
  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const name = new FormData(form).get('name');
    await run(async () => {
      await post('/api/v1/inboxes', { name });
      form.reset();
    });
  }
  return (
    <>
      <h2>Inboxes</h2>
      <p className="sub">Inboxes sort conversations by team or workflow; move a thread from its menu.</p>
      {error && <p className="error" role="alert">{error}</p>}
      <ul>{(inboxes.data?.items ?? []).map((i: { id: string; name: string }) => <li key={i.id}>{i.name}</li>)}</ul>
      <form className="inline-form" onSubmit={add}>
        <label>New inbox <input name="name" required /></label>
        <button type="submit">Create</button>
      </form>
    </>
  );
}

interface OptOutSource {
  channel: 'sms' | 'email' | 'whatsapp';
  source: 'import' | 'patient_or_carrier';
  importedBy: string | null;
  at: string | null;
}
const channelNames = { sms: 'SMS', email: 'Email', whatsapp: 'WhatsApp' } as const;
const describeSource = (s: OptOutSource) =>
  s.source === 'import' ? `imported by ${s.importedBy} on ${when(s.at!)}` : 'the patient (STOP) or their carrier';

function OptOuts() {
  const list = useQuery({ queryKey: keys.optOuts(), queryFn: () => api('/api/v1/opt-outs') });
  const items = list.data?.items ?? [];
  return (
    <>
      <h2>Opted-out patients</h2>
      <p className="sub">Nothing is sent on a channel a patient opted out of; they opt back in by replying START. An import never removes an opt-out.</p>
      {items.length === 0 ? (
        <p>No one has opted out.</p>
      ) : (
        <table className="grid">
          <thead><tr><th scope="col">Name</th><th scope="col">Phone / email</th><th scope="col">Opted out of</th></tr></thead>
          <tbody>
            {items.map((c: { id: string; name: string; phone: string | null; email: string | null; optOutSources: OptOutSource[] }) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{c.phone ? phone(c.phone) : c.email}</td>
                <td>
                  {c.optOutSources.map((s) => (
                    <div key={s.channel}>
                      {channelNames[s.channel]} <span className="sub">— {describeSource(s)}</span>
                    </div>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

interface PlanSummary {
  plan: 'free' | 'pro' | 'accelerator';
  name: string;
  monthlyPriceCents: number;
  features: string[];
  limits: { guestConversationsPerMonth: number | null };
}
const featureNames: Record<string, string> = { crm: 'contacts CRM', two_way_sms: 'two-way SMS' };
const describePlan = (p: PlanSummary) =>
  [p.limits.guestConversationsPerMonth === null ? 'unlimited web conversations' : `${p.limits.guestConversationsPerMonth} new web conversations a month`, ...p.features.map((f) => featureNames[f] ?? f)].join(', ');

/** P4: the plan, this month's usage against its limits, and (for the main admin) the other plans. */
function Plan({ me }: { me: Me }) {
  const plan = useQuery({ queryKey: keys.plan(), queryFn: () => api<PlanSummary & { usage: { guestConversationsThisMonth: number; heldConversations: number }; available: PlanSummary[] }>('/api/v1/plan') });
  const { error, run } = useAction([keys.plan(), keys.conversations.all]);
  if (!plan.data) return <h2>Plan</h2>;
  const p = plan.data;
  const limit = p.limits.guestConversationsPerMonth;
  return (
    <>
      <h2>Plan & billing</h2>
      <p>You are on <strong>{p.name}</strong>: {describePlan(p)}.</p>
      <p>
        New web conversations this month: <strong>{p.usage.guestConversationsThisMonth}</strong>
        {limit !== null ? ` of ${limit}` : ''}.
      </p>
      {limit !== null && <progress max={limit} value={Math.min(limit, p.usage.guestConversationsThisMonth)} aria-label="Web conversations used this month" />}
      {p.usage.heldConversations > 0 && (
        <p className="notice" role="status">
          🔒 {p.usage.heldConversations} web {p.usage.heldConversations === 1 ? 'conversation is' : 'conversations are'} waiting over the monthly limit. They are kept, and appear as soon as the plan allows.
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <table className="report">
        <thead><tr><th scope="col">Plan</th><th scope="col">Includes</th><th scope="col">Price</th><th scope="col"><span className="visually-hidden">Action</span></th></tr></thead>
        <tbody>
          {p.available.map((a) => (
            <tr key={a.plan}>
              <th scope="row">{a.name}</th>
              <td>{describePlan(a)}</td>
              <td>{a.monthlyPriceCents ? `$${(a.monthlyPriceCents / 100).toFixed(0)}/month` : 'Free'}</td>
              <td>
                {a.plan === p.plan ? 'Current plan' : me.role === 'main_admin' ? (
                  <button type="button" className="secondary" onClick={() => run(() => api('/api/v1/plan', { method: 'PUT', body: { plan: a.plan } }))}>Switch to {a.name}</button>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(me.role === 'admin' || me.role === 'main_admin') && <Charges />}
    </>
  );
}

/** P1: what each clinic's public page shows, and whether guest reply emails may quote the reply. */
const weekdayNames = [['mon', 'Monday'], ['tue', 'Tuesday'], ['wed', 'Wednesday'], ['thu', 'Thursday'], ['fri', 'Friday'], ['sat', 'Saturday'], ['sun', 'Sunday']] as const;

function PublicPages() {
  const clinics = useQuery({ queryKey: keys.clinics(), queryFn: () => api('/api/v1/clinics') });
  const { error, run } = useAction([keys.clinics()]);
  return (
    <>
      <h2>Public pages</h2>
      <p className="sub">Patients write to you from these pages without an account; their messages arrive in the inbox on the Web channel.</p>
      {error && <p className="error" role="alert">{error}</p>}
      {(clinics.data?.items ?? []).map((c: { id: string; name: string; slug: string; phone: string | null; address: string | null; hours: string | null; guestEmailPreview: boolean; openingHours: Record<string, { open: string; close: string }[]>; afterHoursReply: string | null }) => (
        <form
          key={c.id}
          className="stack-form"
          aria-label={`Public page of ${c.name}`}
          onSubmit={(e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const text = (name: string) => String(f.get(name) ?? '').trim() || null;
            const openingHours = Object.fromEntries(
              weekdayNames.flatMap(([day]) => {
                const m = /^(\d\d:\d\d)\s*[-–]\s*(\d\d:\d\d)$/.exec(String(f.get(`day-${day}`) ?? '').trim());
                return m ? [[day, [{ open: m[1], close: m[2] }]]] : [];
              }),
            );
            void run(() =>
              api(`/api/v1/clinics/${c.id}`, {
                method: 'PATCH',
                body: { phone: text('phone'), address: text('address'), guestEmailPreview: f.get('preview') === 'on', openingHours, afterHoursReply: text('afterHours') },
              }),
            );
          }}
        >
          <h3>{c.name} — <a href={`/c/${c.slug}`} target="_blank" rel="noreferrer">/c/{c.slug}</a></h3>
          <label>Address <input name="address" defaultValue={c.address ?? ''} /></label>
          <label>Phone <input name="phone" defaultValue={c.phone ?? ''} /></label>
          <label className="check"><input type="checkbox" name="preview" defaultChecked={c.guestEmailPreview} /> Reply emails may quote the first words of the reply (off: the email only says you replied)</label>
          <fieldset>
            <legend>Opening hours (shown on the public page, and used for reply targets and the after-hours reply; blank is closed)</legend>
            {weekdayNames.map(([day, label]) => (
              <label key={day}>{label} <input name={`day-${day}`} defaultValue={(c.openingHours[day] ?? []).map((i) => `${i.open}-${i.close}`)[0] ?? ''} placeholder="08:00-17:00" /></label>
            ))}
          </fieldset>
          <label>After-hours reply (blank is off) <textarea name="afterHours" defaultValue={c.afterHoursReply ?? ''} placeholder="Thanks for writing! We are closed now and will answer when we open." /></label>
          <button type="submit">Save</button>
        </form>
      ))}
    </>
  );
}

function Templates() {
  const list = useQuery({ queryKey: keys.templates(), queryFn: () => api('/api/v1/templates') });
  const { error, run } = useAction([keys.templates()]);
  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    await run(async () => {
      await post('/api/v1/templates', { name: f.get('name'), body: f.get('body') });
      form.reset();
    });
  }
  return (
    <>
      <h2>Templates</h2>
      <p className="sub">Placeholders: {(list.data?.placeholders ?? []).map((p: string) => `{{${p}}}`).join(' ')}</p>
      {error && <p className="error" role="alert">{error}</p>}
      <ul>{(list.data?.items ?? []).map((t: { id: string; name: string; body: string }) => <li key={t.id}><strong>{t.name}</strong> — {t.body}</li>)}</ul>
      <form className="inline-form" onSubmit={add} aria-label="New template">
        <label>Name <input name="name" required /></label>
        <label className="grow">Text <input name="body" required placeholder="Hi {{patient.firstName}}, …" /></label>
        <button type="submit">Save template</button>
      </form>
    </>
  );
}
