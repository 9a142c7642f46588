/**
 * P2: the patient portal. Patients sign in with their own accounts (invited by the clinic), opt in
 * to chat, and see the clinic's portal messages. Read receipts go both ways; sensitive messages
 * (M12) show only within five minutes of entering the password again.
 */
import { openFor } from '../encryption/columns.js';
import { translator, type Language } from '../i18n/index.js';
import { patientLanguage } from '../i18n/patient-language.js';
import { portalCardNote } from '../artifacts/rules.js';
import { randomUUID } from 'node:crypto';
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { checkPassword } from '../auth/service.js';
import { hashPassword, newSecret, safeEqual, sha256, verifyPassword } from '../auth/tokens.js';
import { attachmentFilename, attachmentForPatient, attachmentsOf, attachToMessage, storeAttachment } from '../attachments/service.js';
import { patientCards } from '../artifacts/service.js';
import { recordAudit, type Origin, auditActor } from '../audit/service.js';
import { contacts } from '../contacts/schema.js';
import { contactInOrg, parseEmail } from '../contacts/service.js';
import { preview } from '../conversations/rules.js';
import { conversations, messages, type MessageCard } from '../conversations/schema.js';
import { openMessageCard } from '../conversations/message-text.js';
import { recordInbound, replyAfterHours } from '../conversations/service.js';
import type { DbOrTx } from '../db/client.js';
import { applyStatus } from '../conversations/status.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { clinics, users } from '../orgs/schema.js';
import { spend } from '../ratelimit/service.js';
import { invitationLifetimeMs, ownMessageStatus, portalLifetimeMs, portalSessionLive, portalStatusAfterFetch, reauthValid } from './rules.js';
import { portalAccounts, portalInvitations, portalSessions } from './schema.js';

export const portalCookie = 'fd_portal';

/** A signed-in patient. */
export interface Patient {
  orgId: string;
  contactId: string;
  name: string;
  email: string;
  sessionHash: string;
  csrfToken: string;
  reauthAt: Date | null;
  ip: string;
  userAgent: string | null;
}


/** The signed-in patient as the audit log names them. */
export const patientReader = (p: Patient) => ({ orgId: p.orgId, actor: { kind: 'patient' as const, contactId: p.contactId }, origin: { ip: p.ip, userAgent: p.userAgent } });

// ---------------------------------------------------------------------------------------------
// Staff: inviting a patient
// ---------------------------------------------------------------------------------------------

/** Staff invite a patient to the portal: a one-time link, emailed to them and shown once to staff. */
export async function invitePatient(deps: Deps, actor: Actor, contactId: string) {
  const contact = await contactInOrg(deps.db, actor.orgId, contactId);
  if (!contact.email) throw new AppError('channel_unavailable', 'the patient needs an email address to sign in to the portal', { missing: 'email' });
  if (contact.blocked) throw new AppError('contact_blocked', 'this contact is blocked; unblock them first');
  const token = newSecret();
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + invitationLifetimeMs);
  await deps.db.transaction(async (tx) => {
    await tx.insert(portalInvitations).values({ tokenHash: sha256(token), orgId: actor.orgId, contactId, createdBy: actor.userId, createdAt: now, expiresAt });
    await recordAudit(tx, { ...auditActor(actor), action: 'portal.invite', subject: { type: 'contact', id: contactId } });
  });
  const inviteUrl = `${deps.config.publicUrl}/portal/activate#${token}`;
  const [org] = await deps.db.select({ name: clinics.name }).from(clinics).where(eq(clinics.orgId, actor.orgId)).orderBy(asc(clinics.createdAt)).limit(1);
  const emailed = await deps.channels
    .adapter('email')
    .send({
      messageId: randomUUID(),
      orgId: actor.orgId,
      to: contact.email,
      from: deps.config.email.from,
      fromName: org.name,
      body: `Hello ${contact.name},\n\n${org.name} invites you to its patient portal, where you can message the clinic.\n\nSet your password here (the link works once, for 7 days): ${inviteUrl}\n`,
      attachments: [],
      email: { messageIdHeader: `<invite.${randomUUID()}@${deps.config.email.domain}>`, inReplyTo: null, references: [], replyTo: deps.config.email.from, subject: `Your patient portal at ${org.name}`, autoSubmitted: 'auto-generated' },
    })
    .then((o) => o.kind === 'sent')
    .catch(() => false);
  return { inviteUrl, expiresAt: expiresAt.toISOString(), emailed };
}

// ---------------------------------------------------------------------------------------------
// Signing in
// ---------------------------------------------------------------------------------------------

