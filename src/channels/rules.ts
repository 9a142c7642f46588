/** Pure rules of the channels: opt-out keywords (S2), WhatsApp's reply window and business numbers (S4). Each kind's limits: its kind.ts. */
import { normalizePhone } from '../contacts/rules.js';
import { translator, type Language } from '../i18n/index.js';

export type KeywordAction = 'opt_out' | 'opt_in' | 'help';

const keywords: Record<KeywordAction, Record<'en' | 'es', string[]>> = {
  opt_out: { en: ['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT', 'REVOKE', 'OPTOUT'], es: ['BAJA', 'ALTO', 'PARAR', 'DETENER', 'CANCELAR'] },
  opt_in: { en: ['START', 'UNSTOP', 'YES'], es: ['ALTA', 'INICIAR', 'COMENZAR', 'SI'] },
  help: { en: ['HELP', 'INFO'], es: ['AYUDA', 'INFORMACION'] },
};
const actionOf = new Map<string, KeywordAction>(Object.entries(keywords).flatMap(([action, byLanguage]) => Object.values(byLanguage).flat().map((w) => [w, action as KeywordAction])));
const spanishWords = new Set(Object.values(keywords).flatMap((byLanguage) => byLanguage.es));

/** The text as one keyword would be written: trimmed of spaces and punctuation, upper case, accents dropped ("Sí" → "SI"). */
const keywordWord = (body: string) =>
  body
    .trim()
    .replace(/^[\p{P}\s]+|[\p{P}\s]+$/gu, '')
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase();

/**
 * What an inbound text asks for, if it is one of the carrier keywords (English, or their Spanish
 * counterparts): a single word, any case, surrounding spaces and punctuation ignored. Opting back
 * in only means something to a contact who opted out; to anyone else "Yes" is just an answer.
 */
export function keywordAction(body: string, optedOut: boolean): KeywordAction | null {
  const word = keywordWord(body);
  if (!/^[A-Z]+$/.test(word)) return null;
  const action = actionOf.get(word) ?? null;
  if (action === 'opt_out') return optedOut ? null : action;
  if (action === 'opt_in') return optedOut ? action : null;
  return action;
}

/** 'es' when the keyword is a Spanish one (BAJA, AYUDA…): the patient reads Spanish. English words say nothing, Spanish speakers use STOP too. */
export function keywordLanguage(body: string): Language | undefined {
  return spanishWords.has(keywordWord(body)) ? 'es' : undefined;
}

export function keywordReply(action: KeywordAction, clinic: { name: string; phone: string | null }, language: Language = 'en'): string {
  const t = translator(language);
  switch (action) {
    case 'opt_out':
      return t('patient:keywords.optOut', { clinic: clinic.name });
    case 'opt_in':
      return t('patient:keywords.optIn', { clinic: clinic.name });
    case 'help':
      return clinic.phone ? t('patient:keywords.helpWithPhone', { clinic: clinic.name, phone: clinic.phone }) : t('patient:keywords.help', { clinic: clinic.name });
  }
}

export const whatsappWindowMs = 24 * 60 * 60 * 1000;

/** S4: free-form WhatsApp messages only within 24 hours of the patient's last WhatsApp message. */
export function whatsappWindowOpen(lastInboundAt: Date | null, now: Date): boolean {
  return lastInboundAt !== null && now.getTime() - lastInboundAt.getTime() < whatsappWindowMs;
}

/**
 * A WhatsApp business number needs only E.164's shape (a "+", a country code, up to 15 digits):
 * Meta's Cloud API test numbers (+1 555 …) are in no carrier's number plan, so the SMS check —
 * a number a carrier could route — would refuse them. Spaces, dashes, dots and brackets are
 * allowed; a number written without "+" is read in the default country, as phones are elsewhere.
 */
export function whatsappBusinessNumber(input: string, defaultCountry: string): { ok: true; e164: string } | { ok: false; reason: string } {
  const compact = input.trim().replace(/[\s().-]/g, '');
  if (/^\+[1-9]\d{6,14}$/.test(compact)) return { ok: true, e164: compact };
  const local = compact.startsWith('+') ? null : normalizePhone(input, defaultCountry);
  if (local?.ok) return { ok: true, e164: local.e164 };
  return { ok: false, reason: `"${input.trim()}" is not a phone number in international form: a "+", the country code, then the number (e.g. +1 555 010 2345)` };
}
