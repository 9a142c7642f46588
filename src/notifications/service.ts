import { and, eq } from 'drizzle-orm';
import { defaultLanguage, isLanguage } from '../i18n/index.js';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit } from '../audit/service.js';
import { contacts } from '../contacts/schema.js';
import { conversations, conversationUserState, messages } from '../conversations/schema.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { clinics } from '../orgs/schema.js';
import { defaultPreferences, notificationText, shouldNotify, type MessageFacts, type NotificationPreferences } from './rules.js';
import { notificationOrgSettings, notificationPreferences } from './schema.js';

type PreferencesRow = typeof notificationPreferences.$inferSelect;

function preferencesOf(row: PreferencesRow | undefined): NotificationPreferences {
  if (!row) return defaultPreferences;
  const quietHours = row.quietStart !== null && row.quietEnd !== null ? { start: row.quietStart, end: row.quietEnd, timeZone: row.timeZone ?? 'UTC' } : null;
  return { level: row.level, sound: row.sound, quietHours, emailReminders: row.emailReminders };
}

export async function preferencesFor(db: DbOrTx, userId: string): Promise<NotificationPreferences> {
  const [row] = await db.select().from(notificationPreferences).where(eq(notificationPreferences.userId, userId));
  return preferencesOf(row);
}

export async function getPreferences(deps: Deps, actor: Actor): Promise<NotificationPreferences> {
  return preferencesFor(deps.db, actor.userId);
}

function checkTimeZone(timeZone: string): void {
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new AppError('invalid_input', `"${timeZone}" is not a time zone; use a name such as America/New_York`, { errors: [{ field: 'body.quietHours.timeZone', message: 'unknown time zone' }] });
  }
}

/** Saves the user's own choice and audits it (the settings only, nothing of a patient). */
export async function updatePreferences(deps: Deps, actor: Actor, input: NotificationPreferences): Promise<NotificationPreferences> {
  if (input.quietHours) checkTimeZone(input.quietHours.timeZone);
  const values = {
    userId: actor.userId,
    orgId: actor.orgId,
    level: input.level,
    sound: input.sound,
    quietStart: input.quietHours?.start ?? null,
    quietEnd: input.quietHours?.end ?? null,
    timeZone: input.quietHours?.timeZone ?? null,
    emailReminders: input.emailReminders,
    updatedAt: deps.clock.now(),
  };
  return deps.db.transaction(async (tx) => {
    const [row] = await tx.insert(notificationPreferences).values(values).onConflictDoUpdate({ target: notificationPreferences.userId, set: values }).returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'notification_preferences.update', subject: { type: 'user', id: actor.userId }, details: { level: input.level, sound: input.sound, quietHours: input.quietHours, emailReminders: input.emailReminders } });
    return preferencesOf(row);
  });
}

export async function orgSettingsFor(db: DbOrTx, orgId: string): Promise<{ showFirstName: boolean }> {
  const [row] = await db.select({ showFirstName: notificationOrgSettings.showFirstName }).from(notificationOrgSettings).where(eq(notificationOrgSettings.orgId, orgId));
  return { showFirstName: row?.showFirstName ?? false };
}

export async function getOrgSettings(deps: Deps, actor: Actor) {
  return orgSettingsFor(deps.db, actor.orgId);
}

export async function updateOrgSettings(deps: Deps, actor: Actor, input: { showFirstName: boolean }) {
  const values = { orgId: actor.orgId, showFirstName: input.showFirstName, updatedAt: deps.clock.now() };
  return deps.db.transaction(async (tx) => {
    await tx.insert(notificationOrgSettings).values(values).onConflictDoUpdate({ target: notificationOrgSettings.orgId, set: values });
    await recordAudit(tx, { ...auditActor(actor), action: 'notification_settings.update', subject: { type: 'organization', id: actor.orgId }, details: input });
    return { showFirstName: input.showFirstName };
  });
}

/** A new message as the notification rule reads it, and what its notification would say. */
export interface NewMessage {
  facts: Omit<MessageFacts, 'mutedByUser'>;
  conversationId: string;
  /** The notification's words in one reader's language (each user's own choice; English when they made none). */
  textIn: (language: string | null) => { title: string; body: string };
}

/** Read once per message, shared by every user it might reach. */
export async function newMessage(db: DbOrTx, orgId: string, messageId: string): Promise<NewMessage | null> {
  const [row] = await db
    .select({
      direction: messages.direction,
      channel: messages.channel,
      senderUserId: messages.senderUserId,
      campaignId: messages.campaignId,
      hidden: messages.hidden,
      conversationId: conversations.id,
      assigneeId: conversations.assigneeId,
      clinicName: clinics.name,
      contactName: contacts.name,
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(messages.id, messageId), eq(messages.orgId, orgId)));
  if (!row || row.hidden) return null;
  const { showFirstName } = await orgSettingsFor(db, orgId);
  return {
    conversationId: row.conversationId,
    facts: { direction: row.direction, channel: row.channel, senderUserId: row.senderUserId, campaignId: row.campaignId, assigneeId: row.assigneeId },
    textIn: (language) => notificationText(row.clinicName, row.contactName, showFirstName, isLanguage(language) ? language : defaultLanguage),
  };
}

/** What the notification rule needs of everyone in the organization for one message: their preferences and who muted its conversation — read once per message, however many people are online. */
export interface Audience {
  preferences: Map<string, NotificationPreferences>;
  mutedBy: Set<string>;
}

export async function audienceFor(db: DbOrTx, orgId: string, message: NewMessage): Promise<Audience> {
  const [prefs, muted] = await Promise.all([
    db.select().from(notificationPreferences).where(eq(notificationPreferences.orgId, orgId)),
    db
      .select({ userId: conversationUserState.userId })
      .from(conversationUserState)
      .where(and(eq(conversationUserState.conversationId, message.conversationId), eq(conversationUserState.muted, true))),
  ]);
  return { preferences: new Map(prefs.map((row) => [row.userId, preferencesOf(row)])), mutedBy: new Set(muted.map((row) => row.userId)) };
}

/** Whether this user is told about the message, with their sound choice; null when not. */
export function notificationFor(audience: Audience, userId: string, message: NewMessage, now: Date): { sound: boolean } | null {
  const prefs = audience.preferences.get(userId) ?? defaultPreferences;
  const notify = shouldNotify(userId, prefs, { ...message.facts, mutedByUser: audience.mutedBy.has(userId) }, now);
  return notify ? { sound: prefs.sound } : null;
}
