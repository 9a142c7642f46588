/**
 * Who is told that a patient wrote, and what the notification says: pure decisions, shared by the
 * live stream (a desktop notification while the app is open) and Web Push (while it is closed).
 */
import { defaultLanguage, translator, type Language } from '../i18n/index.js';

export const notifyLevels = ['all', 'mine', 'none'] as const;
export type NotifyLevel = (typeof notifyLevels)[number];

export interface NotificationPreferences {
  /** all: every new patient message; mine: conversations assigned to the user or to no one; none. */
  level: NotifyLevel;
  sound: boolean;
  /** Minutes after midnight in `timeZone`; a window may run past midnight (22:00–07:00). */
  quietHours: { start: number; end: number; timeZone: string } | null;
  /** An email when a patient has waited longer than the clinic's limit (opening hours counted). */
  emailReminders: boolean;
}

export const defaultPreferences: NotificationPreferences = { level: 'mine', sound: true, quietHours: null, emailReminders: true };

/** A patient waiting since `awaitingSince` has waited `openMinutes` of opening hours: remind once the clinic's limit is reached. */
export function reminderDue(openMinutes: number, limitMinutes: number | null): boolean {
  return limitMinutes !== null && limitMinutes > 0 && openMinutes >= limitMinutes;
}

/** The reminder's words, in the recipient's language: a link to the conversation, never what the patient wrote or who they are. */
export function reminderText(clinicName: string, limitMinutes: number, url: string, language: Language = defaultLanguage): { subject: string; body: string } {
  const t = translator(language);
  const wait = limitMinutes % 60 === 0 ? t('staff:email.reminder.waitHours', { count: limitMinutes / 60 }) : t('staff:email.reminder.waitMinutes', { count: limitMinutes });
  return {
    subject: t('staff:email.reminder.subject', { wait, clinic: clinicName }),
    body: t('staff:email.reminder.body', { wait, clinic: clinicName, url }),
  };
}

/** The new message, as the rule needs it: who wrote it and the thread's state for this user. */
export interface MessageFacts {
  direction: 'inbound' | 'outbound';
  channel: string;
  senderUserId: string | null;
  campaignId: string | null;
  assigneeId: string | null;
  /** This user muted the conversation (M5). */
  mutedByUser: boolean;
}

/** The minute of the day at `now` in a time zone (an unknown zone reads as UTC). */
export function minuteOfDay(now: Date, timeZone: string): number {
  let parts: Intl.DateTimeFormatPart[];
  try {
    parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(now);
  } catch {
    return now.getUTCHours() * 60 + now.getUTCMinutes();
  }
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  return get('hour') * 60 + get('minute');
}

export function inQuietHours(quiet: NotificationPreferences['quietHours'], now: Date): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  const minute = minuteOfDay(now, quiet.timeZone);
  return quiet.start < quiet.end ? minute >= quiet.start && minute < quiet.end : minute >= quiet.start || minute < quiet.end;
}

/**
 * Whether this user is told about this message: only a patient's message (never a team member's,
 * the user's own or a campaign's, never a call log), never in a conversation the user muted or
 * during their quiet hours, and as their level says. Whether the user may see the conversation at
 * all is the stream's rule (realtime/rules.ts `mayReceive`), checked before this one.
 */
export function shouldNotify(userId: string, prefs: NotificationPreferences, message: MessageFacts, now: Date): boolean {
  if (message.direction !== 'inbound' || message.channel === 'call') return false;
  if (message.senderUserId !== null || message.campaignId !== null) return false;
  if (message.mutedByUser || prefs.level === 'none') return false;
  if (prefs.level === 'mine' && message.assigneeId !== null && message.assigneeId !== userId) return false;
  return !inQuietHours(prefs.quietHours, now);
}

/**
 * What the notification says: no health information — the clinic's name, and the patient's first
 * name only where the organization allows it. Never the message, never the full name.
 */
export function notificationText(clinicName: string, patientName: string | null, showFirstName: boolean, language: Language = defaultLanguage): { title: string; body: string } {
  const t = translator(language);
  const word = showFirstName ? patientName?.trim().split(/\s+/)[0] : undefined;
  // A contact known only by a phone number or an address is named by it: that never goes out.
  const first = word && /^\p{L}[\p{L}'’-]*$/u.test(word) ? word : undefined;
  return { title: first ? t('staff:notification.newMessageFrom', { name: first }) : t('staff:notification.newMessage'), body: clinicName };
}

/** "New message · Riverside Downtown": the one line a lock screen or a tab shows. */
export const notificationLine = (text: { title: string; body: string }) => `${text.title} · ${text.body}`;
