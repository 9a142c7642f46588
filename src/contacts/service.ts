import { and, desc, eq, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { amongTexts, customPlan, newestFirst, type DbOrTx } from '../db/client.js';
import { encodeCursor, readCursor } from '../db/keyset.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { users } from '../orgs/schema.js';
import { orgCountry } from '../orgs/locale.js';
import type { Language } from '../i18n/index.js';
import type { ContactInput } from './inputs.js';
import { normalizeEmail, normalizePhone, phoneSearchTerms, type ContactType } from './rules.js';
import { contactNotes, contacts, searchable } from './schema.js';
import { newRowId, openFor, sealFor } from '../encryption/columns.js';
import { contactImports, contactOptOuts } from '../imports/schema.js';
import { providerChannels, sendableChannels } from '../channels/registry.js';
import { isOptedOut, optOutsOf } from './opt-outs.js';

export type ContactRow = typeof contacts.$inferSelect;

export const contactJson = (c: ContactRow) => ({
  id: c.id,
  type: c.type,
  name: c.name,
  phone: c.phone,
  email: c.email,
  dateOfBirth: c.dateOfBirth,
  externalId: c.externalId,
  portalAccount: c.portalAccount,
  chatOptIn: c.chatOptIn,
  optedOut: optOutsOf(c),
  blocked: c.blocked,
  /** S4: the mail system returned mail to this address, and why. */
  emailBounce: c.emailBouncedAt && { at: c.emailBouncedAt.toISOString(), reason: c.emailBounceReason ?? '' },
  preferredChannel: c.preferredChannel,
  preferredLanguage: c.preferredLanguage as Language | null,
  /** M1: the channels a message to this contact can go out on. */
  availableChannels: sendableChannels(c),
  createdAt: c.createdAt.toISOString(),
});


function parsePhone(input: string, defaultCountry: string, field = 'phone'): string {
  const phone = normalizePhone(input, defaultCountry);
  if (!phone.ok) throw new AppError('invalid_phone', `${field}: ${phone.reason}`, { errors: [{ field: `body.${field}`, message: phone.reason }] });
  return phone.e164;
}

export function parseEmail(input: string, field = 'email'): string {
  const email = normalizeEmail(input);
  if (!email) throw new AppError('invalid_input', `${field}: "${input}" is not an email address`, { errors: [{ field: `body.${field}`, message: 'is not an email address' }] });
  return email;
}

/** Normalised values for the columns an input names; undefined leaves a column as it is. */
async function contactValues(deps: Deps, orgId: string, input: ContactInput) {
  const country = input.phone ? await orgCountry(deps.db, orgId, deps.config.defaultCountry) : deps.config.defaultCountry;
  return {
    type: input.type,
    name: input.name?.trim(),
    phone: input.phone === undefined ? undefined : input.phone === null || input.phone === '' ? null : parsePhone(input.phone, country),
    email: input.email === undefined ? undefined : input.email === null || input.email === '' ? null : parseEmail(input.email),
    dateOfBirth: input.dateOfBirth,
    externalId: input.externalId,
    portalAccount: input.portalAccount,
    chatOptIn: input.chatOptIn,
    preferredLanguage: input.preferredLanguage,
  };
}

function duplicateContact(e: unknown): AppError | null {
  if (isUniqueViolation(e, 'contacts_org_phone_key')) return new AppError('conflict', 'another contact already has this phone number');
  if (isUniqueViolation(e, 'contacts_org_email_key')) return new AppError('conflict', 'another contact already has this email address');
  if (isUniqueViolation(e, 'contacts_org_external_key')) return new AppError('conflict', 'another contact already has this external id');
  return null;
}

export async function createContact(deps: Deps, actor: Actor, input: ContactInput & { name: string }) {
  const values = await contactValues(deps, actor.orgId, input);
  if (!values.phone && !values.email) {
    throw new AppError('invalid_input', 'a contact needs a phone number or an email address');
  }
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .insert(contacts)
        .values({ ...values, orgId: actor.orgId, name: values.name ?? input.name, type: input.type ?? 'patient' })
        .returning();
      await recordAudit(tx, { ...auditActor(actor), action: 'contact.create', subject: { type: 'contact', id: row.id } });
      return contactJson(row);
    });
  } catch (e) {
    throw duplicateContact(e) ?? e;
  }
}

