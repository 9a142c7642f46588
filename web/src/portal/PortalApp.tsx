/**
 * P2: the patient portal — sign in (separate from staff), communication preferences, the inbox and
 * chat with read receipts, and sensitive messages behind a second password entry (M12).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { clinicShortTime } from '../../../src/orgs/rules';
import { formatDateTime } from '../../../src/i18n/format';
import { localeOf } from '../../../src/i18n/patient-language';
import { applyUserLanguage, i18next } from '../shared/i18n';
import { ApiClient, ApiError } from '../shared/api';
import { keys } from '../shared/queryKeys';
import type { Ok } from '../shared/types';
import { navigate, usePath } from '../shared/router';

/** The portal's session (its own cookie and CSRF token), through the client the staff app uses too. */
const portalClient = new ApiClient((path) => /\/portal\/(login|reauth|activate)$/.test(path));

/** JSON, or a FormData (a file with its message) that the browser sends as multipart with its own boundary. */
async function call<T = any>(path: string, method = 'GET', body?: unknown): Promise<T> {
  try {
    return await portalClient.request<T>(path, body instanceof FormData ? { method, form: body } : { method, body });
  } catch (e) {
    if (e instanceof ApiError && e.status === 413) throw new ApiError(413, e.code, i18next.t('patient:portal.fileTooLarge'));
    throw e;
  }
}

/** What the portal's routes answer, from the server's schemas (shared/api-types.ts). */
type PortalMe = Ok<'getPortalMe'>;
type InboxItem = Ok<'getPortalConversations'>['items'][number];
type PortalThreadPage = Ok<'getPortalConversationsById'>;
/** Times show in the clinic's zone, the staff app's format (defect 8), whatever the patient's device is set to. */
type PortalClinic = PortalThreadPage['clinic'];
type PortalMessage = PortalThreadPage['messages'][number];

const clinicKey = 'frontdesk.portal.clinic';

/** The patient's language: the clinic's record of it when signed in, else the browser's. */
const locale = () => localeOf(i18next.language as 'en' | 'es');

export function PortalApp() {
  const { t } = useTranslation('patient');
  const queryClient = useQueryClient();
  const [me, setMe] = useState<PortalMe | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const path = usePath();

  const signedIn = useCallback((next: PortalMe) => {
    portalClient.setSession(next.csrfToken);
    applyUserLanguage(next.language);
    setMe(next);
    setNotice(null);
  }, []);
  const signedOut = useCallback(
    (reason: string | null) => {
      portalClient.setSession(null);
      queryClient.clear();
      setMe(null);
      setNotice(reason);
    },
    [queryClient],
  );
  useEffect(() => portalClient.setSignedOut(signedOut), [signedOut]);

  useEffect(() => {
    call<PortalMe>('/api/v1/portal/me').then(signedIn, () => setMe(null));
  }, [signedIn]);

  if (path.startsWith('/portal/activate')) return <Activate onDone={(m) => { signedIn(m); navigate('/portal'); }} />;
  if (me === undefined) return <p className="loading">{t('portal.loading')}</p>;
  if (me === null) return <PortalSignIn notice={notice} onSignedIn={signedIn} />;
  const conversationId = /^\/portal\/c\/([0-9a-f-]{36})$/.exec(path)?.[1];
  return (
    <div className="portal">
      <header className="topbar">
        <strong className="brand">{t('portal.brand')}</strong>
        <a href="/portal" onClick={(e) => { e.preventDefault(); navigate('/portal'); }}>{t('portal.messages')}</a>
        <span className="spacer" />
        <span className="who">{me.name}</span>
        <button type="button" className="secondary" onClick={async () => { await call('/api/v1/portal/logout', 'POST').catch(() => {}); signedOut(null); }}>{t('portal.signOut')}</button>
      </header>
      <main className="portal-main">
        {conversationId ? <PortalThread id={conversationId} me={me} onMe={setMe} /> : <PortalInbox me={me} onMe={setMe} />}
      </main>
    </div>
  );
}

function PortalSignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (m: PortalMe) => void }) {
  const { t } = useTranslation('patient');
  const fromUrl = new URLSearchParams(window.location.search).get('clinic');
  const [clinic, setClinic] = useState(fromUrl ?? localStorage.getItem(clinicKey) ?? '');
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(null);
    try {
      const me = await call<PortalMe>('/api/v1/portal/login', 'POST', { clinicSlug: clinic.trim(), email: f.get('email'), password: f.get('password') });
      localStorage.setItem(clinicKey, clinic.trim());
      onSignedIn(me);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <main className="signin">
      <form className="card" onSubmit={submit}>
        <h1>{t('portal.brand')}</h1>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label>{t('portal.clinicAddress')} <input value={clinic} onChange={(e) => setClinic(e.target.value)} required placeholder="riverside-dental" aria-describedby="clinic-hint" /></label>
        <p className="sub" id="clinic-hint">{t('portal.clinicHint')}</p>
        <label>{t('portal.email')} <input name="email" type="email" autoComplete="username" required /></label>
        <label>{t('portal.password')} <input name="password" type="password" autoComplete="current-password" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit">{t('portal.signIn')}</button>
        <p className="sub">{t('portal.noAccount')}</p>
      </form>
    </main>
  );
}