async function startSession(deps: Deps, db: DbOrTx, contact: { id: string; orgId: string }) {
  const token = newSecret();
  const csrfToken = newSecret();
  const now = deps.clock.now();
  await db.insert(portalSessions).values({
    tokenHash: sha256(token),
    orgId: contact.orgId,
    contactId: contact.id,
    csrfToken,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + portalLifetimeMs),
  });
  return { token, csrfToken };
}

/** The invited patient chooses a password; the link then stops working, and they are signed in. */
export async function activate(deps: Deps, input: { token: string; password: string }, origin: Origin) {
  const now = deps.clock.now();
  return deps.db.transaction(async (tx) => {
    const [invitation] = await tx.select().from(portalInvitations).where(eq(portalInvitations.tokenHash, sha256(input.token))).for('update');
    if (!invitation || invitation.usedAt || invitation.expiresAt <= now) {
      throw new AppError('not_found', 'this invitation link is unknown, used or expired; ask the clinic for a new one');
    }
    const [contact] = await tx.select().from(contacts).where(eq(contacts.id, invitation.contactId));
    checkPassword(input.password, { email: contact.email ?? '', name: contact.name });
    const passwordHash = await hashPassword(input.password);
    await tx
      .insert(portalAccounts)
      .values({ contactId: contact.id, orgId: contact.orgId, passwordHash, createdAt: now })
      .onConflictDoUpdate({ target: portalAccounts.contactId, set: { passwordHash } });
    await tx.update(portalInvitations).set({ usedAt: now }).where(eq(portalInvitations.tokenHash, invitation.tokenHash));
    await tx.update(contacts).set({ portalAccount: true, updatedAt: now }).where(eq(contacts.id, contact.id));
    await recordAudit(tx, { orgId: contact.orgId, actor: { kind: 'patient', contactId: contact.id }, origin, action: 'portal.activate', subject: { type: 'contact', id: contact.id } });
    return startSession(deps, tx, contact);
  });
}

/** Sign-in at a clinic's portal: the clinic names the organization, the email the patient. */
export async function portalLogin(deps: Deps, input: { clinicSlug: string; email: string; password: string }, origin: Origin) {
  const email = parseEmail(input.email);
  const now = deps.clock.now();
  await spend(deps.db, `portal:login:${origin.ip}`, { max: 20, windowSeconds: 900 }, now, 'Sign-in attempts from one address');
  const [row] = await deps.db
    .select({ contact: contacts, passwordHash: portalAccounts.passwordHash })
    .from(clinics)
    .innerJoin(contacts, eq(contacts.orgId, clinics.orgId))
    .innerJoin(portalAccounts, eq(portalAccounts.contactId, contacts.id))
    .where(and(eq(clinics.slug, input.clinicSlug.toLowerCase()), eq(contacts.email, email)));
  const ok = await verifyPassword(row?.passwordHash ?? null, input.password);
  if (!row || !ok || row.contact.blocked) {
    if (row) await recordAudit(deps.db, { orgId: row.contact.orgId, actor: { kind: 'patient', contactId: row.contact.id }, origin, action: 'portal.login_failed', subject: { type: 'contact', id: row.contact.id } });
    throw new AppError('invalid_credentials', 'that email and password do not match a portal account at this clinic');
  }
  const session = await startSession(deps, deps.db, row.contact);
  await recordAudit(deps.db, { orgId: row.contact.orgId, actor: { kind: 'patient', contactId: row.contact.id }, origin, action: 'portal.login', subject: { type: 'contact', id: row.contact.id } });
  return session;
}

export async function patientFromSession(deps: Deps, token: string, origin: Origin): Promise<Patient | null> {
  const now = deps.clock.now();
  const [row] = await deps.db
    .select({ s: portalSessions, contact: contacts })
    .from(portalSessions)
    .innerJoin(contacts, eq(contacts.id, portalSessions.contactId))
    .where(eq(portalSessions.tokenHash, sha256(token)));
  if (!row || !portalSessionLive(row.s, now) || row.contact.blocked) return null;
  if (now.getTime() - row.s.lastSeenAt.getTime() > 60_000) {
    await deps.db.update(portalSessions).set({ lastSeenAt: now }).where(eq(portalSessions.tokenHash, row.s.tokenHash));
  }
  return {
    orgId: row.s.orgId,
    contactId: row.contact.id,
    name: row.contact.name,
    email: row.contact.email ?? '',
    sessionHash: row.s.tokenHash,
    csrfToken: row.s.csrfToken,
    reauthAt: row.s.reauthAt,
    ...origin,
  };
}

