import { useState, type FormEvent } from 'react';
import { Trans, useTranslation } from 'react-i18next';
import { formatMoney } from '../../../src/i18n/format';
import { channelLabel, statusTick } from './logic';
import { EmailHtml } from './EmailHtml';
import { callLength, locale, when } from './format';
import { MessageFiles } from './MessageFiles';
import type { Message } from './types';

/** One message of a thread as staff see it (the thread view and the emergency-access reading). */
export function MessageBubble({ m, clinicId, onStar, onRetract }: { m: Message; clinicId?: string; onStar: () => void; onRetract?: (body: { reason: string; correction?: string }) => Promise<void> }) {
  const { t } = useTranslation('staff');
  const tick = statusTick(m.status);
  const kind = m.channel === 'call' ? 'call' : m.direction;
  const [retracting, setRetracting] = useState(false);
  const [showQuoted, setShowQuoted] = useState(false);
  // Staff's own formatting shows as written; a patient's HTML mail on request (its plain reply first).
  const [formatted, setFormatted] = useState(m.direction === 'outbound');
  return (
    <li className={`msg ${kind}${m.retracted ? ' retracted' : ''}`}>
      <div className="label">
        <span className="sender">{m.sender.name}</span>
        {m.automatic && <span className="automatic" title={t('bubble.automaticHint')}> · {t('bubble.automatic')}</span>}{' '}
        · {channelLabel(m.channel)} · <time dateTime={m.createdAt}>{when(m.createdAt, clinicId)}</time>
        {m.direction === 'outbound' && m.channel !== 'call' && (
          <span className={`tick ${m.status}`} title={m.failureReason ?? tick.label} aria-label={tick.label}>
            {' '}
            {tick.mark}
          </span>
        )}
        <button type="button" className="star" aria-pressed={m.starred} aria-label={m.starred ? t('bubble.unstar') : t('bubble.star')} onClick={onStar}>
          {m.starred ? '★' : '☆'}
        </button>
        {onRetract && !m.retracted && m.direction === 'outbound' && m.channel !== 'call' && (
          <button type="button" className="link" onClick={() => setRetracting(true)}>
            {t('bubble.retract')}
          </button>
        )}
      </div>
      {m.retracted && <div className="failure">{t('bubble.retracted', { reason: m.retracted.reason })}</div>}
      {m.correctsMessageId && <div className="call-meta">{t('bubble.correction')}</div>}
      {retracting && onRetract && (
        <RetractForm
          channel={m.channel}
          onCancel={() => setRetracting(false)}
          onSubmit={async (body) => {
            await onRetract(body);
            setRetracting(false);
          }}
        />
      )}
      {m.card && (
        <div className="card-preview">
          <Trans t={t} i18nKey="bubble.card" values={{ kind: t(`cards.${m.card.kind}`, { defaultValue: m.card.kind }), title: m.card.title }} components={{ strong: <strong /> }} />
          {m.card.amountCents ? ` · ${formatMoney(m.card.amountCents, m.card.currency ?? 'USD', locale())}` : ''}
          {m.card.link && (
            <span className="sub">
              {' · '}
              {m.card.link.openCount ? t('bubble.opened', { count: m.card.link.openCount, last: when(m.card.link.lastOpenedAt!, clinicId) }) : t('bubble.notOpened')}
            </span>
          )}
        </div>
      )}
      {m.sensitive && <div className="call-meta">{t('bubble.sensitive')}</div>}
      {m.call && <div className="call-meta">{t(m.direction === 'inbound' ? 'bubble.incomingCall' : 'bubble.outgoingCall', { length: callLength(m.call.durationSeconds) })}</div>}
      {m.subject && <div className="subject">{t('thread.subject', { subject: m.subject })}</div>}
      {m.html && formatted ? <EmailHtml html={m.html} /> : <div className="body">{showQuoted && m.fullText ? m.fullText : m.body}</div>}
      {m.html && m.direction === 'inbound' && (
        <button type="button" className="link" aria-pressed={formatted} onClick={() => setFormatted((v) => !v)}>
          {formatted ? t('bubble.plain') : t('bubble.formatted')}
        </button>
      )}
      {m.fullText && !(m.html && formatted) && (
        <button type="button" className="link" aria-expanded={showQuoted} onClick={() => setShowQuoted((v) => !v)}>
          {showQuoted ? t('bubble.hideQuoted') : t('bubble.showQuoted')}
        </button>
      )}
      {m.reaction && <div className="reaction" aria-label={t('bubble.reacted', { reaction: m.reaction })}>{m.reaction}</div>}
      {m.status === 'failed' && m.failureReason && <div className="failure">{t('bubble.notDelivered', { reason: m.failureReason })}</div>}
      <MessageFiles files={m.attachments} />
    </li>
  );
}

function RetractForm({ channel, onSubmit, onCancel }: { channel: Message['channel']; onSubmit: (body: { reason: string; correction?: string }) => Promise<void>; onCancel: () => void }) {
  const { t } = useTranslation('staff');
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const correction = String(f.get('correction') ?? '').trim();
    await onSubmit({ reason: String(f.get('reason')), ...(correction ? { correction } : {}) });
  }
  const recallable = channel === 'portal' || channel === 'web';
  return (
    <form className="inline-form" onSubmit={submit} aria-label={t('bubble.retractLabel')}>
      <p>{recallable ? t('bubble.recallable') : t('bubble.notRecallable')}</p>
      <label>
        {t('emergency.reason')}
        <input name="reason" minLength={3} maxLength={500} required />
      </label>
      <label>
        {t('bubble.correctionField')}
        <textarea name="correction" maxLength={5000} />
      </label>
      <button type="submit">{t('bubble.retract')}</button>
      <button type="button" className="secondary" onClick={onCancel}>
        {t('actions.cancel')}
      </button>
    </form>
  );
}
