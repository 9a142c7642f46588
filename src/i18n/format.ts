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

/** "3 days, 4 hours" / "3 días y 4 horas": the two largest units, at least a minute. */
export function formatDuration(ms: number, locale: Locale): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  const units: [Intl.NumberFormatOptions['unit'] & string, number][] = [
    ['day', Math.floor(minutes / 1440)],
    ['hour', Math.floor((minutes % 1440) / 60)],
    ['minute', minutes % 60],
  ];
  const parts = units.filter(([, n]) => n > 0).slice(0, 2);
  const list = new Intl.ListFormat(locale, { style: 'long', type: 'unit' });
  return list.format(parts.map(([unit, n]) => new Intl.NumberFormat(locale, { style: 'unit', unit, unitDisplay: 'long' }).format(n)));
}
