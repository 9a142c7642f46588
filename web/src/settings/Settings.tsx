import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { LanguageSettings } from './Language';
import { api, post } from '../shared/api';
import { navigate, usePath } from '../shared/router';
import type { Me, Ok } from '../shared/types';
import { Campaigns, Webhooks } from './Automation';
import { Security } from './Security';
import { EmergencyReview } from '../inbox/Emergency';
import { ImportWizard } from '../contacts/ImportWizard';
import { NotificationSettings } from './NotificationSettings';
import { AuditPage } from '../reports/AuditPage';
import { Charges } from './Charges';
import { SmsInbox, useCurrentPlan } from './SmsInbox';
import { refusalSentence } from '../shared/errors';
import { locale, number, phone, when } from '../shared/format';
import { formatMoney } from '../../../src/i18n/format';
import { i18next } from '../shared/i18n';
import { catalogues, defaultLanguage, languages, type Language } from '../../../src/i18n';
import { keys } from '../shared/queryKeys';
import { useAction } from '../shared/useAction';

const privilegeNames = { send_messages: 'privileges.send_messages', inbox: 'privileges.inbox', contacts: 'privileges.contacts' } as const;
type Privilege = keyof typeof privilegeNames;
type SectionId = 'team' | 'inboxes' | 'import' | 'templates' | 'public' | 'campaigns' | 'webhooks' | 'optouts' | 'sms' | 'notifications' | 'language' | 'plan' | 'security' | 'emergency' | 'audit';

