import { describe, expect, it } from 'vitest';
import { defaultPreferences, inQuietHours, minuteOfDay, notificationLine, notificationText, reminderDue, reminderText, shouldNotify, type MessageFacts, type NotificationPreferences } from './rules.js';

const me = 'user-me';
const patientMessage: MessageFacts = { direction: 'inbound', channel: 'sms', senderUserId: null, campaignId: null, assigneeId: null, mutedByUser: false };
const noon = new Date('2026-03-02T17:00:00Z'); // 12:00 in New York
const prefs = (p: Partial<NotificationPreferences> = {}): NotificationPreferences => ({ ...defaultPreferences, level: 'all', ...p });

describe('shouldNotify', () => {
  it('tells a user about a patient message', () => {
    expect(shouldNotify(me, prefs(), patientMessage, noon)).toBe(true);
  });

  it('never for the user\'s own message, a colleague\'s, a campaign send or a call log', () => {
    expect(shouldNotify(me, prefs(), { ...patientMessage, direction: 'outbound', senderUserId: me }, noon)).toBe(false);
    expect(shouldNotify(me, prefs(), { ...patientMessage, direction: 'outbound', senderUserId: 'colleague' }, noon)).toBe(false);
    expect(shouldNotify(me, prefs(), { ...patientMessage, direction: 'outbound', campaignId: 'campaign' }, noon)).toBe(false);
    expect(shouldNotify(me, prefs(), { ...patientMessage, campaignId: 'campaign' }, noon)).toBe(false);
    expect(shouldNotify(me, prefs(), { ...patientMessage, channel: 'call', senderUserId: me }, noon)).toBe(false);
  });

  it('never in a conversation the user muted, whatever their level', () => {
    for (const level of ['all', 'mine', 'none'] as const) expect(shouldNotify(me, prefs({ level }), { ...patientMessage, mutedByUser: true }, noon)).toBe(false);
  });

  it('"mine": conversations assigned to the user or to no one, not a colleague\'s', () => {
    const mine = prefs({ level: 'mine' });
    expect(shouldNotify(me, mine, { ...patientMessage, assigneeId: me }, noon)).toBe(true);
    expect(shouldNotify(me, mine, { ...patientMessage, assigneeId: null }, noon)).toBe(true);
    expect(shouldNotify(me, mine, { ...patientMessage, assigneeId: 'colleague' }, noon)).toBe(false);
    expect(shouldNotify(me, prefs({ level: 'all' }), { ...patientMessage, assigneeId: 'colleague' }, noon)).toBe(true);
  });

  it('"none" tells nothing', () => {
    expect(shouldNotify(me, prefs({ level: 'none' }), patientMessage, noon)).toBe(false);
  });

  it('keeps quiet during quiet hours, in the user\'s time zone, across midnight', () => {
    const night = prefs({ quietHours: { start: 22 * 60, end: 7 * 60, timeZone: 'America/New_York' } });
    expect(shouldNotify(me, night, patientMessage, noon)).toBe(true);
    expect(shouldNotify(me, night, patientMessage, new Date('2026-03-03T04:00:00Z'))).toBe(false); // 23:00 in New York
    expect(shouldNotify(me, night, patientMessage, new Date('2026-03-03T11:30:00Z'))).toBe(false); // 06:30
    expect(shouldNotify(me, night, patientMessage, new Date('2026-03-03T12:00:00Z'))).toBe(true); // 07:00
    const lunch = prefs({ quietHours: { start: 12 * 60, end: 13 * 60, timeZone: 'America/New_York' } });
    expect(shouldNotify(me, lunch, patientMessage, noon)).toBe(false);
  });
});

describe('quiet hours', () => {
  it('reads the minute of the day in the zone; an unknown zone reads as UTC', () => {
    expect(minuteOfDay(noon, 'America/New_York')).toBe(12 * 60);
    expect(minuteOfDay(noon, 'Not/A_Zone')).toBe(17 * 60);
    expect(inQuietHours({ start: 600, end: 600, timeZone: 'UTC' }, noon)).toBe(false);
    expect(inQuietHours(null, noon)).toBe(false);
  });
});

describe('notificationText', () => {
  it('says only that a message came, and to which clinic', () => {
    expect(notificationLine(notificationText('Riverside Downtown', 'Maria Gonzalez', false))).toBe('New message · Riverside Downtown');
  });

  it('adds the first name — never the full name — where the organization allows it', () => {
    expect(notificationLine(notificationText('Riverside Downtown', 'Maria Gonzalez', true))).toBe('New message from Maria · Riverside Downtown');
  });

  it('never a phone number or an address standing in for a name', () => {
    expect(notificationText('Riverside Downtown', '+14155550134', true).title).toBe('New message');
    expect(notificationText('Riverside Downtown', 'aisha@example.com', true).title).toBe('New message');
    expect(notificationText('Riverside Downtown', null, true).title).toBe('New message');
  });

  it('is worded in the reader’s language, still without health information', () => {
    expect(notificationLine(notificationText('Riverside Downtown', 'Maria Gonzalez', true, 'es'))).toBe('Mensaje nuevo de Maria · Riverside Downtown');
    expect(notificationLine(notificationText('Riverside Downtown', 'Maria Gonzalez', false, 'es'))).toBe('Mensaje nuevo · Riverside Downtown');
  });
});

describe('wait reminders', () => {
  it('are due once the wait reaches the clinic\'s limit; no limit, no reminder', () => {
    expect(reminderDue(59, 60)).toBe(false);
    expect(reminderDue(60, 60)).toBe(true);
    expect(reminderDue(600, null)).toBe(false);
    expect(reminderDue(600, 0)).toBe(false);
  });

  it('say how long and where, with a link — nothing of the patient', () => {
    const text = reminderText('Riverside Downtown', 90, 'https://frontdesk.example/?c=abc');
    expect(text.subject).toBe('A patient has waited over 90 minutes · Riverside Downtown');
    expect(text.body).toContain('https://frontdesk.example/?c=abc');
    expect(reminderText('Riverside Downtown', 120, 'x').subject).toBe('A patient has waited over 2 hours · Riverside Downtown');
  });
});
