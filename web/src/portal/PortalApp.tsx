/**
 * P2: the patient portal — sign in (separate from staff), communication preferences, the inbox and
 * chat with read receipts, and sensitive messages behind a second password entry (M12).
 */
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { clinicShortTime, clinicTime } from '../../../src/orgs/rules';
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
    if (e instanceof ApiError && e.status === 413) throw new ApiError(413, e.code, 'This file is larger than 25 MB. Choose a smaller photo or PDF, or take the photo again at a lower size.');
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

export function PortalApp() {
  const queryClient = useQueryClient();
  const [me, setMe] = useState<PortalMe | null | undefined>(undefined);
  const [notice, setNotice] = useState<string | null>(null);
  const path = usePath();

  const signedIn = useCallback((next: PortalMe) => {
    portalClient.setSession(next.csrfToken);
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
  if (me === undefined) return <p className="loading">Loading…</p>;
  if (me === null) return <PortalSignIn notice={notice} onSignedIn={signedIn} />;
  const conversationId = /^\/portal\/c\/([0-9a-f-]{36})$/.exec(path)?.[1];
  return (
    <div className="portal">
      <header className="topbar">
        <strong className="brand">Patient portal</strong>
        <a href="/portal" onClick={(e) => { e.preventDefault(); navigate('/portal'); }}>Messages</a>
        <span className="spacer" />
        <span className="who">{me.name}</span>
        <button type="button" className="secondary" onClick={async () => { await call('/api/v1/portal/logout', 'POST').catch(() => {}); signedOut(null); }}>Sign out</button>
      </header>
      <main className="portal-main">
        {conversationId ? <PortalThread id={conversationId} me={me} onMe={setMe} /> : <PortalInbox me={me} onMe={setMe} />}
      </main>
    </div>
  );
}

function PortalSignIn({ notice, onSignedIn }: { notice: string | null; onSignedIn: (m: PortalMe) => void }) {
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
        <h1>Patient portal</h1>
        {notice && <p className="notice" role="status">{notice}</p>}
        <label>Clinic address <input value={clinic} onChange={(e) => setClinic(e.target.value)} required placeholder="riverside-dental" aria-describedby="clinic-hint" /></label>
        <p className="sub" id="clinic-hint">The last part of your clinic's page address: /c/<em>clinic-address</em>.</p>
        <label>Email <input name="email" type="email" autoComplete="username" required /></label>
        <label>Password <input name="password" type="password" autoComplete="current-password" required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit">Sign in</button>
        <p className="sub">No account yet? Your clinic sends you an invitation link.</p>
      </form>
    </main>
  );
}

function Activate({ onDone }: { onDone: (m: PortalMe) => void }) {
  const token = window.location.hash.slice(1);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    if (f.get('password') !== f.get('confirm')) return setError('The two passwords are not the same.');
    try {
      onDone(await call<PortalMe>('/api/v1/portal/activate', 'POST', { token, password: f.get('password') }));
    } catch (err) {
      setError((err as Error).message);
    }
  }
  return (
    <main className="signin">
      <form className="card" onSubmit={submit}>
        <h1>Choose your portal password</h1>
        <p className="sub">At least 10 characters. You will use it with your email to sign in.</p>
        <label>New password <input name="password" type="password" autoComplete="new-password" minLength={10} required /></label>
        <label>The same password again <input name="confirm" type="password" autoComplete="new-password" minLength={10} required /></label>
        {error && <p className="error" role="alert">{error}</p>}
        <button type="submit">Save and sign in</button>
      </form>
    </main>
  );
}

function Preferences({ me, onMe }: { me: PortalMe; onMe: (m: PortalMe) => void }) {
  const [error, setError] = useState<string | null>(null);
  // Shown at once; put back if the clinic's server refuses.
  const [checked, setChecked] = useState(me.chatOptIn);
  return (
    <section className="card prefs" aria-labelledby="prefs-title">
      <h2 id="prefs-title">Communication preferences</h2>
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
        Chat with the clinic in the portal
      </label>
      <p className="sub">{me.chatOptIn ? 'The clinic can message you here, and you can write to them.' : 'Turn this on to message the clinic and receive their messages here.'}</p>
      {error && <p className="error" role="alert">{error}</p>}
    </section>
  );
}

