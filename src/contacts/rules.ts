/** Pure rules about contacts: phone and email normalisation, which channels a contact can use. */
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export const contactTypes = ['patient', 'lead'] as const;
export type ContactType = (typeof contactTypes)[number];

/** The channel a patient asked to be reached on (from their practice system, by import). */
export const preferredChannels = ['sms', 'email', 'whatsapp', 'portal'] as const;
export type PreferredChannel = (typeof preferredChannels)[number];

export type PhoneType = 'mobile' | 'fixed_line' | 'fixed_line_or_mobile' | 'voip' | 'other';

export type PhoneResult =
  | { ok: true; e164: string; type: PhoneType }
  | { ok: false; reason: string };

const phoneTypes: Record<string, PhoneType> = {
  MOBILE: 'mobile',
  FIXED_LINE: 'fixed_line',
  FIXED_LINE_OR_MOBILE: 'fixed_line_or_mobile',
  VOIP: 'voip',
};

/**
 * Normalises a phone number as a person types it — "(415) 555-0134", "+1 415 555 0134",
 * "4155550134" — to E.164, reading numbers without a "+" as numbers of `defaultCountry`.
 */
export function normalizePhone(input: string, defaultCountry: string): PhoneResult {
  const trimmed = input.trim();
  if (!/\d/.test(trimmed)) return { ok: false, reason: 'a phone number needs digits' };
  if (/[a-z]/i.test(trimmed.replace(/\b(ext|x)\.?\s*\d+$/i, ''))) {
    return { ok: false, reason: 'a phone number may hold only digits, spaces, "+", "-", "(", ")" and "."' };
  }
  const parsed = parsePhoneNumberFromString(trimmed, defaultCountry as CountryCode);
  if (!parsed || !parsed.isValid()) return { ok: false, reason: `"${trimmed}" is not a valid phone number` };
  return { ok: true, e164: parsed.number, type: phoneTypes[parsed.getType() ?? ''] ?? 'other' };
}

/** What a search box's text means as a phone number: the E.164 form if it is one, else its digits. */
export function phoneSearchTerms(query: string, defaultCountry: string): { e164: string | null; digits: string | null; phoneOnly: boolean } {
  const digits = query.replace(/\D/g, '');
  if (digits.length < 3 || /[a-z]/i.test(query)) return { e164: null, digits: null, phoneOnly: false };
  const phone = normalizePhone(query, defaultCountry);
  // Seven digits or more and nothing but phone punctuation: a number, even one that does not exist.
  const phoneOnly = phone.ok || (digits.length >= 7 && /^[\d\s()+.\-]+$/.test(query.trim()));
  return { e164: phone.ok ? phone.e164 : null, digits, phoneOnly };
}

const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function normalizeEmail(input: string): string | null {
  const email = input.trim().toLowerCase();
  return emailShape.test(email) && email.length <= 254 ? email : null;
}