/** Settings: team and privileges, inboxes, opted-out patients, the two-way SMS inbox, the plan, the audit log. */
export function Settings({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
  const isAdmin = me.role === 'admin' || me.role === 'main_admin';
  // Seed 004: the SMS tab carries a lock below the Accelerator plan, and follows a plan change at once.
  const smsLocked = useCurrentPlan(me) !== 'accelerator';
  const sections = (
    [
      isAdmin && 'team',
      isAdmin && 'inboxes',
      isAdmin && 'import',
      isAdmin && 'templates',
      isAdmin && 'public',
      isAdmin && 'campaigns',
      isAdmin && 'webhooks',
      (me.privileges.includes('contacts') || me.privileges.includes('send_messages')) && 'optouts',
      me.privileges.includes('inbox') && 'sms',
      'notifications',
      'language',
      'plan',
      'security',
      isAdmin && 'emergency',
      isAdmin && 'audit',
    ].filter(Boolean) as SectionId[]
  ).map((id) => [id, t(`settings.sections.${id}`)] as const);
  // The section is in the address (/settings/audit), so it can be bookmarked, linked and reloaded.
  const path = usePath();
  const wanted = path === '/audit' ? 'audit' : /^\/settings\/([a-z]+)/.exec(path)?.[1];
  const section = sections.find(([id]) => id === wanted)?.[0] ?? sections[0]![0];
  const setSection = (id: string) => navigate(`/settings/${id}`);
  return (
    <main className="settings">
      <h1 className="visually-hidden">{t('nav.settings')}</h1>
      <nav className="settings-nav" aria-label={t('settings.sectionsLabel')}>
        {sections.map(([id, label]) => (
          <button key={id} type="button" className={id === section ? '' : 'secondary'} aria-pressed={id === section} onClick={() => setSection(id)}>
            {label}
            {id === 'sms' && smsLocked && <span aria-label={t('settings.smsLocked')}> 🔒</span>}
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
        {section === 'language' && <LanguageSettings me={me} />}
        {section === 'emergency' && <EmergencyReview myId={me.user.id} />}
        {section === 'audit' && <AuditPage />}
      </section>
    </main>
  );
}

function Team({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
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
      <h2>{t('team.title')}</h2>
      {error && <p className="error" role="alert">{error}</p>}
      <table className="grid">
        <thead>
          <tr>
            <th scope="col">{t('contacts.name')}</th>
            <th scope="col">{t('team.role')}</th>
            {Object.values(privilegeNames).map((n) => (
              <th scope="col" key={n}>{t(n)}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {(users.data?.items ?? []).map((u: { id: string; name: string; email: string; role: string; privileges: Privilege[] }) => (
            <tr key={u.id}>
              <td>{u.name}<div className="sub">{u.email}</div></td>
              <td>{t(`roles.${u.role}`, { defaultValue: u.role.replace('_', ' ') })}</td>
              {(Object.keys(privilegeNames) as Privilege[]).map((p) => (
                <td key={p}>
                  <input type="checkbox" aria-label={t('team.privilegeFor', { privilege: t(privilegeNames[p]), name: u.name })} checked={u.privileges.includes(p)} disabled={u.role === 'main_admin'} onChange={() => toggle(u, p)} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline-form" onSubmit={add} aria-label={t('team.add')}>
        <h3>{t('team.add')}</h3>
        <label>{t('contacts.name')} <input name="name" required /></label>
        <label>{t('contacts.email')} <input name="email" type="email" required /></label>
        <label>{t('team.password')} <input name="password" type="password" minLength={10} required /></label>
        <label>{t('team.role')} <select name="role" defaultValue="receptionist">{(['receptionist', 'doctor', 'nurse', 'admin'] as const).map((r) => <option key={r} value={r}>{t(`team.roles.${r}`)}</option>)}</select></label>
        {(Object.keys(privilegeNames) as Privilege[]).map((p) => (
          <label key={p} className="check"><input type="checkbox" name={p} defaultChecked={p === 'send_messages'} /> {t(privilegeNames[p])}</label>
        ))}
        <button type="submit">{t('team.addButton')}</button>
      </form>
    </>
  );
}

function Inboxes() {
  const { t } = useTranslation('staff');
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
      <h2>{t('settings.sections.inboxes')}</h2>
      <p className="sub">{t('inboxes.intro')}</p>
      {error && <p className="error" role="alert">{error}</p>}
      <ul>{(inboxes.data?.items ?? []).map((i: { id: string; name: string }) => <li key={i.id}>{i.name}</li>)}</ul>
      <form className="inline-form" onSubmit={add}>
        <label>{t('inboxes.new')} <input name="name" required /></label>
        <button type="submit">{t('inboxes.create')}</button>
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
const describeSource = (s: OptOutSource) =>
  s.source === 'import' ? i18next.t('staff:optouts.imported', { name: s.importedBy, when: when(s.at!) }) : i18next.t('staff:optouts.byPatient');

function OptOuts() {
  const { t } = useTranslation('staff');
  const list = useQuery({ queryKey: keys.optOuts(), queryFn: () => api('/api/v1/opt-outs') });
  const items = list.data?.items ?? [];
  return (
    <>
      <h2>{t('settings.sections.optouts')}</h2>
      <p className="sub">{t('optouts.intro')}</p>
      {items.length === 0 ? (
        <p>{t('optouts.none')}</p>
      ) : (
        <table className="grid">
          <thead><tr><th scope="col">{t('contacts.name')}</th><th scope="col">{t('optouts.contact')}</th><th scope="col">{t('contact.optedOut')}</th></tr></thead>
          <tbody>
            {items.map((c: { id: string; name: string; phone: string | null; email: string | null; optOutSources: OptOutSource[] }) => (
              <tr key={c.id}>
                <td>{c.name}</td>
                <td>{c.phone ? phone(c.phone) : c.email}</td>
                <td>
                  {c.optOutSources.map((s) => (
                    <div key={s.channel}>
                      {t(`channels.${s.channel}`)} <span className="sub">— {describeSource(s)}</span>
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
const describePlan = (p: PlanSummary) =>
  new Intl.ListFormat(locale(), { type: 'conjunction' }).format([
    p.limits.guestConversationsPerMonth === null ? i18next.t('staff:plan.unlimited') : i18next.t('staff:plan.perMonth', { count: p.limits.guestConversationsPerMonth }),
    ...p.features.map((f) => i18next.t(`staff:plan.features.${f}`, { defaultValue: f })),
  ]);

/** P4: the plan, this month's usage against its limits, and (for the main admin) the other plans. */
function Plan({ me }: { me: Me }) {
  const { t } = useTranslation('staff');
  const plan = useQuery({ queryKey: keys.plan(), queryFn: () => api<PlanSummary & { usage: { guestConversationsThisMonth: number; heldConversations: number }; available: PlanSummary[] }>('/api/v1/plan') });
  const { error, run } = useAction([keys.plan(), keys.conversations.all]);
  if (!plan.data) return <h2>{t('plan.plan')}</h2>;
  const p = plan.data;
  const limit = p.limits.guestConversationsPerMonth;
  return (
    <>
      <h2>{t('settings.sections.plan')}</h2>
      <p><Trans t={t} i18nKey="plan.current" values={{ name: p.name, includes: describePlan(p) }} components={{ strong: <strong /> }} /></p>
      <p>
        <Trans t={t} i18nKey={limit !== null ? 'plan.usageOf' : 'plan.usage'} values={{ used: number(p.usage.guestConversationsThisMonth), limit: limit !== null ? number(limit) : '' }} components={{ strong: <strong /> }} />
      </p>
      {limit !== null && <progress max={limit} value={Math.min(limit, p.usage.guestConversationsThisMonth)} aria-label={t('plan.used')} />}
      {p.usage.heldConversations > 0 && (
        <p className="notice" role="status">
          🔒 {t('plan.held', { count: p.usage.heldConversations })}
        </p>
      )}
      {error && <p className="error" role="alert">{error}</p>}
      <table className="report">
        <thead><tr><th scope="col">{t('plan.plan')}</th><th scope="col">{t('plan.includes')}</th><th scope="col">{t('plan.price')}</th><th scope="col"><span className="visually-hidden">{t('audit.action')}</span></th></tr></thead>
        <tbody>
          {p.available.map((a) => (
            <tr key={a.plan}>
              <th scope="row">{a.name}</th>
              <td>{describePlan(a)}</td>
              <td>{a.monthlyPriceCents ? t('plan.monthly', { price: formatMoney(a.monthlyPriceCents, 'USD', locale()) }) : t('plan.free')}</td>
              <td>
                {a.plan === p.plan ? t('plan.currentPlan') : me.role === 'main_admin' ? (
                  <button type="button" className="secondary" onClick={() => run(() => api('/api/v1/plan', { method: 'PUT', body: { plan: a.plan } }))}>{t('plan.switch', { name: a.name })}</button>
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
const weekdayNames = [['mon', 5], ['tue', 6], ['wed', 7], ['thu', 8], ['fri', 9], ['sat', 10], ['sun', 11]] as const;
/** A weekday's name in the user's language, from Intl (2024-02-05 was a Monday). */
const weekdayName = (date: number) => new Intl.DateTimeFormat(locale(), { weekday: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 1, date)));

function PublicPages() {
  const { t } = useTranslation('staff');
  const clinics = useQuery({ queryKey: keys.clinics(), queryFn: () => api('/api/v1/clinics') });
  const { error, run } = useAction([keys.clinics()]);
  return (
    <>
      <h2>{t('settings.sections.public')}</h2>
      <p className="sub">{t('public.intro')}</p>
      {error && <p className="error" role="alert">{error}</p>}
      {(clinics.data?.items ?? []).map((c: { id: string; name: string; slug: string; phone: string | null; address: string | null; hours: string | null; guestEmailPreview: boolean; openingHours: Record<string, { open: string; close: string }[]>; afterHoursReply: string | null; afterHoursReplyTranslations: Partial<Record<Language, string>> }) => (
        <form
          key={c.id}
          className="stack-form"
          aria-label={t('public.of', { clinic: c.name })}
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
            const afterHoursReplyTranslations = Object.fromEntries(otherLanguages(defaultLanguage).flatMap((l) => (text(`afterHours-${l}`) ? [[l, text(`afterHours-${l}`)]] : [])));
            void run(() =>
              api(`/api/v1/clinics/${c.id}`, {
                method: 'PATCH',
                body: { phone: text('phone'), address: text('address'), guestEmailPreview: f.get('preview') === 'on', openingHours, afterHoursReply: text('afterHours'), afterHoursReplyTranslations },
              }),
            );
          }}
        >
          <h3>{c.name} — <a href={`/c/${c.slug}`} target="_blank" rel="noreferrer">/c/{c.slug}</a></h3>
          <label>{t('public.address')} <input name="address" defaultValue={c.address ?? ''} /></label>
          <label>{t('contacts.phone')} <input name="phone" defaultValue={c.phone ?? ''} /></label>
          <label className="check"><input type="checkbox" name="preview" defaultChecked={c.guestEmailPreview} /> {t('public.preview')}</label>
          <fieldset>
            <legend>{t('public.hours')}</legend>
            {weekdayNames.map(([day, date]) => (
              <label key={day}>{weekdayName(date)} <input name={`day-${day}`} defaultValue={(c.openingHours[day] ?? []).map((i) => `${i.open}-${i.close}`)[0] ?? ''} placeholder="08:00-17:00" /></label>
            ))}
          </fieldset>
          <label>{t('public.afterHours')} <textarea name="afterHours" defaultValue={c.afterHoursReply ?? ''} placeholder={t('public.afterHoursHint')} /></label>
          {otherLanguages(defaultLanguage).map((l) => (
            <label key={l}>{t('public.afterHoursIn', { language: languageName(l) })} <textarea name={`afterHours-${l}`} lang={l} defaultValue={c.afterHoursReplyTranslations[l] ?? ''} /></label>
          ))}
          <button type="submit">{t('public.save')}</button>
        </form>
      ))}
    </>
  );
}

/** Each language named in itself ("Español"), as a patient's language is chosen everywhere. */
const languageName = (l: Language) => catalogues[l].common.languageName;
const otherLanguages = (written: string) => languages.filter((l) => l !== written);

/** The versions typed into a form, by language; blank ones left out (the template's own text goes instead). */
function versionsIn(f: FormData, written: string): Partial<Record<Language, string>> {
  return Object.fromEntries(otherLanguages(written).map((l) => [l, String(f.get(`version-${l}`) ?? '').trim()]));
}

type TemplateItem = Ok<'getTemplates'>['items'][number];

/** Issue 18: a template's versions in the other languages, edited in place. */
function TemplateVersions({ template, run }: { template: TemplateItem; run: (action: () => Promise<unknown>) => Promise<unknown> }) {
  const { t } = useTranslation('staff');
  return (
    <form
      className="stack-form"
      aria-label={t('templates.versionsOf', { name: template.name })}
      onSubmit={(e) => {
        e.preventDefault();
        const translations = versionsIn(new FormData(e.currentTarget), template.language);
        void run(() => api(`/api/v1/templates/${template.id}`, { method: 'PATCH', body: { translations } }));
      }}
    >
      {otherLanguages(template.language).map((l) => (
        <label key={l}>{t('templates.version', { language: languageName(l) })} <textarea name={`version-${l}`} lang={l} defaultValue={template.translations[l] ?? ''} /></label>
      ))}
      <button type="submit" className="secondary">{t('templates.saveVersions')}</button>
    </form>
  );
}

function Templates() {
  const { t } = useTranslation('staff');
  const list = useQuery({ queryKey: keys.templates(), queryFn: () => api('/api/v1/templates') });
  const { error, run } = useAction([keys.templates()]);
  async function add(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = e.currentTarget;
    const f = new FormData(form);
    await run(async () => {
      await post('/api/v1/templates', { name: f.get('name'), body: f.get('body'), translations: versionsIn(f, defaultLanguage) });
      form.reset();
    });
  }
  return (
    <>
      <h2>{t('settings.sections.templates')}</h2>
      <p className="sub">{t('templates.placeholders', { list: (list.data?.placeholders ?? []).map((p: string) => `{{${p}}}`).join(' ') })}</p>
      {error && <p className="error" role="alert">{error}</p>}
      <p className="sub">{t('templates.versionsHint')}</p>
      <ul>
        {(list.data?.items ?? []).map((x: TemplateItem) => (
          <li key={x.id}>
            <strong>{x.name}</strong> — {x.body}
            <TemplateVersions template={x} run={run} />
          </li>
        ))}
      </ul>
      <form className="inline-form" onSubmit={add} aria-label={t('templates.new')}>
        <label>{t('contacts.name')} <input name="name" required /></label>
        <label className="grow">{t('templates.text')} <input name="body" required placeholder={t('templates.textHint')} /></label>
        {otherLanguages(defaultLanguage).map((l) => (
          <label key={l} className="grow">{t('templates.version', { language: languageName(l) })} <input name={`version-${l}`} lang={l} /></label>
        ))}
        <button type="submit">{t('templates.save')}</button>
      </form>
    </>
  );
}
