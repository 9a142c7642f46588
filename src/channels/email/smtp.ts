/** Email over real SMTP: nodemailer out, with the headers that make replies thread; mailparser for what comes in. */
import { simpleParser, type AddressObject } from 'mailparser';
import nodemailer from 'nodemailer';
import type { Addressing, ChannelAdapter, InboundMessage, OutboundEnvelope, SendOutcome } from '../types.js';
import { isAutomaticMail } from './automatic.js';
import { sanitizeInboundHtml } from './html.js';
import { splitQuotedReply } from './quoted.js';
import { isMailSystemAddress, readDeliveryReport, type DeliveryReport } from './report.js';

/** Email goes to the patient's address, from the configured EMAIL_FROM. */
export const emailAddressing: Addressing = { to: 'email', from: 'emailFrom' };

export function smtpEmail(smtpUrl: string): ChannelAdapter {
  const transport = nodemailer.createTransport(smtpUrl);
  return {
    channel: 'email',
    addressing: emailAddressing,
    provider: 'smtp',
    async send(envelope: OutboundEnvelope): Promise<SendOutcome> {
      const mail = envelope.email!;
      try {
        const info = await transport.sendMail({
          from: { name: envelope.fromName, address: envelope.from ?? '' },
          to: envelope.to,
          replyTo: mail.replyTo,
          subject: mail.subject,
          // multipart/alternative: the HTML staff wrote, and the plain text beside it for every other reader.
          text: envelope.body,
          html: mail.html ?? undefined,
          messageId: mail.messageIdHeader,
          inReplyTo: mail.inReplyTo ?? undefined,
          references: mail.references.length ? mail.references : undefined,
          headers: mail.autoSubmitted ? { 'Auto-Submitted': mail.autoSubmitted } : undefined,
          attachments: await Promise.all(envelope.attachments.map(async (a) => ({ filename: a.filename, contentType: a.contentType, content: await a.read() }))),
        });
        return { kind: 'sent', providerMessageId: info.messageId ?? mail.messageIdHeader };
      } catch (e) {
        const err = e as { responseCode?: number; code?: string; message: string };
        const permanent = typeof err.responseCode === 'number' && err.responseCode >= 500;
        return { kind: 'failed', permanent, code: String(err.responseCode ?? err.code ?? 'smtp'), reason: err.message };
      }
    },
    close: () => transport.close(),
  };
}

const firstAddress = (a: AddressObject | AddressObject[] | undefined) => [a ?? []].flat().flatMap((o) => o.value)[0];
const allAddresses = (a: AddressObject | AddressObject[] | undefined) =>
  [a ?? []].flat().flatMap((o) => o.value.map((v) => v.address?.toLowerCase()).filter((v): v is string => !!v));

export type ParsedEmail = InboundMessage & {
  recipients: string[];
  /** A delivery-status notification it carries (a bounce or a delay), if any. */
  report: DeliveryReport | null;
  /** From mailer-daemon or postmaster: the mail system, not a person. */
  fromMailSystem: boolean;
};

/** A raw RFC 5322 message, as an inbound message: who, to which of our addresses, what it answers, its text and files. */
export async function parseEmail(raw: Buffer | string, envelopeTo: string[] = []): Promise<ParsedEmail | null> {
  // keepDeliveryStatus: a DSN's message/delivery-status part stays a part of its own, to be read field by field.
  const mail = await simpleParser(raw, { keepDeliveryStatus: true });
  const from = firstAddress(mail.from);
  if (!from?.address) return null;
  const references = [mail.inReplyTo, ...[mail.references ?? []].flat()].filter((v): v is string => !!v);
  const recipients = [...new Set([...envelopeTo.map((r) => r.toLowerCase()), ...allAddresses(mail.to), ...allAddresses(mail.cc)])];
  return {
    providerMessageId: mail.messageId ?? `<${Date.now()}.${Math.random().toString(36).slice(2)}@unknown>`,
    from: from.address.toLowerCase(),
    name: from.name || undefined,
    to: recipients[0] ?? '',
    recipients,
    subject: mail.subject ?? '',
    ...quoted(mail.text ?? ''),
    html: mail.html && mail.html.length <= htmlLongest ? sanitizeInboundHtml(mail.html) || null : null,
    inReplyTo: references,
    at: mail.date,
    attachments: mail.attachments.map((a) => ({ filename: a.filename ?? 'attachment', content: a.content })),
    report: readDeliveryReport(mail),
    // Not the null sender: RFC 3834 asks auto-responders to send from it too, and those are filed.
    fromMailSystem: isMailSystemAddress(from.address),
    automatic: isAutomaticMail(mail.headers),
  };
}

/** Past this an HTML part is not kept (its plain text is): no one reads a 2 MB newsletter in a thread. */
const htmlLongest = 2_000_000;

/** The patient's new words as the body; the whole text beside them when a quoted history was dropped. */
function quoted(text: string) {
  const { reply, original } = splitQuotedReply(text);
  return { body: reply, fullText: original };
}