function Activate({ onDone }: { onDone: (m: PortalMe) => void }) {
  const { t } = useTranslation('patient');
  const token = window.location.hash.slice(1);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (f.get('password') !== f.get('confirm')) return setError(t('portal.notSame'));
    try {
      onDone(await call<PortalMe>('/api/v1/portal/activate', 'POST', { token, password: f.get('password') }));
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <main className="signin">
      <form className="card" onSubmit={submit}>
        <h1>{t('portal.choosePassword')}</h1>
        <p className="sub">{t('portal.passwordRule')}</p>
        <label>{t('portal.newPassword')} <input name="password" type="password" autoComplete="new-password" minLength={10} required /></label>
        <label>{t('portal.samePassword')} <input name="confirm" type="password" autoComplete="new-password" minLength={10} required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit">{t('portal.saveAndSignIn')}</button>
      </form>
    </main>
  );
}

function Preferences({ me, onMe }: { me: PortalMe; onMe: (m: PortalMe) => void }) {
  const { t } = useTranslation('patient');
  const [error, setError] = useState<string | null>(null);
  // Shown at once; put back if the clinic's server refuses.
  const [checked, setChecked] = useState(me.chatOptIn);
  return (
    <section className="card prefs" aria-labelledby="prefs-title">
      <h2 id="prefs-title">{t('portal.preferences')}</h2>
      <label className="check">
        <input
          type="checkbox"
          checked={checked}
          onChange={async (e) => {
            const wanted = e.target.checked;
            setChecked(wanted);
            setError(null);
            try {
              onMe(await call<PortalMe>('/api/v1/portal/preferences', 'PUT', { chatOptIn: wanted }));
            } catch (err) {
              setChecked(!wanted);
              setError((err as Error).message);
            }
          }}
        />
        {t('portal.chatOptIn')}
      </label>
      <p className="sub">{me.chatOptIn ? t('portal.chatOn') : t('portal.chatOff')}</p>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function PortalInbox({ me, onMe }: { me: PortalMe; onMe: (m: PortalMe) => void }) {
  const { t } = useTranslation('patient');
  const inbox = useQuery({ queryKey: keys.portal.inbox(), queryFn: () => call<{ items: InboxItem[] }>('/api/v1/portal/conversations'), refetchInterval: 10_000 });
  const [error, setError] = useState<string | null>(null);
  async function write(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    try {
      const res = await call<{ conversationId: string }>('/api/v1/portal/conversations', 'POST', { clinicId: f.get('clinicId'), body: f.get('body') });
      navigate(`/portal/c/${res.conversationId}`);
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <>
      <h1>{t('portal.messages')}</h1>
      <ul className="portal-inbox" aria-label={t('portal.conversations')}>
        {(inbox.data?.items ?? []).map((c) => (
          <li key={c.id}>
            <a href={`/portal/c/${c.id}`} onClick={(e) => { e.preventDefault(); navigate(`/portal/c/${c.id}`); }}>
              <strong>{c.clinic.name}</strong>
              {c.unread > 0 && <span className="badge" aria-label={t('portal.newCount', { count: c.unread })}>{c.unread}</span>}
              <span className="preview">{c.lastMessage.sensitive ? '🔒 ' : ''}{c.lastMessage.preview}</span>
              <span className="sub">{clinicShortTime(c.lastMessage.createdAt, c.clinic.timezone, new Date(), locale())}</span>
            </a>
          </li>
        ))}
      </ul>
      {inbox.isSuccess && inbox.data.items.length === 0 && <p className="sub">{t('portal.noMessages')}</p>}
      {me.chatOptIn && (
        <form className="card" onSubmit={write} aria-label={t('portal.writeToClinic')}>
          <h2>{t('portal.writeToClinic')}</h2>
          <label>{t('portal.clinic')} <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
          <label>{t('portal.message')} <textarea name="body" required maxLength={5000} /></label>
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit">{t('portal.send')}</button>
        </form>
      )}
      <Preferences me={me} onMe={onMe} />
    </>
  );
}

function PortalThread({ id, me, onMe }: { id: string; me: PortalMe; onMe: (m: PortalMe) => void }) {
  const { t } = useTranslation('patient');
  const queryClient = useQueryClient();
  const thread = useQuery({
    queryKey: keys.portal.thread(id),
    queryFn: () => call<PortalThreadPage>(`/api/v1/portal/conversations/${id}`),
    refetchInterval: 5_000,
  });
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const count = thread.data?.messages.length ?? 0;
  const unlocked = thread.data?.sensitiveUnlocked ?? false;
  // Opening the thread reads it: the clinic sees its messages read (M3).
  useEffect(() => {
    if (count) void call(`/api/v1/portal/conversations/${id}/read`, 'POST').catch(() => {});
  }, [id, count, unlocked]);

  // The thread, and the inbox's last line and unread count for it.
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: keys.portal.thread(id) }), queryClient.invalidateQueries({ queryKey: keys.portal.inbox() })]);
  async function reauth(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    setError(null);
    try {
      await call('/api/v1/portal/reauth', 'POST', { password: new FormData(e.currentTarget).get('password') });
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  async function send(e?: FormEvent<HTMLFormElement>) {
    e?.preventDefault();
    if (!text.trim() && !file) return;
    setError(null);
    try {
      if (file) await call(`/api/v1/portal/conversations/${id}/attachments`, 'POST', withFile(text, file));
      else await call(`/api/v1/portal/conversations/${id}/messages`, 'POST', { body: text });
      setText('');
      setFile(null);
      await refresh();
    } catch (err) {
      setError((err as Error).message);
    }
  }
  if (thread.isLoading) return <p className="loading">{t('portal.loading')}</p>;
  if (thread.isError) return <p className="empty" role="alert">{(thread.error as Error).message}</p>;
  const page = thread.data!;
  const locked = page.messages.some((m) => m.locked);
  return (
    <section aria-labelledby="portal-thread-title">
      <h1 id="portal-thread-title">{page.clinic.name}</h1>
      <ol className="portal-messages" aria-label={t('portal.messages')}>
        {page.messages.map((m) => (
          <li key={m.id} className={`msg ${m.direction === 'inbound' ? 'outbound' : 'inbound'}`}>
            <div className="label">
              {m.direction === 'inbound' ? t('portal.you') : m.from} · <time dateTime={m.createdAt}>{formatDateTime(m.createdAt, locale(), page.clinic.timezone)}</time>
              {m.direction === 'inbound' && <span className="sub"> · {m.status === 'read' ? t('portal.seen') : t('portal.delivered')}</span>}
            </div>
            {m.locked ? <div className="body locked">{t('portal.locked')}</div> : m.body ? <div className="body">{m.body}</div> : null}
            {m.card && (
              <div className="card-preview">
                {m.card.label}: <strong>{m.card.title}</strong>
                {m.card.amount ? ` · ${m.card.amount}` : ''} — <a href={m.card.link}>{t('portal.open')}</a>
              </div>
            )}
            {m.attachments.map((a) => (
              <a key={a.id} className="attachment" href={`/api/v1/portal/attachments/${a.id}`} target="_blank" rel="noreferrer">
                {a.contentType.startsWith('image/') ? <img className="attachment-image" src={`/api/v1/portal/attachments/${a.id}`} alt={a.filename} /> : t('portal.fileSize', { name: a.filename, size: Math.ceil(a.size / 1024) })}
              </a>
            ))}
          </li>
        ))}
      </ol>
      {error && <p className="error" role="alert">{error}</p>}
      {locked && (
        <form className="card" onSubmit={reauth} aria-label={t('portal.unlockForm')}>
          <label>{t('portal.yourPassword')} <input name="password" type="password" autoComplete="current-password" required /></label>
          <p className="sub">{t('portal.unlockFor')}</p>
          <button type="submit">{t('portal.unlock')}</button>
        </form>
      )}
      {me.chatOptIn ? (
        <form className="card" onSubmit={send} aria-label={t('portal.writeBack')}>
          <label htmlFor="portal-reply">{t('portal.reply')}</label>
          <textarea id="portal-reply" value={text} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => {
            // Seed 003: Enter sends, Shift+Enter adds a line.
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send();
            }
          }} required={!file} maxLength={5000} />
          <p className="sub">{t('portal.enterSends')}</p>
          {file ? (
            <p className="attachment-chosen">
              {t('portal.attached', { name: file.name, size: Math.ceil(file.size / 1024) })}{' '}
              <button type="button" className="link" onClick={() => setFile(null)}>{t('portal.remove')}</button>
            </p>
          ) : (
            <label className="attach-file">
              {t('portal.attach')}
              <input type="file" accept="image/*,application/pdf" onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                e.target.value = '';
              }} />
            </label>
          )}
          <button type="submit" disabled={!text.trim() && !file}>{t('portal.send')}</button>
        </form>
      ) : (
        <Preferences me={me} onMe={onMe} />
      )}
    </section>
  );
}

function withFile(text: string, file: File): FormData {
  const form = new FormData();
  form.append('body', text);
  form.append('file', file);
  return form;
}