/** A new email address has not bounced: the flag belongs to the address it was raised for. */
const bounceClearedIfChanged = (email: string | null) => {
  const changed = sql`${contacts.email} is distinct from ${email}`;
  return {
    emailBouncedAt: sql`case when ${changed} then null else ${contacts.emailBouncedAt} end`,
    emailBounceReason: sql`case when ${changed} then null else ${contacts.emailBounceReason} end`,
  };
};

export async function updateContact(deps: Deps, actor: Actor, id: string, input: ContactInput) {
  const values = await contactValues(deps, actor.orgId, input);
  try {
    return await deps.db.transaction(async (tx) => {
      const [row] = await tx
        .update(contacts)
        .set({ ...values, ...(values.email !== undefined && bounceClearedIfChanged(values.email)), updatedAt: deps.clock.now() })
        .where(and(eq(contacts.id, id), eq(contacts.orgId, actor.orgId)))
        .returning();
      if (!row) throw notFound('contact');
      await recordAudit(tx, {
        ...auditActor(actor),
        action: 'contact.update',
        subject: { type: 'contact', id },
        details: { fields: Object.keys(input), ...(input.preferredLanguage !== undefined && { preferredLanguage: input.preferredLanguage }) },
      });
      return contactJson(row);
    });
  } catch (e) {
    throw duplicateContact(e) ?? e;
  }
}

export async function contactInOrg(db: DbOrTx, orgId: string, id: string): Promise<ContactRow> {
  const [row] = await db.select().from(contacts).where(and(eq(contacts.id, id), eq(contacts.orgId, orgId)));
  if (!row) throw notFound('contact');
  return row;
}

/**
 * C1/C4: the contact with this phone or email, created as a lead when there is none. Safe under
 * concurrency: two callers at once end with one contact (the unique index decides, the loser reads).
 */
export async function findOrCreateContact(
  db: DbOrTx,
  orgId: string,
  key: { phone: string } | { email: string },
  name?: string,
): Promise<ContactRow> {
  const where = 'phone' in key ? eq(contacts.phone, key.phone) : eq(contacts.email, key.email);
  const [existing] = await db.select().from(contacts).where(and(eq(contacts.orgId, orgId), where));
  if (existing) return existing;
  const [created] = await db
    .insert(contacts)
    .values({ orgId, type: 'lead', name: name?.trim() || ('phone' in key ? key.phone : key.email), ...key })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  const [winner] = await db.select().from(contacts).where(and(eq(contacts.orgId, orgId), where));
  return winner;
}

/** The organization's contacts with these numbers (E.164), by the numbers' unique index. */
export const contactsByPhone = (db: DbOrTx, orgId: string, phones: readonly string[]) =>
  db.select().from(contacts).where(and(eq(contacts.orgId, orgId), amongTexts(contacts.phone, phones)));

/** findOrCreateContact for many phones of one organization at once (a batch of filed texts): by phone, in three statements at most. */
export async function findOrCreateContactsByPhone(db: DbOrTx, orgId: string, senders: { phone: string; name?: string }[]): Promise<Map<string, ContactRow>> {
  const phones = [...new Set(senders.map((s) => s.phone))];
  const found = new Map((await contactsByPhone(db, orgId, phones)).map((c) => [c.phone!, c]));
  const missing = phones.filter((p) => !found.has(p));
  if (missing.length) {
    const names = new Map<string, string>();
    for (const s of senders) if (!names.has(s.phone) && s.name?.trim()) names.set(s.phone, s.name.trim());
    const created = await db
      .insert(contacts)
      .values(missing.map((phone) => ({ orgId, type: 'lead' as const, name: names.get(phone) ?? phone, phone })))
      .onConflictDoNothing()
      .returning();
    for (const c of created) found.set(c.phone!, c);
    const lost = missing.filter((p) => !found.has(p));
    if (lost.length) for (const c of await contactsByPhone(db, orgId, lost)) found.set(c.phone!, c);
  }
  return found;
}

function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** M7 for contacts: name or email containing the text, or a phone number in any format a person types. */
export function contactMatch(country: string, q: string): SQL {
  const phone = phoneSearchTerms(q, country);
  // A whole phone number names one contact: no need to look for it inside names and emails.
  if (phone.e164) return eq(contacts.phone, phone.e164);
  if (phone.phoneOnly) return and(sql`${searchable(contacts.phone)} like ${likePattern(phone.digits!)}`, customPlan)!;
  return and(
    or(
      sql`${contacts.name} ilike ${likePattern(q)}`,
      sql`${searchable(contacts.email)} ilike ${likePattern(q)}`,
      // A few digits ("0134") may be the end of a number as well as part of a name or an email.
      phone.digits ? sql`${searchable(contacts.phone)} like ${likePattern(phone.digits)}` : undefined,
    ),
    customPlan,
  )!;
}