export const portalCsrfMatches = (p: Patient, header: string | undefined) => !!header && safeEqual(header, p.csrfToken);

export async function portalLogout(deps: Deps, p: Patient): Promise<void> {
  await deps.db.delete(portalSessions).where(eq(portalSessions.tokenHash, p.sessionHash));
}

/** M12: the patient enters their password again; sensitive messages show for five minutes. */
export async function reauthenticate(deps: Deps, p: Patient, password: string) {
  const [account] = await deps.db.select().from(portalAccounts).where(eq(portalAccounts.contactId, p.contactId));
  if (!(await verifyPassword(account?.passwordHash ?? null, password))) {
    await recordAudit(deps.db, { ...patientReader(p), action: 'portal.reauth_failed', subject: { type: 'contact', id: p.contactId } });
    throw new AppError('invalid_credentials', 'that password is not right');
  }
  const now = deps.clock.now();
  await deps.db.update(portalSessions).set({ reauthAt: now }).where(eq(portalSessions.tokenHash, p.sessionHash));
  await recordAudit(deps.db, { ...patientReader(p), action: 'portal.reauth', subject: { type: 'contact', id: p.contactId } });
  return { sensitiveVisibleUntil: new Date(now.getTime() + 5 * 60 * 1000).toISOString() };
}

// ---------------------------------------------------------------------------------------------
// The patient's view
// ---------------------------------------------------------------------------------------------

export async function portalMe(deps: Deps, p: Patient) {
  const [contact] = await deps.db.select().from(contacts).where(eq(contacts.id, p.contactId));
  const clinicRows = await deps.db.select({ id: clinics.id, name: clinics.name, slug: clinics.slug }).from(clinics).where(eq(clinics.orgId, p.orgId)).orderBy(asc(clinics.createdAt));
  const now = deps.clock.now();
  return {
    name: contact.name,
    email: contact.email,
    chatOptIn: contact.chatOptIn,
    language: contact.preferredLanguage as Language | null,
    clinics: clinicRows,
    csrfToken: p.csrfToken,
    sensitiveUnlocked: reauthValid(p.reauthAt, now),
  };
}

/** Communication preferences: chat opt-in (P2). Opting out stops new portal messages from staff. */
export async function setPreferences(deps: Deps, p: Patient, prefs: { chatOptIn: boolean }) {
  await deps.db.transaction(async (tx) => {
    await tx.update(contacts).set({ chatOptIn: prefs.chatOptIn, updatedAt: deps.clock.now() }).where(eq(contacts.id, p.contactId));
    await recordAudit(tx, { ...patientReader(p), action: 'portal.preferences', subject: { type: 'contact', id: p.contactId }, details: prefs });
  });
  return portalMe(deps, p);
}

const portalMessage = and(eq(messages.channel, 'portal'), eq(messages.hidden, false));

/** Marks the clinic's portal messages the patient's portal just fetched as delivered (M3). */
async function markFetched(deps: Deps, rows: { id: string; status: string; direction: string }[]) {
  for (const r of rows) if (r.direction === 'outbound' && portalStatusAfterFetch(r.status)) await applyStatus(deps.db, deps.clock, r.id, 'delivered');
}

/** The contact's own language, else the browser's. */
async function portalLanguage(deps: Deps, p: Patient, browser?: string) {
  const [contact] = await deps.db.select({ preferredLanguage: contacts.preferredLanguage }).from(contacts).where(eq(contacts.id, p.contactId));
  return patientLanguage(contact?.preferredLanguage, browser);
}

