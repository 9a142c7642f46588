/** P3: pure decisions about bookings and conversion. */

/** A booking sent without its conversation is credited to the patient's thread active in the 30 days before. */
export const attributionWindowDays = 30;

export function attributionSince(bookedAt: Date): Date {
  return new Date(bookedAt.getTime() - attributionWindowDays * 86_400_000);
}

export interface ConversionRow {
  key: string;
  conversations: number;
  converted: number;
}

/** Converted over started, as a fraction rounded to 4 places; 0 when nothing started. */
export const conversionRate = (converted: number, conversations: number) => (conversations === 0 ? 0 : Math.round((converted / conversations) * 10_000) / 10_000);

export function withRates<T extends ConversionRow>(rows: T[]): (T & { rate: number })[] {
  return rows.map((r) => ({ ...r, rate: conversionRate(r.converted, r.conversations) }));
}

/** "2026-11" → the first instant of that month (UTC), or null when it is not such a month. */
export function parseMonth(value: string): Date | null {
  const match = /^(\d{4})-(\d{2})$/.exec(value);
  if (!match || Number(match[2]) < 1 || Number(match[2]) > 12) return null;
  return new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
}

export const nextMonth = (d: Date) => new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
export const monthKey = (d: Date) => d.toISOString().slice(0, 7);
