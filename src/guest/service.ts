/**
 * P1: the guest inbox. A patient writes from the clinic's public page without an account and gets a
 * private link; the link is their only key. A link shows only its own messages — those written
 * through it and the clinic's web replies to it — so someone who types another person's email into
 * the form learns nothing of that person's other conversations.
 */
import { openFor } from '../encryption/columns.js';
import { translator, type Language } from '../i18n/index.js';
import { patientLanguage } from '../i18n/patient-language.js';
import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import { assertLink, attachmentForPatient, attachmentsOf, signedQuery } from '../attachments/service.js';
import type { LinkSignature } from '../attachments/links.js';
import { patientCards, type PatientCard } from '../artifacts/service.js';
import { readingAs, recordAudit, type Origin } from '../audit/service.js';
import { sha256 } from '../auth/tokens.js';
import { admitGuestConversation } from './allowance.js';
import { normalizePhone } from '../contacts/rules.js';
import { contacts } from '../contacts/schema.js';
import { findOrCreateContact, parseEmail, type ContactRow } from '../contacts/service.js';
import { conversations, messages } from '../conversations/schema.js';
import { recordInbound, replyAfterHours } from '../conversations/service.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { isUniqueViolation } from '../db/errors.js';
import { applyStatus } from '../conversations/status.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { clinics, users } from '../orgs/schema.js';
import { defaultOpeningHours, hoursText } from '../orgs/hours.js';
import { spend } from '../ratelimit/service.js';
import { duplicateWindowMs, guestPath, guestTokenPattern, newGuestToken, sameMessage } from './rules.js';
import { guestLinks, guestTokens } from './schema.js';
import { orgCountry } from '../orgs/locale.js';

export type ClinicRow = typeof clinics.$inferSelect;
type LinkRow = typeof guestLinks.$inferSelect;

/** A guest's address and browser: what the audit log and the rate limits know of them. */
export type Visitor = Origin;

export async function clinicBySlug(db: DbOrTx, slug: string): Promise<ClinicRow> {
  const [clinic] = await db.select().from(clinics).where(eq(clinics.slug, slug.toLowerCase()));
  if (!clinic) throw notFound('clinic');
  return clinic;
}

/** Mints another key to a link and returns it; only its hash is stored. */
export async function mintToken(db: DbOrTx, linkId: string, at: Date): Promise<string> {
  const token = newGuestToken();
  await db.insert(guestTokens).values({ tokenHash: sha256(token), linkId, createdAt: at });
  return token;
}

/** The link a token opens, or 404 — the same 404 for a malformed, unknown or revoked token. */
async function linkByToken(db: DbOrTx, token: string): Promise<LinkRow> {
  if (!guestTokenPattern.test(token)) throw notFound('conversation');
  const [row] = await db
    .select({ link: guestLinks })
    .from(guestTokens)
    .innerJoin(guestLinks, eq(guestLinks.id, guestTokens.linkId))
    .innerJoin(contacts, eq(contacts.id, guestLinks.contactId))
    .where(and(eq(guestTokens.tokenHash, sha256(token)), isNull(guestLinks.revokedAt), eq(contacts.blocked, false)));
  if (!row) throw notFound('conversation');
  return row.link;
}

