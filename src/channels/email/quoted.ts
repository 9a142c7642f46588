/**
 * The new part of an emailed reply (S4): the quoted history under it is dropped from what the
 * thread shows, and kept whole beside it ("show quoted text"). Crisp's email-reply-parser knows the
 * "On … wrote:" lines of Gmail, Apple Mail and others in many languages, "-----Original
 * Message-----" and ">"-quoting; Outlook's header block ("From: … Sent: … To: … Subject:") is
 * added here for when its From line carries no <address> the library could anchor on.
 */
import EmailReplyParser from 'email-reply-parser';

const parser = new EmailReplyParser();

/** Outlook's From/Sent pair, in the languages it writes them (desktop and web; Outlook for iOS too). */
const outlookHeader = new RegExp(
  String.raw`^[ \t]*\*?(?:From|Von|De|Van|Da|Fra|Från|Od|Lähettäjä|Expéditeur|Remitente|Mittente)[ \t]?:.*\n(?:.*\n)?[ \t]*\*?(?:Sent|Gesendet|Envoyé|Enviado|Verzonden|Inviato|Sendt|Skickat|Wysłano|Lähetetty|Date|Datum|Data|Fecha)[ \t]?:`,
  'm',
);

/**
 * The reply is read from the head of the text only: the new words come first, and the library's
 * patterns take quadratic time on some inputs (90,000 characters of "De: <<<…" take 7 s; 8,000, well
 * under 0.1 s), which one email must not be able to cost the process.
 */
const head = 8_000;

export interface SplitReply {
  /** What the patient wrote this time. */
  reply: string;
  /** The whole text, when something was dropped from it; null when the reply is all of it. */
  original: string | null;
}

export function splitQuotedReply(text: string): SplitReply {
  const whole = text.replace(/\r\n/g, '\n').trim();
  const start = whole.slice(0, head);
  const outlook = outlookHeader.exec(start);
  // Outlook on the web and for iOS draw a line of underscores above the block: it goes with it.
  const above = outlook ? start.slice(0, outlook.index).replace(/(^|\n)[ \t]*_{10,}[ \t]*\s*$/, '') : start;
  const fragments = parser.read(above).getFragments();
  if (!outlook && !fragments.some((f) => f.isQuoted())) return { reply: whole, original: null };
  // Every fragment that is not quoted, signature included: only the history is dropped, and a reply
  // written under the quote (bottom-posted) or between its lines is kept.
  const reply = fragments
    .filter((f) => !f.isQuoted())
    .map((f) => f.getContent().trim())
    .filter(Boolean)
    .join('\n\n')
    .trim();
  // A message that is only a quote (a forward with no words of its own) is shown as it came.
  if (!reply) return { reply: whole, original: null };
  return { reply, original: reply === whole ? null : whole };
}
