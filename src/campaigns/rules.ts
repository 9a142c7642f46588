/** M10: pure rules of automatic campaigns. */

export const campaignTriggers = ['appointment_reminder', 'form_invite'] as const;
export type CampaignTrigger = (typeof campaignTriggers)[number];

export const campaignChannels = ['auto', 'sms', 'email', 'whatsapp', 'portal'] as const;
export type CampaignChannel = (typeof campaignChannels)[number];

/**
 * What `auto` tries, in order: the channel a patient is likeliest to see. Not WhatsApp: outside the
 * patient's 24-hour window it takes an approved template, so a campaign names it explicitly.
 */
export const autoOrder = ['sms', 'email', 'portal'] as const;

/** Minutes since midnight at `at` in the time zone. */
export function minuteOfDay(at: Date, timezone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: timezone, hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

/**
 * Quiet hours from `start` to `end` (minutes of the day, clinic time); they may wrap midnight
 * (21:00 → 8:00). Inside them no non-urgent campaign text goes out.
 */
export function inQuietHours(at: Date, timezone: string, start: number, end: number): boolean {
  const m = minuteOfDay(at, timezone);
  if (start === end) return false;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** Channels where quiet hours apply: the ones that buzz a phone. */
export const quietHoursApply = (channel: string) => channel === 'sms' || channel === 'whatsapp';

/** When a reminder for an appointment at `startsAt` is due: from `hoursBefore` before until the appointment. */
export function reminderDue(startsAt: Date, hoursBefore: number, now: Date): boolean {
  return now.getTime() >= startsAt.getTime() - hoursBefore * 3_600_000 && now < startsAt;
}

export type SkipReason = 'opted_out' | 'contact_blocked' | 'no_channel' | 'quiet_hours' | 'landline' | 'invalid_number' | 'channel_unavailable';
