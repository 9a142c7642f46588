/**
 * P1: telling a guest the clinic replied. One email carries a fresh key to their link and, if the
 * clinic allows it, the first words of the reply; nothing else of the conversation leaves.
 */
import { openFor } from '../encryption/columns.js';
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { sha256 } from '../auth/tokens.js';
import type { ChannelAdapter } from '../channels/types.js';
import { contacts } from '../contacts/schema.js';
import { isOptedOut } from '../contacts/opt-outs.js';
import { messages } from '../conversations/schema.js';
import type { DeliveryDeps } from '../deps.js';
import { clinics } from '../orgs/schema.js';
import { emailPreview, guestPath, notificationSubject, notificationText, shouldNotify } from './rules.js';
import { patientLanguage } from '../i18n/patient-language.js';
import { guestLinks, guestTokens } from './schema.js';
import { mintToken } from './service.js';

export type NotifyResult = 'sent' | 'skipped' | 'retry';

export async function notifyGuest(deps: DeliveryDeps, linkId: string, messageId: string): Promise<NotifyResult> {
  const [row] = await deps.db
    .select({ link: guestLinks, contact: contacts, clinic: clinics })
    .from(guestLinks)
    .innerJoin(contacts, eq(contacts.id, guestLinks.contactId))
    .innerJoin(clinics, eq(clinics.id, guestLinks.clinicId))
    .where(eq(guestLinks.id, linkId));
  const now = deps.clock.now();
  if (!row || row.link.revokedAt || row.contact.blocked || isOptedOut(row.contact, 'email') || !row.contact.email) return 'skipped';
  if (!shouldNotify(row.link, now)) return 'skipped';
  const [reply] = await deps.db.select({ id: messages.id, orgId: messages.orgId, body: messages.body }).from(messages).where(eq(messages.id, messageId));
  const token = await mintToken(deps.db, linkId, now);
  const language = patientLanguage(row.contact.preferredLanguage);
  const adapter: ChannelAdapter = deps.channels.adapter('email');
  const domain = deps.config.email.domain;
  const outcome = await adapter
    .send({
      messageId: randomUUID(),
      orgId: row.link.orgId,
      to: row.contact.email,
      from: deps.config.email.from,
      fromName: row.clinic.name,
      body: notificationText({
        patientName: row.contact.name,
        clinicName: row.clinic.name,
        url: deps.config.publicUrl + guestPath(token),
        preview: emailPreview(reply ? openFor(reply, reply.body) : '', row.clinic.guestEmailPreview),
      }, language),
      attachments: [],
      email: {
        messageIdHeader: `<notify.${randomUUID()}@${domain}>`,
        inReplyTo: null,
        references: [],
        replyTo: deps.config.email.from,
        subject: notificationSubject(row.clinic.name, language),
        autoSubmitted: 'auto-generated',
      },
    })
    .catch((e: Error) => ({ kind: 'failed' as const, permanent: false, code: 'adapter_error', reason: e.message }));
  if (outcome.kind === 'failed') {
    // The key never reached anyone: take it back.
    await deps.db.delete(guestTokens).where(eq(guestTokens.tokenHash, sha256(token)));
    return outcome.permanent ? 'skipped' : 'retry';
  }
  await deps.db.update(guestLinks).set({ notifiedAt: now }).where(eq(guestLinks.id, linkId));
  return 'sent';
}
