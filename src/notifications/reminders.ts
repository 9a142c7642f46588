/**
 * Reminder by email: when a patient's message has waited longer than the clinic's limit — counted
 * in the clinic's opening hours — the conversation's assignee, or (unassigned) everyone who works
 * the clinic's inbox, gets one email per waiting period with a link and nothing of the patient.
 * Each user may opt out (Settings › Notifications). The worker runs it every five minutes.
 */
import { randomUUID } from 'node:crypto';
import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit } from '../audit/service.js';
import { conversations } from '../conversations/schema.js';
import type { Deps, DeliveryDeps } from '../deps.js';
import { notFound } from '../errors.js';
import { defaultOpeningHours, openMinutesBetween } from '../orgs/hours.js';
import { clinics, userClinics, users } from '../orgs/schema.js';
import { reminderDue, reminderText } from './rules.js';
import { defaultLanguage, isLanguage, type Language } from '../i18n/index.js';
import { clinicReminderSettings, notificationPreferences, waitReminders } from './schema.js';

export const remindersTask = 'wait_reminders';

async function clinicInOrg(deps: Deps, actor: Actor, clinicId: string) {
  const [clinic] = await deps.db.select({ id: clinics.id }).from(clinics).where(and(eq(clinics.id, clinicId), eq(clinics.orgId, actor.orgId)));
  if (!clinic) throw notFound('clinic');
}

export async function getReminderSetting(deps: Deps, actor: Actor, clinicId: string) {
  await clinicInOrg(deps, actor, clinicId);
  const [row] = await deps.db.select({ waitMinutes: clinicReminderSettings.waitMinutes }).from(clinicReminderSettings).where(eq(clinicReminderSettings.clinicId, clinicId));
  return { waitMinutes: row?.waitMinutes ?? null };
}

export async function setReminderSetting(deps: Deps, actor: Actor, clinicId: string, input: { waitMinutes: number | null }) {
  await clinicInOrg(deps, actor, clinicId);
  const values = { clinicId, orgId: actor.orgId, waitMinutes: input.waitMinutes, updatedAt: deps.clock.now() };
  return deps.db.transaction(async (tx) => {
    await tx.insert(clinicReminderSettings).values(values).onConflictDoUpdate({ target: clinicReminderSettings.clinicId, set: values });
    await recordAudit(tx, { ...auditActor(actor), action: 'clinic.reminder_update', subject: { type: 'clinic', id: clinicId }, details: input });
    return { waitMinutes: input.waitMinutes };
  });
}

/** Who is reminded: the assignee, or everyone with the inbox who works at the clinic; never someone who opted out. */
async function recipients(deps: DeliveryDeps, orgId: string, clinicId: string, assigneeId: string | null): Promise<{ email: string; language: Language }[]> {
  const rows = await deps.db
    .select({ email: users.email, language: users.language })
    .from(users)
    .leftJoin(notificationPreferences, eq(notificationPreferences.userId, users.id))
    .where(
      and(
        eq(users.orgId, orgId),
        isNull(users.deactivatedAt),
        sql`'send_messages' = any(${users.privileges})`,
        sql`coalesce(${notificationPreferences.emailReminders}, true)`,
        assigneeId
          ? eq(users.id, assigneeId)
          : sql`(${users.role} in ('admin', 'main_admin') or exists (select 1 from ${userClinics} uc where uc.user_id = ${users.id} and uc.clinic_id = ${clinicId}))`,
      ),
    );
  return rows.map((r) => ({ email: r.email, language: isLanguage(r.language) ? r.language : defaultLanguage }));
}

/** One pass: every waiting thread past its clinic's limit and not yet reminded for this wait. Returns the emails sent. */
export async function sendWaitReminders(deps: DeliveryDeps): Promise<number> {
  const now = deps.clock.now();
  const waiting = await deps.db
    .select({
      id: conversations.id,
      orgId: conversations.orgId,
      clinicId: conversations.clinicId,
      assigneeId: conversations.assigneeId,
      awaitingSince: conversations.awaitingSince,
      limit: clinicReminderSettings.waitMinutes,
      clinicName: clinics.name,
      timezone: clinics.timezone,
      openingHours: clinics.openingHours,
    })
    .from(conversations)
    .innerJoin(clinicReminderSettings, eq(clinicReminderSettings.clinicId, conversations.clinicId))
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .leftJoin(waitReminders, and(eq(waitReminders.conversationId, conversations.id), eq(waitReminders.awaitingSince, conversations.awaitingSince)))
    .where(
      and(
        isNotNull(conversations.awaitingSince),
        isNotNull(clinicReminderSettings.waitMinutes),
        eq(conversations.status, 'open'),
        isNull(conversations.archivedAt),
        isNull(conversations.hiddenAt),
        isNull(conversations.heldAt),
        isNull(conversations.spamAt),
        isNull(waitReminders.conversationId),
      ),
    );
  let sent = 0;
  for (const c of waiting) {
    const waited = openMinutesBetween(c.awaitingSince!, now, c.openingHours ?? defaultOpeningHours, c.timezone);
    if (!reminderDue(waited, c.limit)) continue;
    const adapter = deps.channels.adapter('email');
    for (const { email: to, language } of await recipients(deps, c.orgId, c.clinicId, c.assigneeId)) {
      const text = reminderText(c.clinicName, c.limit!, `${deps.config.publicUrl}/?c=${c.id}`, language);
      const outcome = await adapter
        .send({
          messageId: randomUUID(),
          orgId: c.orgId,
          to,
          from: deps.config.email.from,
          fromName: 'Frontdesk',
          body: text.body,
          attachments: [],
          email: { messageIdHeader: `<reminder.${randomUUID()}@${deps.config.email.domain}>`, inReplyTo: null, references: [], replyTo: deps.config.email.from, subject: text.subject },
        })
        .catch(() => ({ kind: 'failed' as const }));
      if (outcome.kind !== 'failed') sent++;
    }
    // Once per wait, whoever it reached: a new patient message after the team answers starts a new one.
    await deps.db
      .insert(waitReminders)
      .values({ conversationId: c.id, awaitingSince: c.awaitingSince!, sentAt: now })
      .onConflictDoUpdate({ target: waitReminders.conversationId, set: { awaitingSince: c.awaitingSince!, sentAt: now } });
  }
  return sent;
}