/** The patient's portal inbox: their conversations with portal messages, latest first. */
export async function portalInbox(deps: Deps, p: Patient, browser?: string) {
  const t = translator(await portalLanguage(deps, p, browser));
  const rows = await deps.db
    .select({ c: conversations, clinicName: clinics.name, timezone: clinics.timezone })
    .from(conversations)
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .where(
      and(
        eq(conversations.contactId, p.contactId),
        eq(conversations.orgId, p.orgId),
        sql`exists (select 1 from ${messages} m where m.conversation_id = ${conversations.id} and m.channel = 'portal' and not m.hidden)`,
      ),
    )
    .orderBy(desc(conversations.lastActivityAt))
    .limit(100);
  const ids = rows.map((r) => r.c.id);
  const latest = ids.length
    ? await deps.db
        .selectDistinctOn([messages.conversationId], { id: messages.id, orgId: messages.orgId, conversationId: messages.conversationId, body: messages.body, retractedAt: messages.retractedAt, sensitive: messages.sensitive, direction: messages.direction, status: messages.status, createdAt: messages.createdAt })
        .from(messages)
        .where(and(inArray(messages.conversationId, ids), portalMessage))
        .orderBy(messages.conversationId, desc(messages.createdAt))
    : [];
  const unseen = ids.length
    ? await deps.db
        .select({ id: messages.id, conversationId: messages.conversationId, status: messages.status, direction: messages.direction })
        .from(messages)
        .where(and(inArray(messages.conversationId, ids), portalMessage, eq(messages.direction, 'outbound'), inArray(messages.status, ['sent', 'delivered'])))
    : [];
  await markFetched(deps, unseen);
  const byConversation = new Map(latest.map((m) => [m.conversationId, m]));
  return {
    items: rows.map(({ c, clinicName, timezone }) => {
      const m = byConversation.get(c.id)!;
      return {
        id: c.id,
        clinic: { id: c.clinicId, name: clinicName, timezone },
        unread: unseen.filter((u) => u.conversationId === c.id).length,
        lastMessage: {
          preview: m.sensitive ? t('patient:portal.sensitivePreview') : preview(m.retractedAt ? t('patient:guest.retracted') : openFor(m, m.body)),
          direction: m.direction,
          sensitive: m.sensitive,
          createdAt: m.createdAt.toISOString(),
        },
        lastActivityAt: c.lastActivityAt.toISOString(),
      };
    }),
  };
}

async function patientConversation(deps: Deps, p: Patient, id: string) {
  const [c] = await deps.db
    .select({ c: conversations, clinicName: clinics.name, timezone: clinics.timezone })
    .from(conversations)
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .where(and(eq(conversations.id, id), eq(conversations.contactId, p.contactId), eq(conversations.orgId, p.orgId)));
  if (!c) throw notFound('conversation');
  return c;
}

/** The portal draws a card itself, so a card's message shows only the note written with it. */
function withoutCardLine(card: MessageCard | null, body: string | null): string | null {
  return card ? portalCardNote(body, card) : body;
}

/** One thread as the patient sees it: portal messages only; sensitive ones locked unless re-authenticated. */
export async function portalThread(deps: Deps, p: Patient, id: string, browser?: string) {
  const { c, clinicName, timezone } = await patientConversation(deps, p, id);
  const language = await portalLanguage(deps, p, browser);
  const rows = await deps.db
    .select({ m: messages, senderName: users.name })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.senderUserId))
    .where(and(eq(messages.conversationId, c.id), portalMessage))
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(500);
  await markFetched(deps, rows.map((r) => r.m));
  const unlocked = reauthValid(p.reauthAt, deps.clock.now());
  const files = await attachmentsOf(deps.db, rows.map((r) => r.m.id));
  const cards = await patientCards(deps.db, deps.config.publicUrl, rows.map((r) => r.m), language);
  await recordAudit(deps.db, { ...patientReader(p), action: 'portal.thread_view', subject: { type: 'conversation', id }, details: { sensitiveShown: unlocked && rows.some((r) => r.m.sensitive) } });
  return {
    id: c.id,
    clinic: { id: c.clinicId, name: clinicName, timezone },
    sensitiveUnlocked: unlocked,
    messages: rows.map(({ m, senderName }) => {
      const locked = m.sensitive && !unlocked;
      return {
        id: m.id,
        direction: m.direction,
        from: m.direction === 'inbound' ? 'You' : senderName ?? clinicName,
        body: locked ? null : m.retractedAt ? translator(language)('patient:guest.retracted') : withoutCardLine(openMessageCard(m), openFor(m, m.body)),
        sensitive: m.sensitive,
        locked,
        status: m.direction === 'outbound' ? (portalStatusAfterFetch(m.status) ?? m.status) : ownMessageStatus(m.status),
        createdAt: m.createdAt.toISOString(),
        attachments: locked ? [] : (files.get(m.id) ?? []).map(({ id, filename, contentType, size }) => ({ id, filename, contentType, size })),
        card: locked ? null : (cards.get(m.id) ?? null),
      };
    }),
  };
}

/** The patient opened the thread: the clinic's messages they could see are read (M3). */
export async function markPortalThreadRead(deps: Deps, p: Patient, id: string) {
  await patientConversation(deps, p, id);
  const unlocked = reauthValid(p.reauthAt, deps.clock.now());
  const rows = await deps.db
    .select({ id: messages.id })
    .from(messages)
    .where(
      and(
        eq(messages.conversationId, id),
        portalMessage,
        eq(messages.direction, 'outbound'),
        inArray(messages.status, ['sent', 'delivered']),
        unlocked ? undefined : eq(messages.sensitive, false),
      ),
    );
  for (const r of rows) await applyStatus(deps.db, deps.clock, r.id, 'read');
  return { read: rows.length };
}

