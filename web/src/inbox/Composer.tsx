import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { Trans, useTranslation } from 'react-i18next';
import { formatMoney } from '../../../src/i18n/format';
import { smsSize } from '../../../src/channels/sms-segments';
import { placeholderLabel, renderTemplate, unfilledPlaceholders } from '../../../src/templates/rules';
import { api, ApiError, post } from '../shared/api';
import { locale, when } from '../shared/format';
import { channelLabel } from '../shared/logic';
import { RichTextEditor } from './RichTextEditor';
import { parseRequestCommand, slashCommands } from '../../../src/artifacts/rules';
import { isOptOutChannel, OptedOutState } from './ContactState';
import { SlashMenu, typedShortcut, type Artifact } from './SlashMenu';
import type { Thread } from '../shared/types';
import { refusalSentence } from '../shared/errors';

/** A short, clinic-appropriate set; each has a name a screen reader reads (composer.emojis in the catalogue). */
const emojis = [
  ['🙂', 'smile'], ['😊', 'happy'], ['👍', 'thumbsUp'], ['🙏', 'thankYou'], ['❤️', 'heart'], ['🎉', 'celebration'],
  ['✅', 'checkMark'], ['📅', 'calendar'], ['⏰', 'alarmClock'], ['🦷', 'tooth'], ['💊', 'pill'], ['🩺', 'stethoscope'],
  ['📞', 'telephone'], ['📍', 'location'], ['👋', 'wave'], ['😷', 'faceMask'],
] as const;

const amount = (cents: number, currency: string | null | undefined) => formatMoney(cents, currency ?? 'USD', locale());

interface Uploaded {
  id: string;
  filename: string;
}

