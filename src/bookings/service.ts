/**
 * P3: bookings and conversion. A practice-management system (or staff, from a thread) records a
 * booking; the conversation that led to it is named, or found: the patient's thread in that clinic
 * active in the 30 days before. Every person who books becomes a patient contact (C1).
 */
import { newRowId, openOptional, sealOptional } from '../encryption/columns.js';
import { and, asc, desc, eq, gt, gte, inArray, isNull, lt, lte, notExists, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { campaigns, campaignSends } from '../campaigns/schema.js';
import { contacts } from '../contacts/schema.js';
import { contactInOrg, findOrCreateContact, parseEmail, type ContactRow } from '../contacts/service.js';
import { normalizePhone } from '../contacts/rules.js';
import { conversations } from '../conversations/schema.js';
import { eventScope, loadConversation } from '../conversations/service.js';
import type { DbOrTx, Tx } from '../db/client.js';
import { encodeCursor, readCursor } from '../db/keyset.js';
import { isUniqueViolation } from '../db/errors.js';
import type { BookingInput, NewContact } from './inputs.js';
import type { Deps } from '../deps.js';
import { AppError, notFound } from '../errors.js';
import { isAdmin } from '../orgs/rules.js';
import { accessibleClinic } from '../orgs/service.js';
import { publish } from '../realtime/events.js';
import { emitWebhookEvent } from '../hooks/queue.js';
import { attributionSince, monthKey, nextMonth, parseMonth, withRates } from './rules.js';
import { bookings } from './schema.js';
import { orgCountry } from '../orgs/locale.js';

type BookingRow = typeof bookings.$inferSelect;

export const bookingJson = (b: BookingRow) => ({
  id: b.id,
  clinicId: b.clinicId,
  contactId: b.contactId,
  conversationId: b.conversationId,
  startsAt: b.startsAt.toISOString(),
  source: b.source,
  externalId: b.externalId,
  notes: openOptional(b, b.notes),
  createdAt: b.createdAt.toISOString(),
});

/** The contact a booking is for: by id, else by external id, phone or email; created when new. Always a patient after. */
async function bookingContact(deps: Deps, tx: Tx, actor: Actor, input: BookingInput): Promise<ContactRow> {
  let contact: ContactRow | undefined;
  if (input.contactId) contact = await contactInOrg(tx, actor.orgId, input.contactId);
  else if (input.contact) contact = await findOrCreateBookingContact(deps, tx, actor.orgId, input.contact);
  else throw new AppError('invalid_input', 'give contactId or contact {name, phone | email | externalId}', { errors: [{ field: 'body.contactId', message: 'is required' }] });
  if (contact.type === 'patient') return contact;
  const [patient] = await tx.update(contacts).set({ type: 'patient', updatedAt: deps.clock.now() }).where(eq(contacts.id, contact.id)).returning();
  return patient;
}

async function findOrCreateBookingContact(deps: Deps, tx: Tx, orgId: string, c: NewContact): Promise<ContactRow> {
  if (c.externalId) {
    const [known] = await tx.select().from(contacts).where(and(eq(contacts.orgId, orgId), eq(contacts.externalId, c.externalId)));
    if (known) return known;
  }
  let contact: ContactRow;
  if (c.phone) {
    const phone = normalizePhone(c.phone, await orgCountry(tx, orgId, deps.config.defaultCountry));
    if (!phone.ok) throw new AppError('invalid_phone', `contact.phone: ${phone.reason}`, { errors: [{ field: 'body.contact.phone', message: phone.reason }] });
    contact = await findOrCreateContact(tx, orgId, { phone: phone.e164 }, c.name);
  } else if (c.email) {
    contact = await findOrCreateContact(tx, orgId, { email: parseEmail(c.email, 'contact.email') }, c.name);
  } else if (c.externalId) {
    [contact] = await tx.insert(contacts).values({ orgId, type: 'patient', name: c.name, externalId: c.externalId }).returning();
  } else {
    throw new AppError('invalid_input', 'a new contact needs a phone, an email or an external id', { errors: [{ field: 'body.contact', message: 'needs phone, email or externalId' }] });
  }
  // What the practice system knows and the contact lacks is filled in; nothing known is overwritten.
  const fill = {
    ...(c.externalId && !contact.externalId ? { externalId: c.externalId } : {}),
    ...(c.dateOfBirth && !contact.dateOfBirth ? { dateOfBirth: c.dateOfBirth } : {}),
  };
  if (Object.keys(fill).length) [contact] = await tx.update(contacts).set(fill).where(eq(contacts.id, contact.id)).returning();
  return contact;
}

/** The conversation a booking is credited to: the one named (it must be this patient's), or the latest active one. */
async function sourceConversation(tx: Tx, actor: Actor, contact: ContactRow, clinicId: string, named: string | undefined, at: Date) {
  if (named) {
    const conversation = await loadConversation(tx, actor, named);
    if (conversation.contactId !== contact.id) throw new AppError('invalid_input', 'conversationId is a conversation with another contact', { errors: [{ field: 'body.conversationId', message: 'is not this contact’s' }] });
    return conversation;
  }
  const [latest] = await tx
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.contactId, contact.id),
        eq(conversations.clinicId, clinicId),
        gte(conversations.lastActivityAt, attributionSince(at)),
        isNull(conversations.hiddenAt),
        isNull(conversations.spamAt),
      ),
    )
    .orderBy(desc(conversations.lastActivityAt))
    .limit(1);
  return latest ?? null;
}

