/** Pure rules of the channels: opt-out keywords (S2), the WhatsApp window (S4). */
export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

const optOutWords = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT']);
const optInWords = new Set(['START', 'UNSTOP', 'YES']);
const helpWords = new Set(['HELP', 'INFO']);

/**
 * What an inbound text asks for, if it is one of the carrier keywords: a single word, any case,
 * surrounding spaces and punctuation ignored. Opting back in only means something to a contact who
 * opted out; to anyone else "Yes" is just an answer.
 */
export function keywordAction(body: string, optedOut: boolean): KeywordAction | null {
  const word = body.trim().replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '').toUpperCase();
  if (!/^[A-Z]+$/.test(word)) return null;
  if (optOutWords.has(word)) return optedOut ? null : 'opt_out';
  if (optInWords.has(word)) return optedOut ? 'opt_in' : null;
  if (helpWords.has(word)) return 'help';
  return null;
}

export function keywordReply(action: KeywordAction, clinic: { name: string; phone: string | null }): string {
  switch (action) {
    case 'opt_out':
      return `${clinic.name}: you are unsubscribed and will receive no more texts from us. Reply START to resubscribe.`;
    case 'opt_in':
      return `${clinic.name}: you are resubscribed to our texts. Reply STOP to unsubscribe, HELP for help.`;
    case 'help':
      return `${clinic.name}: reply to this text to reach our front desk${clinic.phone ? ` or call ${clinic.phone}` : ''}. Reply STOP to unsubscribe.`;
  }
}

export const whatsappWindowMs = 24 * 60 * 60 * 1000;

/** S4: free-form WhatsApp messages only within 24 hours of the patient's last WhatsApp message. */
export function whatsappWindowOpen(lastInboundAt: Date | null, now: Date): boolean {
  return lastInboundAt !== null && now.getTime() - lastInboundAt.getTime() < whatsappWindowMs;
}