function PortalInbox({ me, onMe }: { me: PortalMe; onMe: (m: PortalMe) => void }) {
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
      <h1>Messages</h1>
      <ul className="portal-inbox" aria-label="Conversations">
        {(inbox.data?.items ?? []).map((c) => (
          <li key={c.id}>
            <a href={`/portal/c/${c.id}`} onClick={(e) => { e.preventDefault(); navigate(`/portal/c/${c.id}`); }}>
              <strong>{c.clinic.name}</strong>
              {c.unread > 0 && <span className="badge" aria-label={`${c.unread} new`}>{c.unread}</span>}
              <span className="preview">{c.lastMessage.sensitive ? '🔒 ' : ''}{c.lastMessage.preview}</span>
              <span className="sub">{clinicShortTime(c.lastMessage.createdAt, c.clinic.timezone)}</span>
            </a>
          </li>
        ))}
      </ul>
      {inbox.isSuccess && inbox.data.items.length === 0 && <p className="sub">No messages yet.</p>}
      {me.chatOptIn && (
        <form className="card" onSubmit={write} aria-label="Write to the clinic">
          <h2>Write to the clinic</h2>
          <label>Clinic <select name="clinicId">{me.clinics.map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}</select></label>
          <label>Message <textarea name="body" required maxLength={5000} /></label>
          {error && <p className="error" role="alert">{error}</p>}
          <button type="submit">Send</button>
        </form>
      )}
      <Preferences me={me} onMe={onMe} />
    </>
  );
}

function PortalThread({ id, me, onMe }: { id: string; me: PortalMe; onMe: (m: PortalMe) => void }) {
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
  if (thread.isLoading) return <p className="loading">Loading…</p>;
  if (thread.isError) return <p className="empty" role="alert">{(thread.error as Error).message}</p>;
  const t = thread.data!;
  const locked = t.messages.some((m) => m.locked);
  return (
    <section aria-labelledby="portal-thread-title">
      <h1 id="portal-thread-title">{t.clinic.name}</h1>
      <ol className="portal-messages" aria-label="Messages">
        {t.messages.map((m) => (
          <li key={m.id} className={`msg ${m.direction === 'inbound' ? 'outbound' : 'inbound'}`}>
            <div className="label">
              {m.from} · <time dateTime={m.createdAt}>{clinicTime(m.createdAt, t.clinic.timezone)}</time>
              {m.direction === 'inbound' && <span className="sub"> · {m.status === 'read' ? 'Seen by the clinic' : 'Delivered'}</span>}
            </div>
            {m.locked ? <div className="body locked">🔒 A sensitive message is waiting. Enter your password below to read it.</div> : noteOf(m) ? <div className="body">{noteOf(m)}</div> : null}
            {m.card && (
              <div className="card-preview">
                {m.card.label}: <strong>{m.card.title}</strong>
                {m.card.amount ? ` · ${m.card.amount}` : ''} — <a href={m.card.link}>Open</a>
              </div>
            )}
            {m.attachments.map((a) => (
              <a key={a.id} className="attachment" href={`/api/v1/portal/attachments/${a.id}`} target="_blank" rel="noreferrer">
                {a.contentType.startsWith('image/') ? <img className="attachment-image" src={`/api/v1/portal/attachments/${a.id}`} alt={a.filename} /> : `${a.filename} (${Math.ceil(a.size / 1024)} KB)`}
              </a>
            ))}
          </li>
        ))}
      </ol>
      {error && <p className="error" role="alert">{error}</p>}
      {locked && (
        <form className="card" onSubmit={reauth} aria-label="Enter your password to read sensitive messages">
          <label>Your password <input name="password" type="password" autoComplete="current-password" required /></label>
          <p className="sub">Sensitive messages stay visible for 5 minutes.</p>
          <button type="submit">Show sensitive messages</button>
        </form>
      )}
      {me.chatOptIn ? (
        <form className="card" onSubmit={send} aria-label="Write back">
          <label htmlFor="portal-reply">Reply</label>
          <textarea id="portal-reply" value={text} onChange={(e) => setText(e.target.value)} onKeyDown={(e) => {
            // Seed 003: Enter sends, Shift+Enter adds a line.
            if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              void send();
            }
          }} required={!file} maxLength={5000} />
          <p className="sub">Enter sends, Shift+Enter adds a line.</p>
          {file ? (
            <p className="attachment-chosen">
              Attached: {file.name} ({Math.ceil(file.size / 1024)} KB){' '}
              <button type="button" className="link" onClick={() => setFile(null)}>Remove</button>
            </p>
          ) : (
            <label className="attach-file">
              Attach a photo or PDF
              <input type="file" accept="image/*,application/pdf" onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
                e.target.value = '';
              }} />
            </label>
          )}
          <button type="submit" disabled={!text.trim() && !file}>Send</button>
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

/**
 * The text written with a card: the message's body is that note followed by the card's own line
 * ("Appointment: Cleaning", drawn as the card instead), or the line alone.
 */
function noteOf(m: { body: string | null; card: { label: string; title: string } | null }): string | null {
  if (!m.card || !m.body) return m.body;
  const line = `${m.card.label}: ${m.card.title}`;
  return m.body.endsWith(line) ? m.body.slice(0, -line.length).trim() || null : m.body;
}
