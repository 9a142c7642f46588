/**
 * RFC 3834: mail a machine wrote (an out-of-office, a vacation notice, a list's answer). It is
 * stored and shown as automatic, and nothing automatic answers it, so two responders never loop.
 */

type Headers = Map<string, unknown>;

const text = (value: unknown): string => {
  if (typeof value === 'string') return value.trim().toLowerCase();
  if (value && typeof value === 'object' && 'value' in value) return String((value as { value: unknown }).value).trim().toLowerCase();
  return '';
};

/** The headers mail clients and servers mark their automatic mail with. */
export function isAutomaticMail(headers: Headers): boolean {
  const autoSubmitted = text(headers.get('auto-submitted'));
  if (autoSubmitted && autoSubmitted !== 'no') return true;
  if (headers.has('x-autoreply') || headers.has('x-autorespond') || headers.has('x-autoresponder')) return true;
  if (['bulk', 'junk', 'list'].includes(text(headers.get('precedence')))) return true;
  // Exchange and Outlook mark their own automatic replies with it (and ask for none in return).
  if (headers.has('x-auto-response-suppress')) return true;
  // iCloud's vacation notice carries none of the above.
  return text(headers.get('x-apple-action')) === 'vacation';
}
