import { eq } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { normalizePhone } from '../contacts/rules.js';
import { contactInOrg, findOrCreateContact, parseEmail, type ContactRow } from '../contacts/service.js';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { clinics } from '../orgs/schema.js';
import { renderTemplate } from '../templates/rules.js';
import { templateFor, templateInOrg } from '../templates/service.js';
import { patientLanguage } from '../i18n/patient-language.js';
import type { Language } from '../i18n/index.js';
import { accessibleClinic, inboxInOrg } from '../orgs/service.js';
import { conversationHooks } from './hooks.js';
import type { SendInput, StartInput } from './inputs.js';
import { mayPost, sendableChannels, type SendChannel } from './rules.js';
import { conversations, type MessageCard, type ConversationRow } from './schema.js';
import { createCardLink, cardUrl, newCardToken, resolveCard } from '../artifacts/service.js';
import { cardLine, portalCardLine } from '../artifacts/rules.js';
import { sanitizeOutboundHtml } from '../channels/email/html.js';
import { assertSmsAccess, loadConversation, poster, refuse } from './access.js';
import { appendOutbound } from './outbound.js';
import { activeConversation, createConversation, lockThreadSlot, reopenOrRefuse } from './thread-slot.js';
import { conversationById, messageById } from './views.js';
import { orgCountry } from '../orgs/locale.js';


async function resolveRecipient(deps: Deps, tx: Tx, actor: Actor, input: StartInput): Promise<ContactRow> {
  const given = [input.contactId, input.phone, input.email].filter((v) => v !== undefined).length;
  if (given !== 1) throw new AppError('invalid_input', 'give exactly one of contactId, phone or email');
  if (input.contactId) return contactInOrg(tx, actor.orgId, input.contactId);
  if (input.phone) {
    const phone = normalizePhone(input.phone, await orgCountry(tx, actor.orgId, deps.config.defaultCountry));
    if (!phone.ok) throw new AppError('invalid_number', `cannot text or message ${input.phone}: ${phone.reason}`);
    return findOrCreateContact(tx, actor.orgId, { phone: phone.e164 }, input.name);
  }
  return findOrCreateContact(tx, actor.orgId, { email: parseEmail(input.email!) }, input.name);
}

/**
 * Starts a conversation with a contact (made a lead when the phone or email is new). When the
 * patient already has an active thread in the clinic, the message joins it — conversations are
 * patient-centred — unless T4 forbids the sender to start one.
 */
export async function startConversation(deps: Deps, actor: Actor, input: StartInput) {
  if (input.channel === 'sms') assertSmsAccess(actor);
  const subject = input.subject?.replace(/\s+/g, ' ').trim();
  if (input.subject !== undefined && (input.channel !== 'email' || !subject)) {
    throw new AppError('invalid_input', input.channel === 'email' ? 'subject: write a few words, or leave it out' : 'subject: only an email has a subject', { errors: [{ field: 'body.subject', message: 'email only, not blank' }] });
  }
  const result = await deps.db.transaction(async (tx) => {
    await accessibleClinic(tx, actor, input.clinicId);
    const inboxId = input.inboxId && (await inboxInOrg(tx, actor.orgId, input.inboxId)).id;
    const contact = await resolveRecipient(deps, tx, actor, input);
    await lockThreadSlot(tx, input.clinicId, contact.id);
    const existing = await activeConversation(tx, input.clinicId, contact.id);
    // The existing thread is named in the refusal: the doctor is sent there (T4), not left guessing.
    refuse(mayPost(poster(actor), { kind: 'start', hasActiveConversation: Boolean(existing) }), existing ? { conversationId: existing.id } : {});
    // Staff writing to the patient bring a thread held over the plan's guest limit into view.
    if (existing?.heldAt) await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, existing.id));
    const at = deps.clock.now();
    const conversation =
      existing ?? (await createConversation(tx, { orgId: actor.orgId, clinicId: input.clinicId, contactId: contact.id, channel: input.channel, at, inboxId, startedByUserId: actor.userId }));
    const messageId = await appendOutbound(tx, conversation, contact, {
      channel: input.channel,
      body: input.body,
      sender: { kind: 'user', userId: actor.userId },
      at,
      attachmentIds: input.attachmentIds,
      whatsappTemplate: input.whatsappTemplate,
      sensitive: input.sensitive,
      subject,
      html: formatted(input.channel, input.html),
    });
    await recordAudit(tx, [
      ...(existing
        ? []
        : [{ ...auditActor(actor), action: 'conversation.create', subject: { type: 'conversation', id: conversation.id } }]),
      {
        ...auditActor(actor),
        action: 'message.send',
        subject: { type: 'message', id: messageId },
        details: { conversationId: conversation.id, channel: input.channel },
      },
    ]);
    return { conversationId: conversation.id, messageId, joinedExisting: Boolean(existing) };
  });
  return {
    conversation: await conversationById(deps, actor, result.conversationId),
    message: await messageById(deps.db, result.messageId),
    joinedExisting: result.joinedExisting,
  };
}

