import { eq } from 'drizzle-orm';
import { contacts } from '../contacts/schema.js';
import type { Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { clinics } from '../orgs/schema.js';
import { type SendChannel } from './rules.js';
import { conversations } from './schema.js';
import { defaultOpeningHours, isOpen, lastClosing } from '../orgs/hours.js';
import { systemCampaign } from '../campaigns/system.js';
import { appendOutbound } from './outbound.js';
import { defaultLanguage } from '../i18n/index.js';
import { versionFor } from '../i18n/patient-language.js';

/**
 * B2: the clinic's after-hours auto-reply, at most once per conversation per night, on the channel
 * the patient wrote on. Callers skip it for carrier keywords (STOP gets its own confirmation only).
 */
export async function replyAfterHours(tx: Tx, conversationId: string, at: Date): Promise<void> {
  const [row] = await tx
    .select({ c: conversations, clinic: clinics, contact: contacts })
    .from(conversations)
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(conversations.id, conversationId));
  const hours = row.clinic.openingHours ?? defaultOpeningHours;
  if (!row.clinic.afterHoursReply || isOpen(at, hours, row.clinic.timezone)) return;
  const closing = lastClosing(at, hours, row.clinic.timezone);
  if (row.c.afterHoursRepliedAt && (!closing || row.c.afterHoursRepliedAt >= closing)) return;
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
  try {
    await appendOutbound(tx, conversation, row.contact, {
      channel: conversation.channel as SendChannel,
      body: versionFor({ language: defaultLanguage, text: row.clinic.afterHoursReply, translations: row.clinic.afterHoursReplyTranslations }, row.contact.preferredLanguage).text,
      sender: { kind: 'campaign', campaignId: await systemCampaign(tx, row.c.orgId, 'After-hours reply') },
      at: new Date(at.getTime() + 1),
    });
  } catch (e) {
    // A patient the channel cannot reach (opted out, blocked) simply gets no auto-reply.
    if (e instanceof AppError) return;
    throw e;
  }
  await tx.update(conversations).set({ afterHoursRepliedAt: at }).where(eq(conversations.id, conversationId));
}
