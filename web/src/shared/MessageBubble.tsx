import { useState, type FormEvent } from 'react';
import { cardLabels, formatAmount } from '../../../src/artifacts/rules';
import { channelLabel, statusTick } from './logic';
import { EmailHtml } from './EmailHtml';
import { callLength, when } from './format';
import { MessageFiles } from './MessageFiles';
import type { Message } from './types';

/** One message of a thread as staff see it (the thread view and the emergency-access reading). */
export function MessageBubble({ m, clinicId, onStar, onRetract }: { m: Message; clinicId?: string; onStar: () => void; onRetract?: (body: { reason: string; correction?: string }) => Promise<void> }) {
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
        {m.automatic && <span className="automatic" title="Sent by the patient's mail program (an out-of-office or vacation notice), not written by them. No automatic reply was sent."> · automatic reply</span>}{' '}
        · {channelLabel(m.channel)} · <time dateTime={m.createdAt}>{when(m.createdAt, clinicId)}</time>
        {m.direction === 'outbound' && m.channel !== 'call' && (
          <span className={`tick ${m.status}`} title={m.failureReason ?? tick.label} aria-label={tick.label}>
            {' '}
            {tick.mark}
          </span>
        )}
        <button type="button" className="star" aria-pressed={m.starred} aria-label={m.starred ? 'Remove star' : 'Star message'} onClick={onStar}>
          {m.starred ? '★' : '☆'}
        </button>
        {onRetract && !m.retracted && m.direction === 'outbound' && m.channel !== 'call' && (
          <button type="button" className="link" onClick={() => setRetracting(true)}>
            Retract
          </button>
        )}
      </div>
      {m.retracted && <div className="failure">Retracted: {m.retracted.reason}. The patient sees that it was taken back; the text stays in the record.</div>}
      {m.correctsMessageId && <div className="call-meta">Correction of an earlier message</div>}
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
          {cardLabels[m.card.kind as keyof typeof cardLabels] ?? m.card.kind}: <strong>{m.card.title}</strong>
          {m.card.amountCents ? ` · ${formatAmount(m.card.amountCents, m.card.currency ?? 'USD')}` : ''}
          {m.card.link && (
            <span className="sub">
              {' · '}
              {m.card.link.openCount ? `opened ${m.card.link.openCount}× (last ${when(m.card.link.lastOpenedAt!, clinicId)})` : 'not opened yet'}
            </span>
          )}
        </div>
      )}
      {m.sensitive && <div className="call-meta">Sensitive: the patient re-enters their password to read it</div>}
      {m.call && <div className="call-meta">{m.direction === 'inbound' ? 'Incoming' : 'Outgoing'} call · {callLength(m.call.durationSeconds)}</div>}
      {m.subject && <div className="subject">Subject: {m.subject}</div>}
      {m.html && formatted ? <EmailHtml html={m.html} /> : <div className="body">{showQuoted && m.fullText ? m.fullText : m.body}</div>}
      {m.html && m.direction === 'inbound' && (
        <button type="button" className="link" aria-pressed={formatted} onClick={() => setFormatted((v) => !v)}>
          {formatted ? 'Show as plain text' : 'Show formatted email'}
        </button>
      )}
      {m.fullText && !(m.html && formatted) && (
        <button type="button" className="link" aria-expanded={showQuoted} onClick={() => setShowQuoted((v) => !v)}>
          {showQuoted ? 'Hide quoted text' : 'Show quoted text'}
        </button>
      )}
      {m.reaction && <div className="reaction" aria-label={`The patient reacted ${m.reaction}`}>{m.reaction}</div>}
      {m.status === 'failed' && m.failureReason && <div className="failure">Not delivered: {m.failureReason}</div>}
      <MessageFiles files={m.attachments} />
    </li>
  );
}

function RetractForm({ channel, onSubmit, onCancel }: { channel: Message['channel']; onSubmit: (body: { reason: string; correction?: string }) => Promise<void>; onCancel: () => void }) {
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const correction = String(f.get('correction') ?? '').trim();
    await onSubmit({ reason: String(f.get('reason')), ...(correction ? { correction } : {}) });
  }
  const recallable = channel === 'portal' || channel === 'web';
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Retract message">
      <p>{recallable ? 'The patient will see that this message was taken back.' : 'A text, email or WhatsApp message already on the patient\'s phone cannot be recalled: send a correction.'}</p>
      <label>
        Reason
        <input name="reason" minLength={3} maxLength={500} required />
      </label>
      <label>
        Correction (sent as a new message)
        <textarea name="correction" maxLength={5000} />
      </label>
      <button type="submit">Retract</button>
      <button type="button" className="secondary" onClick={onCancel}>
        Cancel
      </button>
    </form>
  );
}
