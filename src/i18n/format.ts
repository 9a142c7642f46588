/**
 * Numbers, money, dates and durations for people, through Intl: the reader's locale (a staff
 * user's language, a patient's preferred language) and the clinic's time zone and currency.
 * Never build these by hand or by concatenating translated pieces.
 */
export type Locale = string;

/** Amounts are kept in the currency's minor unit (cents); Intl knows how many digits each has. */
export function formatMoney(minorUnits: number, currency: string, locale: Locale): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(minorUnits / 10 ** digits);
}

export function formatNumber(value: number, locale: Locale): string {
  return new Intl.NumberFormat(locale).format(value);
}

/** A moment as the clinic's wall clock shows it, e.g. "Mar 4, 2:05 PM" / "4 mar, 14:05". */
export function formatDateTime(at: Date | string, locale: Locale, timeZone: string, options: Intl.DateTimeFormatOptions = { dateStyle: 'medium', timeStyle: 'short' }): string {
  return new Intl.DateTimeFormat(locale, { ...options, timeZone }).format(new Date(at));
}

export interface DurationOptions {
  /** long: "2 hours, 5 minutes"; short: "2 hr, 5 min" / "2 h y 5 min" (lists and tables). */
  unitDisplay?: 'long' | 'short';
  /** The smallest unit shown: minutes for waits, seconds for a call's length. */
  smallest?: 'minute' | 'second';
}

/** "3 days, 4 hours" / "3 días y 4 horas": the two largest units, at least one of the smallest. */
export function formatDuration(ms: number, locale: Locale, { unitDisplay = 'long', smallest = 'minute' }: DurationOptions = {}): string {
  const step = smallest === 'second' ? 1000 : 60_000;
  const n = Math.max(smallest === 'second' ? 0 : 1, Math.round(ms / step));
  const seconds = smallest === 'second' ? n : n * 60;
  const units: [Intl.NumberFormatOptions['unit'] & string, number][] = [
    ['day', Math.floor(seconds / 86_400)],
    ['hour', Math.floor((seconds % 86_400) / 3600)],
    ['minute', Math.floor((seconds % 3600) / 60)],
    ['second', smallest === 'second' ? seconds % 60 : 0],
  ];
  const shown = units.filter(([, v]) => v > 0).slice(0, 2);
  const parts = shown.length ? shown : [[smallest, 0] as [string, number]];
  const list = new Intl.ListFormat(locale, { style: unitDisplay, type: 'unit' });
  return list.format(parts.map(([unit, v]) => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay }).format(v)));
}