async function byExternalId(db: DbOrTx, orgId: string, externalId: string) {
  const [row] = await db.select().from(bookings).where(and(eq(bookings.orgId, orgId), eq(bookings.externalId, externalId)));
  return row;
}

/** Records a booking; a practice-management system sending the same externalId again gets the first one back. */
export async function createBooking(deps: Deps, actor: Actor, input: BookingInput): Promise<{ booking: ReturnType<typeof bookingJson>; created: boolean }> {
  const startsAt = new Date(input.startsAt);
  if (input.externalId) {
    const existing = await byExternalId(deps.db, actor.orgId, input.externalId);
    if (existing) return { booking: bookingJson(existing), created: false };
  }
  try {
    const row = await deps.db.transaction(async (tx) => {
      await accessibleClinic(tx, actor, input.clinicId);
      const contact = await bookingContact(deps, tx, actor, input);
      const now = deps.clock.now();
      const conversation = await sourceConversation(tx, actor, contact, input.clinicId, input.conversationId, now);
      const id = newRowId();
      const [booking] = await tx
        .insert(bookings)
        .values({
          id,
          orgId: actor.orgId,
          clinicId: input.clinicId,
          contactId: contact.id,
          conversationId: conversation?.id ?? null,
          startsAt,
          source: actor.via.kind === 'api_token' ? 'integration' : 'staff',
          externalId: input.externalId,
          notes: sealOptional(bookings.notes, { id, orgId: actor.orgId }, input.notes),
          createdBy: actor.userId,
          createdAt: now,
        })
        .returning();
      await emitWebhookEvent(tx, actor.orgId, 'booking.created', { bookingId: booking.id, contactId: contact.id, clinicId: input.clinicId, conversationId: booking.conversationId }, now);
      await recordAudit(tx, { ...auditActor(actor), action: 'booking.create', subject: { type: 'booking', id: booking.id }, details: { contactId: contact.id, conversationId: booking.conversationId } });
      if (conversation) await publish(tx, { type: 'conversation.updated', ...eventScope(conversation) }, now);
      return booking;
    });
    return { booking: bookingJson(row), created: true };
  } catch (e) {
    // The same booking sent twice at once: the unique index let one in.
    if (input.externalId && isUniqueViolation(e, 'bookings_org_external_key')) {
      return { booking: bookingJson((await byExternalId(deps.db, actor.orgId, input.externalId))!), created: false };
    }
    throw e;
  }
}

/** Staff record a booking from a thread: the thread's patient and clinic, credited to it. */
export async function bookFromConversation(deps: Deps, actor: Actor, conversationId: string, input: { startsAt: string; notes?: string }) {
  const conversation = await loadConversation(deps.db, actor, conversationId);
  return createBooking(deps, actor, { ...input, clinicId: conversation.clinicId, contactId: conversation.contactId, conversationId });
}

export interface BookingFilters {
  contactId?: string;
  conversationId?: string;
  clinicId?: string;
  limit: number;
  cursor?: string;
}

/** Bookings the actor may see (their clinics), newest first. */
export async function listBookings(deps: Deps, actor: Actor, f: BookingFilters) {
  const cursor = readCursor(f.cursor);
  const rows = await deps.db
    .select()
    .from(bookings)
    .where(
      and(
        eq(bookings.orgId, actor.orgId),
        isAdmin(actor.role) ? undefined : actor.clinicIds.length ? inArray(bookings.clinicId, actor.clinicIds) : sql`false`,
        f.contactId ? eq(bookings.contactId, f.contactId) : undefined,
        f.conversationId ? eq(bookings.conversationId, f.conversationId) : undefined,
        f.clinicId ? eq(bookings.clinicId, f.clinicId) : undefined,
        cursor ? sql`(${bookings.createdAt}, ${bookings.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)` : undefined,
      ),
    )
    .orderBy(desc(bookings.createdAt), desc(bookings.id))
    .limit(f.limit + 1);
  const items = rows.slice(0, f.limit).map(bookingJson);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > f.limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null };
}

/** The bookings of a contact or a conversation, for the contact page and the thread. */
export async function bookingsOf(db: DbOrTx, orgId: string, where: { contactId: string } | { conversationId: string }) {
  const rows = await db
    .select()
    .from(bookings)
    .where(and(eq(bookings.orgId, orgId), 'contactId' in where ? eq(bookings.contactId, where.contactId) : eq(bookings.conversationId, where.conversationId)))
    .orderBy(desc(bookings.startsAt))
    .limit(100);
  return rows.map(bookingJson);
}

