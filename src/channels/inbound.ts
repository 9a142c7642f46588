/**
 * The one way in for a patient's message from outside (S3, M2): provider webhooks, the SMTP
 * listener and the simulator all come through receiveInbound. A message the provider sends twice
 * is stored once; carrier keywords (S2) are obeyed and answered.
 */
import { randomUUID } from 'node:crypto';
import { forgetImportedOptOut } from '../imports/service.js';
import { and, asc, desc, eq, inArray, isNull } from 'drizzle-orm';
import { attachToMessage, storeAttachment } from '../attachments/service.js';
import { recordAudit } from '../audit/service.js';
import { normalizePhone } from '../contacts/rules.js';
import { findOrCreateContact, type ContactRow } from '../contacts/service.js';
import { contacts } from '../contacts/schema.js';
import { conversations, messages } from '../conversations/schema.js';
import { appendOutbound, recordInbound, recordReaction, replyAfterHours } from '../conversations/service.js';
import type { Tx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { clinics } from '../orgs/schema.js';
import { systemCampaign } from '../campaigns/system.js';
import { filesOnly } from './media.js';
import { keywordAction, keywordLanguage, keywordReply, type KeywordAction } from './rules.js';
import { patientLanguage } from '../i18n/patient-language.js';
import { subjectMax, threadSubject } from './email/subject.js';
import type { ProviderChannel } from './registry.js';
import type { InboundMessage, InboundReaction } from './types.js';
import { isOptedOut, withOptOut } from '../contacts/opt-outs.js';
import { orgCountry } from '../orgs/locale.js';

export type InboundResult =
  | { kind: 'stored'; orgId: string; conversationId: string; messageId: string; contactId: string }
  | { kind: 'duplicate' }
  | { kind: 'unroutable'; reason: string };

export interface InboundTarget {
  orgId: string;
  /** When the address it came to names a clinic or a thread. */
  clinicId?: string;
}

/** Where a message from this contact lands when nothing names a clinic: their latest thread's, else the first. */
async function clinicFor(tx: Tx, orgId: string, contactId: string): Promise<string> {
  const [latest] = await tx
    .select({ clinicId: conversations.clinicId })
    .from(conversations)
    .where(and(eq(conversations.orgId, orgId), eq(conversations.contactId, contactId), isNull(conversations.hiddenAt)))
    .orderBy(desc(conversations.lastActivityAt))
    .limit(1);
  if (latest) return latest.clinicId;
  const [first] = await tx.select({ id: clinics.id }).from(clinics).where(eq(clinics.orgId, orgId)).orderBy(asc(clinics.createdAt)).limit(1);
  return first.id;
}

async function contactFor(deps: Deps, tx: Tx, orgId: string, channel: ProviderChannel, msg: InboundMessage): Promise<ContactRow | null> {
  if (channel === 'email') return findOrCreateContact(tx, orgId, { email: msg.from.toLowerCase() }, msg.name);
  const phone = normalizePhone(msg.from, await orgCountry(tx, orgId, deps.config.defaultCountry));
  return phone.ok ? findOrCreateContact(tx, orgId, { phone: phone.e164 }, msg.name) : null;
}

/**
 * S2: STOP-type words opt out (and get one confirmation), START-type opt back in, HELP answers.
 * The provider's reading of the keyword wins (Twilio's OptOutType, custom words in any language
 * included); when the provider answers keywords itself, the patient gets its answer, not a second one.
 * Returns whether the message was a keyword (and so was answered already).
 */
async function obeyKeyword(deps: Deps, tx: Tx, channel: ProviderChannel, contact: ContactRow, conversationId: string, msg: InboundMessage, at: Date): Promise<boolean> {
  if (channel === 'email') return false;
  const action = msg.keyword ?? keywordAction(msg.body, isOptedOut(contact, channel));
  if (!action) return false;
  const changes = action === 'help' ? {} : { optedOut: withOptOut(channel, action === 'opt_out') };
  // A patient who writes BAJA reads Spanish: remembered when the clinic did not know their language yet.
  const learned = contact.preferredLanguage ? undefined : keywordLanguage(msg.body);
  if (learned) Object.assign(changes, { preferredLanguage: learned });
  const [updated] = Object.keys(changes).length ? await tx.update(contacts).set({ ...changes, updatedAt: at }).where(eq(contacts.id, contact.id)).returning() : [contact];
  if (action === 'opt_in') await forgetImportedOptOut(tx, contact.id, channel);
  if (!msg.keyword && !deps.channels.adapter(channel).answersKeywords) await confirmKeyword(tx, conversationId, updated, channel, action, at);
  await recordAudit(tx, {
    orgId: contact.orgId,
    actor: { kind: 'patient', contactId: contact.id },
    action: `contact.${action}`,
    subject: { type: 'contact', id: contact.id },
    details: { channel, ...(learned && { preferredLanguage: learned }) },
  });
  return true;
}

async function confirmKeyword(tx: Tx, conversationId: string, contact: ContactRow, channel: ProviderChannel, action: KeywordAction, at: Date): Promise<void> {
  const [conversation] = await tx.select().from(conversations).where(eq(conversations.id, conversationId));
  const [clinic] = await tx.select().from(clinics).where(eq(clinics.id, conversation.clinicId));
  await appendOutbound(tx, conversation, contact, {
    channel,
    body: keywordReply(action, clinic, patientLanguage(contact.preferredLanguage)),
    sender: { kind: 'campaign', campaignId: await systemCampaign(tx, contact.orgId, 'Automatic replies') },
    at: new Date(at.getTime() + 1),
    ignoreOptOut: action === 'opt_out',
    keywordReply: true,
  });
}

export async function receiveInbound(deps: Deps, channel: ProviderChannel, msg: InboundMessage, target: InboundTarget): Promise<InboundResult> {
  try {
    return await deps.db.transaction((tx) => receiveInboundIn(deps, tx, channel, msg, target));
  } catch (e) {
    // The same message delivered twice at the same moment: the unique index let one through.
    if (isUniqueViolation(e, 'messages_provider_id_key')) return { kind: 'duplicate' };
    throw e;
  }
}

/** receiveInbound in the caller's transaction: the worker files an accepted event and marks it filed in one. */
export async function receiveInboundIn(deps: Deps, tx: Tx, channel: ProviderChannel, msg: InboundMessage, target: InboundTarget): Promise<InboundResult> {
  const [seen] = await tx
    .select({ id: messages.id })
    .from(messages)
    .where(and(eq(messages.channel, channel), eq(messages.providerMessageId, msg.providerMessageId)));
  if (seen) return { kind: 'duplicate' } as const;
  const contact = await contactFor(deps, tx, target.orgId, channel, msg);
  if (!contact) return { kind: 'unroutable', reason: 'the sender has no valid address' } as const;
  const at = deps.clock.now();
  const clinicId = target.clinicId ?? (await clinicFor(tx, target.orgId, contact.id));
  const kept: { id: string; contentType: string }[] = [];
  const refused: string[] = [];
  for (const file of msg.attachments ?? []) {
    const row = await storeAttachment(deps, { orgId: target.orgId, userId: null }, { filename: file.filename, bytes: file.content, inbound: true }, tx).catch(() => null);
    if (row) kept.push(row);
    else refused.push(file.filename);
  }
  // A file we do not accept (an executable, say) is not kept, but the staff are told it came.
  const notes = [...(msg.notes ?? []), ...refused.map((name) => `[attachment "${name}" not kept: not an image, PDF or document we accept]`)];
  const stored = await recordInbound(tx, {
    orgId: target.orgId,
    clinicId,
    contactId: contact.id,
    channel,
    body: [msg.body, ...notes].filter(Boolean).join('\n') || (kept.length ? filesOnly(kept.map((f) => f.contentType)) : '(empty message)'),
    providerMessageId: msg.providerMessageId,
    automatic: msg.automatic,
    fullText: msg.fullText,
    html: msg.html,
    subject: msg.subject === undefined ? undefined : { message: msg.subject.slice(0, subjectMax), thread: threadSubject(msg.subject) },
    at,
  });
  if (kept.length) await attachToMessage(tx, target.orgId, stored.messageId, kept.map((f) => f.id));
  await recordAudit(tx, {
    orgId: target.orgId,
    actor: { kind: 'patient', contactId: contact.id },
    action: 'message.receive',
    subject: { type: 'message', id: stored.messageId },
    details: { conversationId: stored.conversationId, channel, ...(msg.automatic && { automatic: true }) },
  });
  // RFC 3834: nothing automatic answers a machine's mail (two responders would answer each other).
  if (msg.automatic) return { kind: 'stored', orgId: target.orgId, ...stored, contactId: contact.id } as const;
  const keyword = await obeyKeyword(deps, tx, channel, contact, stored.conversationId, msg, at);
  if (!keyword) await replyAfterHours(tx, stored.conversationId, at);
  return { kind: 'stored', orgId: target.orgId, ...stored, contactId: contact.id } as const;
}

/** A patient's reaction to a message (WhatsApp), from a number we know: set on that message, or taken back. */
export async function receiveReaction(deps: Deps, channel: ProviderChannel, orgId: string, from: string, reaction: InboundReaction): Promise<void> {
  const phone = normalizePhone(from, await orgCountry(deps.db, orgId, deps.config.defaultCountry));
  if (!phone.ok) return;
  await deps.db.transaction(async (tx) => {
    const [contact] = await tx.select({ id: contacts.id }).from(contacts).where(and(eq(contacts.orgId, orgId), eq(contacts.phone, phone.e164)));
    if (contact) await recordReaction(tx, deps.clock.now(), { orgId, contactId: contact.id, channel, ...reaction });
  });
}

/** Email: the thread a reply belongs to, by our reply address or by the Message-IDs it answers. */
export async function routeEmail(deps: Deps, recipients: string[], inReplyTo: string[]): Promise<InboundTarget | null> {
  const domain = deps.config.email.domain.toLowerCase();
  for (const address of recipients) {
    const reply = new RegExp(`^reply\\+([0-9a-f-]{36})@${domain.replace(/\./g, '\\.')}$`).exec(address);
    if (reply) {
      const [c] = await deps.db.select().from(conversations).where(eq(conversations.id, reply[1]));
      if (c) return { orgId: c.orgId, clinicId: c.clinicId };
    }
  }
  if (inReplyTo.length) {
    const [m] = await deps.db
      .select({ orgId: conversations.orgId, clinicId: conversations.clinicId })
      .from(messages)
      .innerJoin(conversations, eq(conversations.id, messages.conversationId))
      .where(and(eq(messages.channel, 'email'), inArray(messages.providerMessageId, inReplyTo.slice(0, 50))))
      .limit(1);
    if (m) return m;
  }
  for (const address of recipients) {
    const [local, host] = address.split('@');
    if (host !== domain) continue;
    const [clinic] = await deps.db.select({ orgId: clinics.orgId, id: clinics.id }).from(clinics).where(eq(clinics.slug, local));
    if (clinic) return { orgId: clinic.orgId, clinicId: clinic.id };
  }
  return null;
}

export const simulatedMessageId = () => `SIMIN${randomUUID().replace(/-/g, '')}`;