/** K1: Enter sends, Shift+Enter adds a line; the channel picker offers only what reaches this contact. */
export function Composer({ thread, staffName, onSent }: { thread: Thread; staffName: string; onSent: () => Promise<unknown> }) {
  const { t } = useTranslation('staff');
  const templates = useQuery({ queryKey: ['templates'], queryFn: () => api<{ items: { id: string; name: string; body: string }[] }>('/api/v1/templates') });
  const clinics = useQuery({ queryKey: ['clinics'], queryFn: () => api<{ items: { id: string; name: string; phone: string | null; address: string | null; timezone: string }[] }>('/api/v1/clinics') });
  const channels = thread.availableChannels;
  const [channel, setChannel] = useState(channels.includes(thread.channel as never) ? thread.channel : (channels[0] ?? ''));
  const [text, setText] = useState('');
  const [html, setHtml] = useState<string | null>(null);
  const [files, setFiles] = useState<Uploaded[]>([]);
  const [error, setError] = useState<string | null>(null);
  /** WhatsApp refused free text outside the 24-hour window: offer an approved template instead. */
  const [windowClosed, setWindowClosed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const [sensitive, setSensitive] = useState(false);
  const textArea = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const fileInput = useRef<HTMLInputElement>(null);
  const size = channel === 'sms' ? smsSize(text) : null;
  // K3: "/appt", "/invoice", "/rx", "/plan", "/form" attach the patient's latest one as a card.
  const slash = /^(\/\w+)(?:\s+([\s\S]*))?$/.exec(text.trim());
  const slashKind = slash ? slashCommands[slash[1]] : undefined;
  const artifact = useQuery({
    queryKey: ['artifacts', thread.contact.id, slashKind],
    queryFn: () => api<{ items: { id: string; title: string; occurredAt: string | null; amountCents: number | null; currency: string | null }[] }>(`/api/v1/contacts/${thread.contact.id}/artifacts?kind=${slashKind}&limit=1`),
    enabled: Boolean(slashKind),
  });
  // The item picked from the "/" menu, else the patient's latest of the kind.
  const [picked, setPicked] = useState<Artifact | null>(null);
  const cardArtifact = slashKind ? (picked?.kind === slashKind ? picked : artifact.data?.items[0]) : undefined;
  const shortcut = typedShortcut(text);
  const request = parseRequestCommand(text);
  const unfilled = unfilledPlaceholders(text);
  const optedOut = isOptOutChannel(channel) && thread.optedOut[channel];

  async function send(whatsappTemplate?: { name: string; language: string }) {
    if (!text.trim() || busy || unfilled.length || optedOut) return;
    setBusy(true);
    setError(null);
    setWindowClosed(false);
    try {
      if (slashKind && !cardArtifact) throw new Error(t(`composer.noCard.${slashKind}`));
      if (request && 'problem' in request) throw new Error(request.problem);
      await post(`/api/v1/conversations/${thread.id}/messages`, {
        body: cardArtifact ? slash![2]?.trim() || undefined : request ? request.note : text,
        card: cardArtifact ? { kind: slashKind, artifactId: cardArtifact.id } : request?.card,
        channel,
        attachmentIds: files.length ? files.map((f) => f.id) : undefined,
        sensitive: channel === 'portal' && sensitive ? true : undefined,
        html: channel === 'email' && html && !cardArtifact && !request ? html : undefined,
        whatsappTemplate,
      });
      setText('');
      setPicked(null);
      setSensitive(false);
      setFiles([]);
      await onSent();
    } catch (e) {
      setError(refusalSentence(e, { name: thread.contact.name }));
      setWindowClosed(e instanceof ApiError && e.code === 'whatsapp_window_closed');
    } finally {
      setBusy(false);
    }
  }

  function onKeyDown(e: KeyboardEvent<HTMLTextAreaElement>) {
    if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      void send();
    }
  }

  function announceTyping() {
    if (Date.now() - lastTyping.current < 3000) return;
    lastTyping.current = Date.now();
    void post(`/api/v1/conversations/${thread.id}/typing`).catch(() => {});
  }

  async function upload(list: FileList | null) {
    if (!list?.length) return;
    if (channel === 'sms') return setError(t('composer.noSmsFiles'));
    for (const file of Array.from(list)) {
      const form = new FormData();
      form.append('file', file);
      try {
        const uploaded = await api<Uploaded>('/api/v1/attachments', { method: 'POST', form });
        setFiles((f) => [...f, uploaded]);
      } catch (e) {
        setError(t('composer.uploadFailed', { file: file.name, reason: refusalSentence(e) }));
      }
    }
  }

  /** Puts a piece of text where the cursor is (over the selection), and the cursor after it. */
  function insertAtCursor(piece: string) {
    const el = textArea.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + piece + text.slice(end));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + piece.length, start + piece.length);
    });
  }

  function insertEmoji(emoji: string) {
    insertAtCursor(emoji);
    setEmojiOpen(false);
  }

  function insertTemplate(id: string) {
    const template = templates.data?.items.find((x) => x.id === id);
    const clinic = clinics.data?.items.find((c) => c.id === thread.clinicId);
    if (!template || !clinic) return;
    // {{appointment.*}}: the next booking this conversation led to (the API fills in the patient's next one when sending by template).
    const next = thread.bookings.map((b) => new Date(b.startsAt)).filter((d) => d > new Date()).sort((a, b) => a.getTime() - b.getTime())[0];
    // A placeholder without a value stays in the draft, marked below, and Send waits until it is filled in or removed.
    insertAtCursor(renderTemplate(template.body, { patient: { name: thread.contact.name }, clinic, staff: { name: staffName }, appointment: next ? { startsAt: next } : null }, { keepEmpty: true }));
  }

  /** Selects the first "{{name}}" in the draft, so typing replaces it. */
  function selectPlaceholder(name: string) {
    const at = text.search(new RegExp(`\\{\\{\\s*${name.replace('.', '\\.')}\\s*\\}\\}`));
    const el = textArea.current;
    if (at < 0 || !el) return;
    el.focus();
    el.setSelectionRange(at, text.indexOf('}}', at) + 2);
  }

  if (!channels.length) return <p className="composer empty">{t('composer.noChannel')}</p>;
  return (
    <div
      className="composer"
      onDragOver={(e: DragEvent) => e.preventDefault()}
      onDrop={(e: DragEvent) => {
        e.preventDefault();
        void upload(e.dataTransfer.files);
      }}
    >
      {optedOut && <OptedOutState name={thread.contact.name} channel={channel} />}
      {error && <p className="error" role="alert">{error}</p>}
      {windowClosed && channel === 'whatsapp' && <WhatsAppTemplateForm busy={busy} onSend={(template) => void send(template)} />}
      {files.length > 0 && (
        <ul className="files" aria-label={t('composer.attached')}>
          {files.map((f) => (
            <li key={f.id}>
              {f.filename}{' '}
              <button type="button" aria-label={t('composer.remove', { file: f.filename })} onClick={() => setFiles((all) => all.filter((x) => x.id !== f.id))}>×</button>
            </li>
          ))}
        </ul>
      )}
      <div className="composer-row">
        <label className="visually-hidden" htmlFor="composer-channel">{t('inbox.filters.channel')}</label>
        <select id="composer-channel" value={channel} onChange={(e) => setChannel(e.target.value as typeof channel)}>
          {channels.map((c) => (
            <option key={c} value={c}>{channelLabel(c)}</option>
          ))}
        </select>
        <label className="visually-hidden" htmlFor="composer-text">{t('composer.message')}</label>
        {channel === 'email' ? (
          <RichTextEditor
            text={text}
            placeholder={t('composer.emailPlaceholder')}
            onChange={(v) => {
              setText(v.text);
              setHtml(v.html);
              announceTyping();
            }}
            onSubmit={() => void send()}
          />
        ) : (
        <textarea
          ref={textArea}
          id="composer-text"
          value={text}
          placeholder={t('composer.placeholder')}
          onChange={(e) => {
            setText(e.target.value);
            announceTyping();
          }}
          onKeyDown={onKeyDown}
        />
        )}
        {(templates.data?.items.length ?? 0) > 0 && (
          <>
            <label className="visually-hidden" htmlFor="composer-template">{t('composer.insertTemplate')}</label>
            <select id="composer-template" value="" disabled={!clinics.data} onChange={(e) => insertTemplate(e.target.value)}>
              <option value="">{t('composer.templates')}</option>
              {templates.data!.items.map((x) => (
                <option key={x.id} value={x.id}>{x.name}</option>
              ))}
            </select>
          </>
        )}
        <span className="emoji-wrap">
          <button type="button" className="secondary" aria-expanded={emojiOpen} aria-haspopup="true" onClick={() => setEmojiOpen((o) => !o)}>
            {t('composer.emoji')}
          </button>
          {emojiOpen && (
            <span className="emoji-menu" role="menu" aria-label={t('composer.emoji')}>
              {emojis.map(([emoji, name]) => (
                <button key={emoji} type="button" role="menuitem" aria-label={t(`composer.emojis.${name}`)} className="secondary" onClick={() => insertEmoji(emoji)}>
                  {emoji}
                </button>
              ))}
            </span>
          )}
        </span>
        <input ref={fileInput} type="file" hidden multiple onChange={(e) => void upload(e.target.files)} />
        <button type="button" className="secondary" disabled={channel === 'sms'} title={channel === 'sms' ? t('composer.noSmsFilesShort') : undefined} onClick={() => fileInput.current?.click()}>
          {t('composer.attach')}
        </button>
        <button type="button" onClick={() => void send()} disabled={busy || !text.trim() || unfilled.length > 0 || optedOut}>
          {t('composer.send')}
        </button>
      </div>
      {unfilled.length > 0 && (
        <p className="unfilled" role="status">
          {t('composer.unfilled')}{' '}
          {unfilled.map((name) => (
            <button key={name} type="button" className="placeholder-chip" onClick={() => selectPlaceholder(name)}>
              {placeholderLabel(name)}
            </button>
          ))}
        </p>
      )}
      {shortcut !== null && (
        <SlashMenu
          contactId={thread.contact.id}
          typed={shortcut}
          onPick={(command, item) => {
            setPicked(item ?? null);
            setText(`${command} `);
            textArea.current?.focus();
          }}
        />
      )}
      {request && (
        <div className="card-preview" role="status">
          {'problem' in request
            ? request.problem
            : request.card.kind === 'payment_request'
              ? <Trans t={t} i18nKey={request.card.title ? 'composer.paymentPreviewTitled' : 'composer.paymentPreview'} values={{ amount: amount(request.card.amountCents, null), title: request.card.title }} components={{ strong: <strong /> }} />
              : <Trans t={t} i18nKey="composer.reviewPreview" values={{ url: request.card.url }} components={{ strong: <strong /> }} />}
        </div>
      )}
      {slashKind && (
        <div className="card-preview" role="status">
          {artifact.isLoading
            ? t('composer.lookingUp')
            : cardArtifact
              ? <Trans
                  t={t}
                  i18nKey="composer.cardPreview"
                  values={{
                    kind: t(`cards.${slashKind}`),
                    title: cardArtifact.title,
                    details: [cardArtifact.occurredAt && when(cardArtifact.occurredAt, thread.clinicId), cardArtifact.amountCents && amount(cardArtifact.amountCents, cardArtifact.currency)].filter(Boolean).map((x) => ` · ${x}`).join(''),
                  }}
                  components={{ strong: <strong /> }}
                />
              : t(`composer.noCard.${slashKind}`)}
        </div>
      )}
      {channel === 'portal' && (
        <label className="sensitive-toggle">
          <input type="checkbox" checked={sensitive} onChange={(e) => setSensitive(e.target.checked)} /> {t('composer.sensitive')}
        </label>
      )}
      {channel === 'web' && <p className="counter">{t('composer.webNote')}</p>}
      {size && (
        <p className="counter" aria-live="polite">
          {t('composer.smsSize', { units: size.units, count: size.segments, encoding: size.encoding, remaining: size.remaining })}
        </p>
      )}
    </div>
  );
}

/**
 * Outside WhatsApp's 24-hour window only a template Meta approved may go: its name and language as
 * approved in the WhatsApp Business Manager; the draft goes with it as the template's text.
 */
function WhatsAppTemplateForm({ busy, onSend }: { busy: boolean; onSend: (template: { name: string; language: string }) => void }) {
  const { t } = useTranslation('staff');
  const [name, setName] = useState('');
  const [language, setLanguage] = useState('en_US');
  return (
    <fieldset className="wa-template">
      <legend>{t('composer.wa.legend')}</legend>
      <label>{t('composer.wa.name')} <input value={name} onChange={(e) => setName(e.target.value.trim())} placeholder={t('composer.wa.namePlaceholder')} /></label>
      <label>{t('composer.wa.language')} <input value={language} onChange={(e) => setLanguage(e.target.value.trim())} size={6} /></label>
      <button type="button" disabled={busy || !name || language.length < 2} onClick={() => onSend({ name, language })}>
        {t('composer.wa.send')}
      </button>
    </fieldset>
  );
}