/**
 * M10: a campaign's message, in the caller's transaction: it joins the patient's active thread in
 * the clinic or starts one, under the same channel rules and delivery path as a staff message.
 */
export async function appendAutomatic(
  tx: Tx,
  input: { orgId: string; clinicId: string; contact: ContactRow; channel: SendChannel; body: string; campaignId: string; at: Date },
): Promise<{ conversationId: string; messageId: string }> {
  await lockThreadSlot(tx, input.clinicId, input.contact.id);
  const { orgId, clinicId, channel, at } = input;
  const conversation =
    (await activeConversation(tx, clinicId, input.contact.id)) ?? (await createConversation(tx, { orgId, clinicId, contactId: input.contact.id, channel, at }));
  const messageId = await appendOutbound(tx, conversation, input.contact, { channel: input.channel, body: input.body, sender: { kind: 'campaign', campaignId: input.campaignId }, at: input.at });
  return { conversationId: conversation.id, messageId };
}

/** A reply in a conversation; reopens and unarchives it, since a new message is new activity. */

export async function sendMessage(deps: Deps, actor: Actor, conversationId: string, input: SendInput) {
  const messageId = await deps.db.transaction((tx) => sendInTransaction(deps, tx, actor, conversationId, input));
  return messageById(deps.db, messageId);
}

/** The reply itself, in the caller's transaction (a retraction sends its correction in its own); returns the message id. */
export async function sendInTransaction(deps: Deps, tx: Tx, actor: Actor, conversationId: string, input: SendInput): Promise<string> {
  let conversation = await loadConversation(tx, actor, conversationId, { lock: true });
  refuse(mayPost(poster(actor), { kind: 'reply', conversation }));
  const contact = await contactInOrg(tx, actor.orgId, conversation.contactId);
  if (conversation.status === 'closed' || conversation.archivedAt) {
    conversation = await reopenOrRefuse(tx, conversation, { status: 'open', archivedAt: null });
  }
  const channel = input.channel ?? (conversation.channel === 'call' ? sendableChannels(contact)[0] : conversation.channel);
  if (!channel) throw new AppError('channel_unavailable', 'this contact has no phone, email or portal chat to send to');
  if (channel === 'sms') assertSmsAccess(actor);
  const at = deps.clock.now();
  const card = input.card ? await resolveCard(tx, actor.orgId, contact.id, input.card, patientLanguage(contact.preferredLanguage)) : undefined;
  const token = card ? newCardToken() : undefined;
  const text = card && !input.body && !input.templateId ? '' : await messageBody(deps, tx, actor, conversation, contact, input);
  const body = card ? withCard(text, card, channel, cardUrl(deps.config.publicUrl, token!), patientLanguage(contact.preferredLanguage)) : text;
  const id = await appendOutbound(tx, conversation, contact, {
    channel,
    body,
    sender: { kind: 'user', userId: actor.userId },
    at,
    attachmentIds: input.attachmentIds,
    whatsappTemplate: input.whatsappTemplate,
    sensitive: input.sensitive,
    card,
    correctsMessageId: input.correctsMessageId,
    // A card's line is added to the plain text only: the mail goes without formatting.
    html: card ? undefined : formatted(channel, input.html),
  });
  if (card) await createCardLink(tx, actor.orgId, id, token!, at);
  await recordAudit(tx, {
    ...auditActor(actor),
    action: 'message.send',
    subject: { type: 'message', id },
    details: { conversationId, channel },
  });
  return id;
}

/** S4: an email's formatting, made safe; only email is formatted. */
function formatted(channel: SendChannel, html: string | undefined): string | undefined {
  if (html === undefined) return undefined;
  if (channel !== 'email') throw new AppError('invalid_input', 'html: only an email can be formatted', { errors: [{ field: 'body.html', message: 'email only' }] });
  return sanitizeOutboundHtml(html) || undefined;
}

/** K4: a card's text: the note written with it, then what it is and (except in the portal, which draws the card) its link. */
function withCard(text: string, card: MessageCard, channel: SendChannel, url: string, language: Language): string {
  const line = channel === 'portal' ? portalCardLine(card, language) : cardLine(card, url, language);
  return text ? `${text}\n\n${line}` : line;
}

/** K2: the text to send — as written, or the template filled in for this patient. */
async function messageBody(deps: Deps, tx: Tx, actor: Actor, conversation: ConversationRow, contact: ContactRow, input: SendInput): Promise<string> {
  if (input.templateId) {
    const template = await templateInOrg(tx, actor.orgId, input.templateId);
    const [clinic] = await tx.select().from(clinics).where(eq(clinics.id, conversation.clinicId));
    const appointment = await conversationHooks().nextBooking(tx, contact.id, deps.clock.now());
    const version = templateFor(template, contact.preferredLanguage);
    return renderTemplate(version.text, { patient: { name: contact.name }, clinic, staff: { name: actor.name }, appointment, language: version.language });
  }
  if (!input.body) throw new AppError('invalid_input', 'body is required (or a templateId)', { errors: [{ field: 'body.body', message: 'is required' }] });
  return input.body;
}
