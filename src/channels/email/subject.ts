/**
 * S4: a thread's subject, as mail clients write it. Replies say "Re: …" (and in other languages
 * "AW:", "SV:", "Antw:", "Rif:", "RES:"…), forwards "Fwd:"/"WG:"/"TR:"; the thread keeps its subject
 * without them, and our replies put back one "Re: ", as RFC 5322 §3.6.5 suggests.
 */
const replyPrefixes = /^(?:\s*(?:re|fwd?|aw|wg|sv|vs|antw|rif|res|tr|enc|odp|vá|r)\s*(?:\[\d+\]|\(\d+\))?\s*[:：]\s*)+/iu;

/** The longest subject kept: mail allows more, a thread's title needs no more. */
export const subjectMax = 300;

/** The thread's subject from a mail's: the reply and forward prefixes taken off; null when nothing is left. */
export function threadSubject(subject: string | null | undefined): string | null {
  const bare = (subject ?? '').replace(/\s+/g, ' ').replace(replyPrefixes, '').trim();
  return bare ? bare.slice(0, subjectMax) : null;
}

/** Our reply's subject: "Re: " and the thread's subject. */
export const replySubject = (subject: string) => `Re: ${threadSubject(subject) ?? subject}`;
