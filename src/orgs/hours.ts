/**
 * B2: a clinic's opening hours, and the instants they make in its time zone. Pure; no library
 * needed: Intl gives the zone's offset at any instant.
 */

export const weekdays = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
export type Weekday = (typeof weekdays)[number];
/** Per weekday, open intervals as "HH:MM" pairs; a missing day is closed. */
export type OpeningHours = Partial<Record<Weekday, { open: string; close: string }[]>>;

export const defaultOpeningHours: OpeningHours = Object.fromEntries(
  (['mon', 'tue', 'wed', 'thu', 'fri'] as const).map((d) => [d, [{ open: '08:00', close: '17:00' }]]),
) as OpeningHours;

/** "08:30" → 510, minutes since midnight. */
export const minutes = (hhmm: string) => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));

/** 510 → "08:30". */
export const clockTime = (minute: number) => `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;

/** One formatter per zone: building an Intl.DateTimeFormat costs far more than using one, and filing a burst asks thousands of times. */
const zoneFormats = new Map<string, Intl.DateTimeFormat>();
function zoneFormat(timezone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timezone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    zoneFormats.set(timezone, format);
  }
  return format;
}

/** The zone's offset from UTC at this instant, in minutes (New York in winter: -300). */
function offsetAt(at: Date, timezone: string): number {
  const parts = Object.fromEntries(zoneFormat(timezone).formatToParts(at).map((p) => [p.type, p.value]));
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return Math.round((asUtc - Math.floor(at.getTime() / 1000) * 1000) / 60_000);
}

/** The local calendar date (y, m, d) and weekday of an instant in the zone. */
function localDay(at: Date, timezone: string): { y: number; m: number; d: number; weekday: Weekday } {
  const shifted = new Date(at.getTime() + offsetAt(at, timezone) * 60_000);
  return { y: shifted.getUTCFullYear(), m: shifted.getUTCMonth(), d: shifted.getUTCDate(), weekday: weekdays[shifted.getUTCDay()] };
}

/** The instant of a local wall-clock time on a local date in the zone (right across DST changes). */
function instant(y: number, m: number, d: number, minuteOfDay: number, timezone: string): Date {
  const guess = Date.UTC(y, m, d, 0, minuteOfDay);
  const first = guess - offsetAt(new Date(guess), timezone) * 60_000;
  return new Date(guess - offsetAt(new Date(first), timezone) * 60_000);
}

/** The open intervals of the local day `offsetDays` after the one `at` falls on, as instants. */
function intervalsOfDay(at: Date, offsetDays: number, hours: OpeningHours, timezone: string): { open: Date; close: Date }[] {
  const base = localDay(at, timezone);
  const day = new Date(Date.UTC(base.y, base.m, base.d + offsetDays));
  const weekday = weekdays[day.getUTCDay()];
  return (hours[weekday] ?? []).map((i) => ({
    open: instant(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), minutes(i.open), timezone),
    close: instant(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), minutes(i.close), timezone),
  }));
}

/** How many minutes between `from` and `to` the clinic was open: how long a patient has waited, counted in opening hours. */
export function openMinutesBetween(from: Date, to: Date, hours: OpeningHours, timezone: string): number {
  let total = 0;
  // A day past `to` is never needed; 60 days is the most a waiting thread is worth counting.
  for (let offset = 0; offset <= 60; offset++) {
    const intervals = intervalsOfDay(from, offset, hours, timezone);
    for (const i of intervals) {
      const start = Math.max(i.open.getTime(), from.getTime());
      const end = Math.min(i.close.getTime(), to.getTime());
      if (end > start) total += end - start;
    }
    if (intervals.some((i) => i.open >= to) || instantDayAfter(from, offset, timezone) >= to) break;
  }
  return Math.floor(total / 60_000);
}

function instantDayAfter(at: Date, offsetDays: number, timezone: string): Date {
  const base = localDay(at, timezone);
  return instant(base.y, base.m, base.d + offsetDays + 1, 0, timezone);
}

export function isOpen(at: Date, hours: OpeningHours, timezone: string): boolean {
  return intervalsOfDay(at, 0, hours, timezone).some((i) => at >= i.open && at < i.close);
}

/**
 * B2's target, "the same business day": a message that arrives while the clinic is open is due by
 * that day's closing; one that arrives after hours is due by the close of the next day it opens.
 * Null when the clinic has no opening hours at all.
 */
export function replyDueAt(receivedAt: Date, hours: OpeningHours, timezone: string): Date | null {
  for (let offset = 0; offset <= 7; offset++) {
    const intervals = intervalsOfDay(receivedAt, offset, hours, timezone);
    const lastClose = intervals.reduce<Date | null>((latest, i) => (!latest || i.close > latest ? i.close : latest), null);
    if (lastClose && lastClose > receivedAt) return lastClose;
  }
  return null;
}

/** When the clinic last closed before `at` (the start of tonight's closed period): an after-hours reply goes once per such period. */
export function lastClosing(at: Date, hours: OpeningHours, timezone: string): Date | null {
  for (let offset = 0; offset >= -7; offset--) {
    const closes = intervalsOfDay(at, offset, hours, timezone)
      .map((i) => i.close)
      .filter((c) => c <= at);
    if (closes.length) return closes.reduce((a, b) => (a > b ? a : b));
  }
  return null;
}

/** Checks hours written by an admin: HH:MM, open before close. The reason, or null. */
export function openingHoursProblem(hours: OpeningHours): string | null {
  for (const [day, intervals] of Object.entries(hours)) {
    if (!(weekdays as readonly string[]).includes(day)) return `${day} is not a weekday (sun…sat)`;
    for (const i of intervals ?? []) {
      if (!/^([01]\d|2[0-3]):[0-5]\d$/.test(i.open) || !/^([01]\d|2[0-4]):[0-5]\d$/.test(i.close)) return `${day}: times are HH:MM`;
      if (minutes(i.open) >= minutes(i.close)) return `${day}: opens at ${i.open} but closes at ${i.close}`;
    }
  }
  return null;
}

const dayShort: Record<Weekday, string> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };
/** Monday first, as clinics write their week. */
const weekOrder: Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const shortClock = (hhmm: string) => hhmm.replace(/^0(\d)/, '$1');

/**
 * The opening hours as the public page shows them ("Mon–Fri 8:00–17:00, Sat 9:00–13:00"): the
 * same hours the reply targets and the after-hours reply use, so the two cannot disagree. Days in a
 * row with the same hours are one range; closed days are left out. Null when never open.
 */
/** A weekday's short name in a locale ('lun', 'Mon'), from a week known to start on a Monday (1 Jan 2024). */
const weekdayShort = (day: Weekday, locale: string) =>
  new Intl.DateTimeFormat(locale, { weekday: 'short', timeZone: 'UTC' }).format(new Date(Date.UTC(2024, 0, 1 + weekOrder.indexOf(day))));

export function hoursText(hours: OpeningHours, locale?: string): string | null {
  const name = (day: Weekday) => (locale ? weekdayShort(day, locale) : dayShort[day]);
  const spans = weekOrder.map((day) => ({ day, text: (hours[day] ?? []).map((i) => `${shortClock(i.open)}–${shortClock(i.close)}`).join(', ') }));
  const groups: { from: Weekday; to: Weekday; text: string }[] = [];
  for (const { day, text } of spans) {
    const last = groups[groups.length - 1];
    if (text && last && last.text === text && weekOrder.indexOf(last.to) === weekOrder.indexOf(day) - 1) last.to = day;
    else if (text) groups.push({ from: day, to: day, text });
  }
  if (!groups.length) return null;
  return groups.map((g) => `${name(g.from)}${g.to === g.from ? '' : `–${name(g.to)}`} ${g.text}`).join('; ');
}
