/**
 * K3/K4: patient artifacts pushed by the practice-management system, and the cards staff send from
 * them with a secure, expiring link whose openings are recorded.
 */
import { and, desc, eq, inArray, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { contacts } from '../contacts/schema.js';
import { contactInOrg } from '../contacts/service.js';
import { conversations, messages, type MessageCard } from '../conversations/schema.js';
import { openMessageCard } from '../conversations/message-text.js';
import { newRowId, openFor, openOptional, sealFor, sealOptional, type RowKey, type Sealed } from '../encryption/columns.js';
import type { DbOrTx, Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { clinics, organizations } from '../orgs/schema.js';
import { publish } from '../realtime/events.js';
import { randomBytes } from 'node:crypto';
import type { ArtifactInput, CardInput } from './inputs.js';
import { translator, type Language } from '../i18n/index.js';
import { cardLabel, cardLinkDays, cardTokenPattern, formatAmount, linkExpired, type ArtifactKind } from './rules.js';
import { cardLinks, patientArtifacts } from './schema.js';

type StoredArtifact = typeof patientArtifacts.$inferSelect;
/** An artifact with its title and details opened for its row. */
type ArtifactRow = Omit<StoredArtifact, 'title' | 'details'> & { title: string; details: string | null };

const openArtifact = (a: StoredArtifact): ArtifactRow => ({ ...a, title: openFor(a, a.title), details: openOptional(a, a.details) });

export const artifactJson = (a: ArtifactRow) => ({
  id: a.id,
  contactId: a.contactId,
  kind: a.kind,
  externalId: a.externalId,
  title: a.title,
  occurredAt: a.occurredAt?.toISOString() ?? null,
  amountCents: a.amountCents,
  currency: a.currency,
  url: a.url,
  details: a.details,
  updatedAt: a.updatedAt.toISOString(),
});


async function artifactContact(deps: Deps, actor: Actor, input: ArtifactInput) {
  if (input.contactId) return contactInOrg(deps.db, actor.orgId, input.contactId);
  if (input.contactExternalId) {
    const [row] = await deps.db.select().from(contacts).where(and(eq(contacts.orgId, actor.orgId), eq(contacts.externalId, input.contactExternalId)));
    if (row) return row;
    throw notFound('contact');
  }
  throw new AppError('invalid_input', 'give contactId or contactExternalId', { errors: [{ field: 'body.contactId', message: 'is required' }] });
}

/** The practice system pushes an artifact; the same kind and externalId again updates it (200), never duplicates. */
export async function upsertArtifact(deps: Deps, actor: Actor, input: ArtifactInput) {
  const contact = await artifactContact(deps, actor, input);
  const now = deps.clock.now();
  const values = {
    contactId: contact.id,
    occurredAt: input.occurredAt ? new Date(input.occurredAt) : null,
    amountCents: input.amountCents ?? null,
    currency: input.currency ?? null,
    url: input.url ?? null,
    updatedAt: now,
  };
  const sealedFor = (row: RowKey) => ({ title: sealFor(patientArtifacts.title, row, input.title), details: sealOptional(patientArtifacts.details, row, input.details) });
  return deps.db.transaction(async (tx) => {
    // The texts are sealed for the id drawn here; a repeated push keeps the existing row's id, so
    // its texts are sealed again for that row (the upsert holds the row's lock until commit).
    const drawn = { id: newRowId(), orgId: actor.orgId };
    const [upserted] = await tx
      .insert(patientArtifacts)
      .values({ ...drawn, kind: input.kind, externalId: input.externalId, createdAt: now, ...values, ...sealedFor(drawn) })
      .onConflictDoUpdate({ target: [patientArtifacts.orgId, patientArtifacts.kind, patientArtifacts.externalId], set: values })
      .returning();
    const created = upserted.id === drawn.id;
    const [row] = created ? [upserted] : await tx.update(patientArtifacts).set(sealedFor(upserted)).where(eq(patientArtifacts.id, upserted.id)).returning();
    await recordAudit(tx, { ...auditActor(actor), action: created ? 'artifact.create' : 'artifact.update', subject: { type: 'artifact', id: row.id }, details: { kind: input.kind } });
    return { artifact: artifactJson(openArtifact(row)), created };
  });
}

export async function listArtifacts(deps: Deps, actor: Actor, contactId: string, q: { kind?: ArtifactKind; limit: number }) {
  await contactInOrg(deps.db, actor.orgId, contactId);
  const rows = await deps.db
    .select()
    .from(patientArtifacts)
    .where(and(eq(patientArtifacts.orgId, actor.orgId), eq(patientArtifacts.contactId, contactId), q.kind ? eq(patientArtifacts.kind, q.kind) : undefined))
    .orderBy(desc(sql`coalesce(${patientArtifacts.occurredAt}, ${patientArtifacts.updatedAt})`))
    .limit(q.limit);
  return rows.map((a) => artifactJson(openArtifact(a)));
}

// ---------------------------------------------------------------------------------------------
// Cards
// ---------------------------------------------------------------------------------------------

async function orgCurrency(tx: DbOrTx, orgId: string): Promise<string> {
  const [org] = await tx.select({ currency: organizations.currency }).from(organizations).where(eq(organizations.id, orgId));
  return org?.currency ?? 'USD';
}


/**
 * What a card will show, checked: an artifact of this patient and kind, or a request with what it
 * needs. A request without a title is titled in the patient's language, and is in the organization's
 * currency unless one is given.
 */
export async function resolveCard(tx: DbOrTx, orgId: string, contactId: string, input: CardInput, language: Language = 'en'): Promise<MessageCard> {
  const t = translator(language);
  if (input.kind === 'payment_request') {
    if (!input.amountCents) throw new AppError('invalid_input', 'a payment request needs amountCents', { errors: [{ field: 'body.card.amountCents', message: 'is required' }] });
    const currency = input.currency ?? (await orgCurrency(tx, orgId));
    return { kind: input.kind, title: input.title ?? t('patient:card.payment_request'), artifactId: null, amountCents: input.amountCents, currency, url: input.url ?? null };
  }
  if (input.kind === 'review_request') {
    if (!input.url) throw new AppError('invalid_input', 'a review request needs the url of the review page', { errors: [{ field: 'body.card.url', message: 'is required' }] });
    return { kind: input.kind, title: input.title ?? t('patient:card.reviewTitle'), artifactId: null, amountCents: null, currency: null, url: input.url };
  }
  if (!input.artifactId) throw new AppError('invalid_input', `a ${input.kind} card needs the artifactId of the patient's ${input.kind}`, { errors: [{ field: 'body.card.artifactId', message: 'is required' }] });
  const [stored] = await tx.select().from(patientArtifacts).where(and(eq(patientArtifacts.id, input.artifactId), eq(patientArtifacts.orgId, orgId)));
  if (!stored) throw notFound('artifact');
  const a = openArtifact(stored);
  if (a.contactId !== contactId || a.kind !== input.kind) {
    throw new AppError('invalid_input', `that artifact is not this patient's ${input.kind}`, { errors: [{ field: 'body.card.artifactId', message: 'does not fit' }] });
  }
  return { kind: a.kind, title: input.title ?? a.title, artifactId: a.id, amountCents: a.amountCents, currency: a.currency, url: a.url };
}

/** The link a card goes out with, made in the sending transaction once the message exists. */
export async function createCardLink(tx: Tx, orgId: string, messageId: string, token: string, at: Date): Promise<void> {
  await tx.insert(cardLinks).values({ orgId, messageId, token, expiresAt: new Date(at.getTime() + cardLinkDays * 86_400_000) });
}

export const cardUrl = (publicUrl: string, token: string) => `${publicUrl}/l/${token}`;
/** 192 random bits, URL-safe. */
export const newCardToken = () => randomBytes(24).toString('base64url');

export type CardOpening =
  | { kind: 'open'; card: MessageCard; clinic: { name: string; phone: string | null }; artifact: ArtifactRow | null; preferredLanguage: string | null }
  | { kind: 'expired'; clinic: { name: string; phone: string | null }; preferredLanguage: string | null };

/** The patient opens a card's link: counted (first and last opening, how often), audited, and shown in the thread. */
export async function openCard(deps: Deps, token: string, visitor: { ip: string; userAgent: string | null }): Promise<CardOpening> {
  if (!cardTokenPattern.test(token)) throw notFound('link');
  const [row] = await deps.db
    .select({ link: cardLinks, message: { id: messages.id, card: messages.card, orgId: messages.orgId }, conversation: { id: conversations.id, clinicId: conversations.clinicId, contactId: conversations.contactId }, clinic: { name: clinics.name, phone: clinics.phone }, preferredLanguage: contacts.preferredLanguage })
    .from(cardLinks)
    .innerJoin(messages, eq(messages.id, cardLinks.messageId))
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(eq(cardLinks.token, token));
  const card = row && openMessageCard(row.message);
  if (!row || !card) throw notFound('link');
  const now = deps.clock.now();
  if (linkExpired(row.link.expiresAt, now)) return { kind: 'expired', clinic: row.clinic, preferredLanguage: row.preferredLanguage };
  await deps.db.transaction(async (tx) => {
    await tx
      .update(cardLinks)
      .set({ firstOpenedAt: row.link.firstOpenedAt ?? now, lastOpenedAt: now, openCount: sql`${cardLinks.openCount} + 1` })
      .where(eq(cardLinks.id, row.link.id));
    await recordAudit(tx, { orgId: row.message.orgId, actor: { kind: 'patient', contactId: row.conversation.contactId }, origin: visitor, action: 'card.open', subject: { type: 'message', id: row.message.id } });
    await publish(tx, { type: 'conversation.updated', orgId: row.message.orgId, clinicId: row.conversation.clinicId, conversationId: row.conversation.id }, now);
  });
  const [artifact] = card.artifactId ? await deps.db.select().from(patientArtifacts).where(eq(patientArtifacts.id, card.artifactId)) : [];
  return { kind: 'open', card, clinic: row.clinic, artifact: artifact ? openArtifact(artifact) : null, preferredLanguage: row.preferredLanguage };
}

/** A card as the patient's side draws it: what it is, and its link. */
export interface PatientCard {
  kind: string;
  label: string;
  title: string;
  amount: string | null;
  link: string;
}

/** The cards of these messages, for the portal and the guest thread, in the patient's language. */
export async function patientCards(db: DbOrTx, publicUrl: string, rows: (RowKey & { card: Sealed | null })[], language: Language): Promise<Map<string, PatientCard>> {
  const withCards = rows.filter((r) => r.card).map((r) => ({ id: r.id, card: openMessageCard(r)! }));
  const out = new Map<string, PatientCard>();
  if (!withCards.length) return out;
  const links = await db.select({ messageId: cardLinks.messageId, token: cardLinks.token }).from(cardLinks).where(inArray(cardLinks.messageId, withCards.map((r) => r.id)));
  for (const l of links) {
    const card = withCards.find((r) => r.id === l.messageId)!.card;
    out.set(l.messageId, { kind: card.kind, label: cardLabel(card.kind, language), title: card.title, amount: card.amountCents ? formatAmount(card.amountCents, card.currency ?? 'USD', language) : null, link: cardUrl(publicUrl, l.token) });
  }
  return out;
}