export async function listContacts(
  deps: Deps,
  actor: Actor,
  query: { q?: string; type?: ContactType; blocked?: boolean; limit: number; cursor?: string },
) {
  const cursor = readCursor(query.cursor);
  const rows = await (await deps.reads.forUser(actor))
    .select()
    .from(contacts)
    .where(
      and(
        eq(contacts.orgId, actor.orgId),
        query.q ? contactMatch(await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry), query.q) : undefined,
        query.type ? eq(contacts.type, query.type) : undefined,
        query.blocked === undefined ? undefined : eq(contacts.blocked, query.blocked),
        cursor
          ? sql`(${contacts.createdAt}, ${contacts.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(newestFirst(contacts.createdAt), newestFirst(contacts.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page[page.length - 1];
  return {
    items: page.map(contactJson),
    nextCursor: rows.length > query.limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

export async function setBlocked(deps: Deps, actor: Actor, id: string, blocked: boolean) {
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .update(contacts)
      .set({ blocked, updatedAt: deps.clock.now() })
      .where(and(eq(contacts.id, id), eq(contacts.orgId, actor.orgId)))
      .returning();
    if (!row) throw notFound('contact');
    await recordAudit(tx, { ...auditActor(actor), action: blocked ? 'contact.block' : 'contact.unblock', subject: { type: 'contact', id } });
    return contactJson(row);
  });
}

export async function addNote(deps: Deps, actor: Actor, contactId: string, body: string) {
  return deps.db.transaction(async (tx) => {
    await contactInOrg(tx, actor.orgId, contactId);
    const id = newRowId();
    const sealed = sealFor(contactNotes.body, { id, orgId: actor.orgId }, body);
    const [note] = await tx.insert(contactNotes).values({ id, orgId: actor.orgId, contactId, authorId: actor.userId, body: sealed, createdAt: deps.clock.now() }).returning();
    await recordAudit(tx, { ...auditActor(actor), action: 'contact.note_add', subject: { type: 'contact', id: contactId }, details: { noteId: note.id } });
    return { id: note.id, body, author: { id: actor.userId, name: actor.name }, createdAt: note.createdAt.toISOString() };
  });
}

export async function listNotes(db: DbOrTx, orgId: string, contactId: string) {
  const rows = await db
    .select({ note: contactNotes, authorName: users.name })
    .from(contactNotes)
    .innerJoin(users, eq(users.id, contactNotes.authorId))
    .where(and(eq(contactNotes.orgId, orgId), eq(contactNotes.contactId, contactId)))
    .orderBy(desc(contactNotes.createdAt));
  return rows.map(({ note, authorName }) => ({
    id: note.id,
    body: openFor(note, note.body),
    author: { id: note.authorId, name: authorName },
    createdAt: note.createdAt.toISOString(),
  }));
}

/** S2: contacts who opted out of a channel, for Settings, each opt-out with where it came from. */
export async function listOptOuts(deps: Deps, actor: Actor) {
  const rows = await deps.db
    .select()
    .from(contacts)
    .where(and(eq(contacts.orgId, actor.orgId), sql`cardinality(${contacts.optedOut}) > 0`))
    .orderBy(desc(contacts.updatedAt))
    .limit(1000);
  const imported = rows.length
    ? await deps.db
        .select({ contactId: contactOptOuts.contactId, channel: contactOptOuts.channel, importId: contactImports.id, importedBy: users.name, at: contactOptOuts.createdAt })
        .from(contactOptOuts)
        .innerJoin(contactImports, eq(contactImports.id, contactOptOuts.importId))
        .innerJoin(users, eq(users.id, contactImports.userId))
        .where(and(eq(contactOptOuts.orgId, actor.orgId), inArray(contactOptOuts.contactId, rows.map((r) => r.id))))
    : [];
  return rows.map((c) => ({
    ...contactJson(c),
    optOutSources: providerChannels
      .filter((channel) => isOptedOut(c, channel))
      .map((channel) => {
        const fromImport = imported.find((i) => i.contactId === c.id && i.channel === channel);
        return fromImport
          ? { channel, source: 'import' as const, importId: fromImport.importId, importedBy: fromImport.importedBy, at: fromImport.at.toISOString() }
          : { channel, source: 'patient_or_carrier' as const, importId: null, importedBy: null, at: null };
      }),
  }));
}
