/**
 * What mail systems send back (S4): delivery-status notifications (RFC 3464, inside a
 * multipart/report of RFC 6522) and mail from the mail system itself (mailer-daemon, postmaster).
 * Neither is a patient writing: they are read for the message of ours they report on, never filed.
 */
import type { ParsedMail } from 'mailparser';

export interface FailedRecipient {
  recipient: string;
  /** The enhanced status code (RFC 3463), 5.1.1 say. */
  status: string;
  /** For the staff: "5.1.1 Address rejected". */
  reason: string;
}

export interface DeliveryReport {
  /** Recipients the mail system gave up on (Action: failed). Delays, relays and deliveries are not failures. */
  failed: FailedRecipient[];
  /** The Message-IDs of the mail it reports on: from the returned message or its headers, the report's fields and its own threading headers. */
  originalMessageIds: string[];
}

/** Mailer-daemon, postmaster and the like: the mail system's own addresses (RFC 5321 §4.5.1). */
export function isMailSystemAddress(address: string): boolean {
  const local = address.split('@')[0]?.toLowerCase() ?? '';
  return /^(mailer-daemon|mail-daemon|maildaemon|postmaster|mail\.delivery\.system)$/.test(local);
}

/** An RFC 822-style block of fields, continuation lines joined: one Map per blank-line-separated group. */
export function fieldGroups(text: string): Map<string, string>[] {
  const unfolded = text.replace(/\r\n/g, '\n').replace(/\n[ \t]+/g, ' ');
  return unfolded
    .split(/\n\s*\n/)
    .map((group) => {
      const fields = new Map<string, string>();
      for (const line of group.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((g) => g.size > 0);
}

const messageIdsIn = (value: string | undefined) => value?.match(/<[^<>\s]+>/g) ?? [];

/** The header section of a returned message (message/rfc822) or of its headers alone (text/rfc822-headers). */
function returnedMessageIds(raw: Buffer): string[] {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const [headers] = fieldGroups(end >= 0 ? text.slice(0, end) : text);
  return messageIdsIn(headers?.get('message-id'));
}

/** "smtp; 550-5.1.1 The email account … does not exist" → "5.1.1 The email account … does not exist". */
export function failureReason(status: string, diagnostic: string | undefined, recipient = ''): string {
  const text = (diagnostic ?? '')
    .replace(/^[\w-]+\s*;\s*/, '')
    .replace(/^[245]\d\d[ -]/, '')
    .split(recipient ? `<${recipient}>` : '\0').join('')
    .split(recipient || '\0').join('')
    .replace(/\b[245]\d\d[ -](?=\d\.\d{1,3}\.\d{1,3}\b)/g, '')
    .replace(new RegExp(`\\b${status.replace(/\./g, '\\.')}\\b`, 'g'), '')
    .replace(/\s+/g, ' ')
    .trim();
  const reason = `${status} ${text || 'the receiving mail server refused the address'}`;
  return reason.length > 200 ? `${reason.slice(0, 199)}…` : reason;
}

const isDeliveryStatus = (type: string) => type === 'message/delivery-status' || type === 'message/global-delivery-status';

/**
 * The delivery report in a parsed mail (parsed with mailparser's keepDeliveryStatus, so the
 * message/delivery-status part is an attachment), or null when the mail carries none.
 */
export function readDeliveryReport(mail: ParsedMail): DeliveryReport | null {
  const statusParts = mail.attachments.filter((a) => isDeliveryStatus(a.contentType.toLowerCase()));
  if (!statusParts.length) return null;
  const failed: FailedRecipient[] = [];
  const ids: string[] = [];
  for (const part of statusParts) {
    const [perMessage, ...perRecipient] = fieldGroups(part.content.toString('utf8'));
    ids.push(...messageIdsIn(perMessage?.get('x-original-message-id')), ...messageIdsIn(perMessage?.get('original-message-id')));
    for (const fields of [perMessage, ...perRecipient]) {
      if (fields?.get('action')?.toLowerCase() !== 'failed') continue;
      const recipient = (fields.get('final-recipient') ?? fields.get('original-recipient') ?? '').replace(/^[^;]*;\s*/, '').toLowerCase();
      const status = /\d\.\d{1,3}\.\d{1,3}/.exec(fields.get('status') ?? '')?.[0] ?? '5.0.0';
      failed.push({ recipient, status, reason: failureReason(status, fields.get('diagnostic-code'), recipient) });
    }
  }
  for (const part of mail.attachments) {
    const type = part.contentType.toLowerCase();
    if (type === 'message/rfc822' || type === 'text/rfc822-headers' || type === 'message/global') ids.push(...returnedMessageIds(part.content));
  }
  ids.push(...[mail.inReplyTo ?? []].flat(), ...[mail.references ?? []].flat());
  return { failed, originalMessageIds: [...new Set(ids)] };
}