/**
 * P3's report: of the conversations started in the months asked for (by their first channel),
 * how many led to a booking — in total, by channel and by month.
 */
export async function conversionReport(deps: Deps, actor: Actor, q: { from?: string; to?: string; clinicId?: string }) {
  const now = deps.clock.now();
  const to = q.to ? parseMonth(q.to) : new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  const from = q.from ? parseMonth(q.from) : to && new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth() - 11, 1));
  if (!from || !to) throw new AppError('invalid_input', 'from and to are months written YYYY-MM');
  if (from > to) throw new AppError('invalid_input', 'from must not be after to');
  if (q.clinicId) await accessibleClinic(deps.db, actor, q.clinicId);
  const end = nextMonth(to);
  const { rows } = await deps.db.execute<{ month: string; channel: string; conversations: number; converted: number }>(sql`
    select to_char(date_trunc('month', c.created_at at time zone 'UTC'), 'YYYY-MM') as month,
           c.origin_channel::text as channel,
           count(*)::int as conversations,
           count(*) filter (where exists (select 1 from ${bookings} b where b.conversation_id = c.id))::int as converted
    from ${conversations} c
    where c.org_id = ${actor.orgId}
      and c.created_at >= ${from.toISOString()}::timestamptz and c.created_at < ${end.toISOString()}::timestamptz
      and c.hidden_at is null and c.held_at is null and c.spam_at is null
      ${q.clinicId ? sql`and c.clinic_id = ${q.clinicId}` : sql``}
      ${isAdmin(actor.role) ? sql`` : actor.clinicIds.length ? sql`and c.clinic_id in (${sql.join(actor.clinicIds.map((id) => sql`${id}::uuid`), sql`, `)})` : sql`and false`}
    group by 1, 2`);
  const sum = (pick: (r: (typeof rows)[number]) => string) => {
    const acc = new Map<string, { key: string; conversations: number; converted: number }>();
    for (const r of rows) {
      const k = pick(r);
      const a = acc.get(k) ?? { key: k, conversations: 0, converted: 0 };
      a.conversations += r.conversations;
      a.converted += r.converted;
      acc.set(k, a);
    }
    return acc;
  };
  const months: string[] = [];
  for (let m = from; m < end; m = nextMonth(m)) months.push(monthKey(m));
  const byMonth = sum((r) => r.month);
  const total = withRates([{ key: 'total', conversations: rows.reduce((n, r) => n + r.conversations, 0), converted: rows.reduce((n, r) => n + r.converted, 0) }])[0];
  return {
    from: monthKey(from),
    to: monthKey(to),
    total: { conversations: total.conversations, converted: total.converted, rate: total.rate },
    byChannel: withRates([...sum((r) => r.channel).values()])
      .sort((a, b) => b.conversations - a.conversations)
      .map(({ key, ...r }) => ({ channel: key, ...r })),
    byMonth: withRates(months.map((m) => byMonth.get(m) ?? { key: m, conversations: 0, converted: 0 })).map(({ key, ...r }) => ({ month: key, ...r })),
  };
}

/** K2: the patient's next booking after `after`, for a template's {appointment}. */
export async function nextBooking(tx: DbOrTx, contactId: string, after: Date): Promise<{ startsAt: Date } | null> {
  const [next] = await tx
    .select({ startsAt: bookings.startsAt })
    .from(bookings)
    .where(and(eq(bookings.contactId, contactId), sql`${bookings.startsAt} > ${after.toISOString()}::timestamptz`))
    .orderBy(asc(bookings.startsAt))
    .limit(1);
  return next ?? null;
}

/** The bookings a campaign should message now, not yet sent to (campaigns/hooks.ts: campaigns may not read bookings). */
export async function dueBookings(db: DbOrTx, c: typeof campaigns.$inferSelect, now: Date): Promise<BookingRow[]> {
  const notSent = notExists(
    db
      .select({ one: sql`1` })
      .from(campaignSends)
      .where(and(eq(campaignSends.campaignId, c.id), eq(campaignSends.status, 'sent'), eq(campaignSends.targetKey, sql`'booking:' || ${bookings.id}`))),
  );
  const window =
    c.trigger === 'appointment_reminder'
      ? and(gt(bookings.startsAt, now), lte(bookings.startsAt, new Date(now.getTime() + (c.hoursBefore ?? 24) * 3_600_000)))
      : and(gt(bookings.startsAt, now), gte(bookings.createdAt, c.createdAt));
  return db
    .select()
    .from(bookings)
    .where(and(eq(bookings.orgId, c.orgId), c.clinicId ? eq(bookings.clinicId, c.clinicId) : undefined, window, notSent))
    .orderBy(bookings.startsAt)
    .limit(1000);
}