/** M12: one sensitive message, only within five minutes of re-entering the password (403 otherwise). */
export async function portalSensitiveMessage(deps: Deps, p: Patient, messageId: string) {
  const [row] = await deps.db
    .select({ m: messages })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .where(and(eq(messages.id, messageId), eq(conversations.contactId, p.contactId), portalMessage));
  if (!row) throw notFound('message');
  if (row.m.sensitive && !reauthValid(p.reauthAt, deps.clock.now())) {
    throw new AppError('reauth_required', 'this message is sensitive: enter your password again to read it');
  }
  if (row.m.direction === 'outbound') await applyStatus(deps.db, deps.clock, row.m.id, 'read');
  await recordAudit(deps.db, { ...patientReader(p), action: 'portal.message_view', subject: { type: 'message', id: messageId } });
  return { id: row.m.id, body: openFor(row.m, row.m.body), sensitive: row.m.sensitive, createdAt: row.m.createdAt.toISOString() };
}

function requireOptIn(contact: { chatOptIn: boolean }) {
  if (!contact.chatOptIn) throw new AppError('channel_unavailable', 'turn on chat in your communication preferences to message the clinic', { missing: 'chat_opt_in' });
}

/** A photo or PDF the patient sends with a message; checked and stored like a staff upload (M11). */
export interface PortalFile {
  filename: string;
  bytes: Buffer;
}

/** The patient writes: into a thread of theirs, or to a clinic (joining their active thread there, M2), optionally with a file. */
export async function portalPost(deps: Deps, p: Patient, target: { conversationId: string } | { clinicId: string }, body: string, file?: PortalFile) {
  const [contact] = await deps.db.select().from(contacts).where(eq(contacts.id, p.contactId));
  requireOptIn(contact);
  let clinicId: string;
  if ('conversationId' in target) clinicId = (await patientConversation(deps, p, target.conversationId)).c.clinicId;
  else {
    const [clinic] = await deps.db.select({ id: clinics.id }).from(clinics).where(and(eq(clinics.id, target.clinicId), eq(clinics.orgId, p.orgId)));
    if (!clinic) throw notFound('clinic');
    clinicId = clinic.id;
  }
  const now = deps.clock.now();
  const stored = await deps.db.transaction(async (tx) => {
    const s = await recordInbound(tx, { orgId: p.orgId, clinicId, contactId: p.contactId, channel: 'portal', body, at: now });
    const attached = file ? await attachPatientFile(deps, tx, p, s.messageId, file) : null;
    await replyAfterHours(tx, s.conversationId, now);
    await recordAudit(tx, { ...patientReader(p), action: 'message.receive', subject: { type: 'message', id: s.messageId }, details: { conversationId: s.conversationId, channel: 'portal' } });
    return { ...s, attachments: attached ? [attached] : [] };
  });
  return {
    conversationId: stored.conversationId,
    message: { id: stored.messageId, direction: 'inbound' as const, from: 'You', body, sensitive: false, locked: false, status: 'delivered' as const, createdAt: now.toISOString(), attachments: stored.attachments, card: null },
  };
}

/** Stores the patient's file on their new message, in the message's transaction: a refused file sends nothing. */
async function attachPatientFile(deps: Deps, tx: DbOrTx, p: Patient, messageId: string, file: PortalFile) {
  const row = await storeAttachment(deps, { orgId: p.orgId, userId: null }, file, tx);
  await attachToMessage(tx, p.orgId, messageId, [row.id]);
  await recordAudit(tx, { ...patientReader(p), action: 'attachment.upload', subject: { type: 'attachment', id: row.id }, details: { size: row.size, contentType: row.contentType, messageId } });
  return { id: row.id, filename: attachmentFilename(row), contentType: row.contentType, size: row.size };
}

/** A file on one of the patient's portal messages; a sensitive message's files need the password like its text. */
export async function portalAttachment(deps: Deps, p: Patient, id: string) {
  const file = await attachmentForPatient(deps, id, { contactId: p.contactId, channel: 'portal' });
  if (file.sensitive && !reauthValid(p.reauthAt, deps.clock.now())) throw new AppError('reauth_required', 'this file is on a sensitive message: enter your password again to open it');
  await recordAudit(deps.db, { ...patientReader(p), action: 'attachment.download', subject: { type: 'attachment', id } });
  return file;
}