/** Serialises one sender's posts, so two identical ones sent at once cannot both pass the duplicate check. */
async function lockSender(tx: Tx, orgId: string, contactId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`guest:${orgId}:${contactId}`}, 0))`);
}

/** 409 when the sender wrote the same thing within ten minutes. */
async function refuseDuplicate(tx: Tx, where: { contactId: string } | { linkId: string }, body: string, at: Date): Promise<void> {
  const since = new Date(at.getTime() - duplicateWindowMs);
  const recent = await tx
    .select({ id: messages.id, orgId: messages.orgId, body: messages.body })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(
      and(
        'contactId' in where ? eq(conversations.contactId, where.contactId) : eq(messages.guestLinkId, where.linkId),
        eq(messages.channel, 'web'),
        eq(messages.direction, 'inbound'),
        gt(messages.createdAt, since),
      ),
    )
    .limit(50);
  if (recent.some((m) => sameMessage(openFor(m, m.body), body))) {
    throw new AppError('duplicate_message', 'you sent this same message a few minutes ago; the clinic has it already');
  }
}

/** M13: a guest's message came in, from where. */
function auditReceived(tx: Tx, who: { orgId: string; contactId: string }, visitor: Visitor, stored: { messageId: string; conversationId: string }, details: Record<string, unknown> = {}) {
  return recordAudit(tx, {
    orgId: who.orgId,
    actor: { kind: 'patient', contactId: who.contactId },
    origin: visitor,
    action: 'message.receive',
    subject: { type: 'message', id: stored.messageId },
    details: { conversationId: stored.conversationId, channel: 'web', ...details },
  });
}

export interface GuestPost {
  name: string;
  email: string;
  phone?: string;
  body: string;
  /** The honeypot: a field people never see, so never fill in. */
  website?: string;
  /** The language the visitor's browser asks for: kept as the contact's when the clinic knows none yet. */
  language?: Language;
}

/** The contact a guest post is from, by email (C4); a phone given is kept when the contact has none and no one else has it. */
async function guestContact(deps: Deps, tx: Tx, orgId: string, post: GuestPost, email: string): Promise<ContactRow> {
  const found = await findOrCreateContact(tx, orgId, { email }, post.name);
  const contact = post.language && !found.preferredLanguage ? (await tx.update(contacts).set({ preferredLanguage: post.language }).where(eq(contacts.id, found.id)).returning())[0] : found;
  if (!post.phone || contact.phone) return contact;
  const phone = normalizePhone(post.phone, await orgCountry(tx, orgId, deps.config.defaultCountry));
  if (!phone.ok) return contact;
  try {
    const [updated] = await tx.transaction((sp) => sp.update(contacts).set({ phone: phone.e164 }).where(eq(contacts.id, contact.id)).returning());
    return updated;
  } catch (e) {
    if (isUniqueViolation(e)) return contact;
    throw e;
  }
}

/**
 * A message from the clinic's public page: rate limited per address and per email, duplicates
 * and honeypot refused, then stored as a web conversation with a fresh private link. Over the
 * plan's monthly limit the conversation is kept but held, and the answer is 402 — with the link,
 * so the patient can still come back to it.
 */
export async function postFromPublicPage(deps: Deps, slug: string, post: GuestPost, visitor: Visitor): Promise<{ guestUrl: string; token: string }> {
  if (post.website) throw new AppError('spam_suspected', 'this form was filled in automatically; if you are a person, leave the last field empty');
  const clinic = await clinicBySlug(deps.db, slug);
  const email = parseEmail(post.email);
  if (post.phone && !normalizePhone(post.phone, await orgCountry(deps.db, clinic.orgId, deps.config.defaultCountry)).ok) {
    throw new AppError('invalid_phone', `phone: "${post.phone}" is not a phone number`, { errors: [{ field: 'body.phone', message: 'is not a phone number' }] });
  }
  const now = deps.clock.now();
  await spend(deps.db, `guest:ip:${visitor.ip}`, deps.config.guestLimits.perIp, now, 'Messages from one address');
  await spend(deps.db, `guest:email:${clinic.orgId}:${email}`, deps.config.guestLimits.perEmail, now, 'Messages from one email address');

  const outcome = await deps.db.transaction(async (tx) => {
    const contact = await guestContact(deps, tx, clinic.orgId, post, email);
    if (contact.blocked) throw new AppError('sender_blocked', 'the clinic does not accept messages from this sender');
    await lockSender(tx, clinic.orgId, contact.id);
    await refuseDuplicate(tx, { contactId: contact.id }, post.body, now);
    let overLimit: AppError | null = null;
    const stored = await recordInbound(tx, {
      orgId: clinic.orgId,
      clinicId: clinic.id,
      contactId: contact.id,
      channel: 'web',
      body: post.body,
      at: now,
      holdNew: async () => {
        const verdict = await admitGuestConversation(tx, clinic.orgId, now);
        if (!verdict.admitted) overLimit = verdict.error;
        return !verdict.admitted;
      },
    });
    const [link] = await tx
      .insert(guestLinks)
      .values({
        orgId: clinic.orgId,
        clinicId: clinic.id,
        conversationId: stored.conversationId,
        contactId: contact.id,
        createdAt: now,
        startedConversation: stored.created,
        admittedAt: stored.created && !stored.held ? now : null,
        lastSeenAt: now,
      })
      .returning();
    await tx.update(messages).set({ guestLinkId: link.id }).where(eq(messages.id, stored.messageId));
    if (!stored.held) await replyAfterHours(tx, stored.conversationId, now);
    const token = await mintToken(tx, link.id, now);
    await auditReceived(tx, { orgId: clinic.orgId, contactId: contact.id }, visitor, stored, { held: stored.held });
    return { token, overLimit: overLimit as AppError | null };
  });
  const guestUrl = deps.config.publicUrl + guestPath(outcome.token);
  if (outcome.overLimit) {
    throw new AppError('plan_required', outcome.overLimit.detail, {
      ...outcome.overLimit.extra,
      guestUrl,
      kept: true,
      message: 'Your message is saved; the clinic will see it as soon as their plan allows. Keep this link to read their answer.',
    });
  }
  return { guestUrl, token: outcome.token };
}

/** A message on the thread as the guest sees it. */
export interface GuestMessage {
  id: string;
  direction: 'inbound' | 'outbound';
  body: string;
  from: string;
  createdAt: string;
  status: string;
  attachments: { id: string; filename: string; contentType: string; size: number; url: string }[];
  card: PatientCard | null;
  /** The page's own words: the staff member's first name ("Ana at …"), and whether the clinic took the message back. Not in the JSON. */
  staffName?: string | null;
  retracted?: boolean;
}

export interface GuestThread {
  clinic: { name: string; phone: string | null; address: string | null; hours: string | null; slug: string; timezone: string };
  patientName: string;
  /** The language the clinic writes to this patient in, when it knows it. */
  preferredLanguage: string | null;
  held: boolean;
  messages: GuestMessage[];
}

/**
 * The guest's thread. Opening it marks the clinic's replies read (M3) and counts as a visit; the
 * audit log gets one entry per visit, not per poll.
 */
/** `browser`: the visitor's Accept-Language, for a contact whose language the clinic does not know. */
export async function readGuestThread(deps: Deps, token: string, visitor: Visitor, browser?: string): Promise<GuestThread> {
  const link = await linkByToken(deps.db, token);
  // An integrity failure while the guest reads is audited as theirs: the request names no one.
  return readingAs({ orgId: link.orgId, actor: { kind: 'patient', contactId: link.contactId }, origin: visitor }, () => guestThread(deps, link, token, visitor, browser));
}

async function guestThread(deps: Deps, link: LinkRow, token: string, visitor: Visitor, browser: string | undefined): Promise<GuestThread> {
  const now = deps.clock.now();
  const [clinic] = await deps.db.select().from(clinics).where(eq(clinics.id, link.clinicId));
  const [contact] = await deps.db.select().from(contacts).where(eq(contacts.id, link.contactId));
  const [conversation] = await deps.db.select({ heldAt: conversations.heldAt }).from(conversations).where(eq(conversations.id, link.conversationId));
  const rows = await deps.db
    .select({ m: { id: messages.id, orgId: messages.orgId, direction: messages.direction, body: messages.body, createdAt: messages.createdAt, status: messages.status, card: messages.card, retractedAt: messages.retractedAt }, senderName: users.name })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.senderUserId))
    .where(and(eq(messages.guestLinkId, link.id), eq(messages.hidden, false)))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(500);
  const files = await attachmentsOf(deps.db, rows.map((r) => r.m.id));
  const language = patientLanguage(contact.preferredLanguage, browser);
  const t = translator(language);
  const cards = await patientCards(deps.db, deps.config.publicUrl, rows.map((r) => r.m), language);
  const unread = rows.filter((r) => r.m.direction === 'outbound' && (r.m.status === 'sent' || r.m.status === 'delivered')).map((r) => r.m.id);
  for (const id of unread) await applyStatus(deps.db, deps.clock, id, 'read');
  const newVisit = !link.lastSeenAt || now.getTime() - link.lastSeenAt.getTime() > 10 * 60 * 1000;
  await deps.db.update(guestLinks).set({ lastSeenAt: now }).where(eq(guestLinks.id, link.id));
  if (newVisit) {
    await recordAudit(deps.db, {
      orgId: link.orgId,
      actor: { kind: 'patient', contactId: link.contactId },
      origin: visitor,
      action: 'guest_thread.view',
      subject: { type: 'conversation', id: link.conversationId },
    });
  }
  return {
    clinic: { name: clinic.name, phone: clinic.phone, address: clinic.address, hours: hoursText(clinic.openingHours ?? defaultOpeningHours), slug: clinic.slug, timezone: clinic.timezone },
    patientName: contact.name,
    preferredLanguage: contact.preferredLanguage,
    held: conversation.heldAt !== null,
    messages: rows.map((r) => ({
      id: r.m.id,
      direction: r.m.direction,
      body: r.m.retractedAt ? t('patient:guest.retracted') : openFor(r.m, r.m.body),
      retracted: r.m.retractedAt !== null,
      staffName: r.m.direction === 'outbound' && r.senderName ? r.senderName.split(/\s+/)[0] : null,
      // Staff are named by first name only: the patient knows who answered, not the team's full names.
      from: r.m.direction === 'inbound' ? contact.name : r.senderName ? t('patient:guest.staffAt', { name: r.senderName.split(/\s+/)[0], clinic: clinic.name }) : clinic.name,
      createdAt: r.m.createdAt.toISOString(),
      status: r.m.direction === 'outbound' ? (unread.includes(r.m.id) ? 'read' : r.m.status) : r.m.status === 'unread' ? 'delivered' : 'read',
      attachments: (files.get(r.m.id) ?? []).map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size, url: guestFileUrl(deps, token, id) })),
      card: cards.get(r.m.id) ?? null,
    })),
  };
}

/** The guest writes back through their link; it joins the patient's active thread in the clinic (M2). */
export async function replyAsGuest(deps: Deps, token: string, body: string, visitor: Visitor): Promise<GuestMessage> {
  const link = await linkByToken(deps.db, token);
  const now = deps.clock.now();
  await spend(deps.db, `guest:thread:${link.id}`, deps.config.guestLimits.perThread, now, 'Messages in one conversation');
  await spend(deps.db, `guest:ip:${visitor.ip}`, deps.config.guestLimits.perIp, now, 'Messages from one address');
  const [contact] = await deps.db.select({ name: contacts.name }).from(contacts).where(eq(contacts.id, link.contactId));
  const messageId = await deps.db.transaction(async (tx) => {
    await lockSender(tx, link.orgId, link.contactId);
    await refuseDuplicate(tx, { linkId: link.id }, body, now);
    const stored = await recordInbound(tx, { orgId: link.orgId, clinicId: link.clinicId, contactId: link.contactId, channel: 'web', body, at: now, guestLinkId: link.id });
    await tx.update(guestLinks).set({ conversationId: stored.conversationId, lastSeenAt: now }).where(eq(guestLinks.id, link.id));
    await replyAfterHours(tx, stored.conversationId, now);
    await auditReceived(tx, link, visitor, stored);
    return stored.messageId;
  });
  return { id: messageId, direction: 'inbound', body, from: contact.name, createdAt: now.toISOString(), status: 'delivered', attachments: [], card: null };
}

/** A file the clinic sent to this link; audited like any download of health information. */
/** A file on the guest's thread: the private link's address plus a signature good for a day. */
const guestFileUrl = (deps: Deps, token: string, attachmentId: string) => `/api/v1/public/threads/${token}/attachments/${attachmentId}?${signedQuery(deps, 'guest', attachmentId, 24)}`;

export async function guestAttachment(deps: Deps, token: string, attachmentId: string, signed: LinkSignature, visitor: Visitor) {
  assertLink(deps, 'guest', attachmentId, signed);
  const link = await linkByToken(deps.db, token);
  const file = await attachmentForPatient(deps, attachmentId, { guestLinkId: link.id });
  await recordAudit(deps.db, { orgId: link.orgId, actor: { kind: 'patient', contactId: link.contactId }, origin: visitor, action: 'attachment.download', subject: { type: 'attachment', id: attachmentId } });
  return file;
}
