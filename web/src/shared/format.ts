/**
 * Defect 8 and issue 18: numbers, money and times the one way everywhere in the staff app — phone
 * numbers national at home and international abroad, times in the clinic's zone, all through Intl
 * in the user's locale (src/i18n/format.ts). Set once at sign-in from /me: the home country, each
 * clinic's zone, the organization's currency; the locale follows the app's language.
 */
import { displayPhone } from '../../../src/contacts/display';
import { clinicShortTime } from '../../../src/orgs/rules';
import { formatDateTime, formatDuration, formatMoney, formatNumber } from '../../../src/i18n/format';
import { i18next } from './i18n';
import type { Me } from './types';

let country = 'US';
let currency = 'USD';
let zones = new Map<string, string>();
let defaultZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function setDisplayContext(me: Pick<Me, 'defaultCountry' | 'clinics' | 'organization'>): void {
  country = me.defaultCountry;
  currency = me.organization.currency;
  zones = new Map(me.clinics.map((c) => [c.id, c.timezone]));
  defaultZone = me.clinics[0]?.timezone ?? defaultZone;
}

/** The app's language in the browser's regional variant when it has one (es-MX), else the language's usual one (en → en-US). */
export function locale(): string {
  const language = i18next.language || 'en';
  const regional = typeof navigator === 'undefined' ? undefined : navigator.languages?.find((tag) => tag.toLowerCase().split('-')[0] === language);
  return regional ?? (language === 'en' ? 'en-US' : language);
}

const zoneOf = (clinicId?: string | null) => (clinicId && zones.get(clinicId)) || defaultZone;

export const phone = (e164: string | null | undefined): string => (e164 ? displayPhone(e164, country) : '');
/** "Mar 2, 2026, 9:05 AM" / "2 mar 2026, 9:05" in the clinic's zone (the first clinic's when none is named). */
export const when = (iso: string, clinicId?: string | null): string => formatDateTime(iso, locale(), zoneOf(clinicId));
/** The list's short form: "9:05 AM", "Mon", "Mar 2", "Mar 2, 2025" (in Spanish "9:05", "lun", "2 mar"). */
export const shortWhen = (iso: string, clinicId?: string | null, now?: Date): string => clinicShortTime(iso, zoneOf(clinicId), now, locale());
/** An amount in the currency's minor unit (cents), in the organization's currency. */
export const money = (minorUnits: number): string => formatMoney(minorUnits, currency, locale());
export const number = (value: number): string => formatNumber(value, locale());
/** A wait as people say it: "12 min", "2 hr, 5 min", "6 days, 15 hr" (never "159.1 h"). */
export const waitText = (seconds: number): string => formatDuration(seconds * 1000, locale(), { unitDisplay: 'short' });
/** A call's length: "4 min", "1 min, 35 sec". */
export const callLength = (seconds: number): string => formatDuration(seconds * 1000, locale(), { unitDisplay: 'short', smallest: 'second' });
