/**
 * Issue 21: a campaign's replies filed together. The plain texts at the head of many lanes — no
 * files, no keyword, no reaction, to a clinic that is open or sends no after-hours reply — are
 * written in a handful of statements for all of them (recordInboundMany); everything else takes
 * the one-at-a-time path (receiveInboundIn), which these rows match exactly.
 */
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { recordAudit, type AuditEntry } from '../audit/service.js';
import { normalizePhone } from '../contacts/rules.js';
import { findOrCreateContactsByPhone } from '../contacts/service.js';
import { conversations, messages } from '../conversations/schema.js';
import { recordInboundMany, type InboundClinic, type PlainInbound } from '../conversations/service.js';
import type { Tx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { defaultOpeningHours, isOpen } from '../orgs/hours.js';
import { orgCountry } from '../orgs/locale.js';
import { clinics } from '../orgs/schema.js';
import { keywordAction } from './rules.js';
import { inboundEvents, type InboundPayload } from './schema.js';

type InboundEventRow = typeof inboundEvents.$inferSelect;

/** Whether an event can be filed with others: a text and nothing more, which no keyword rule answers whatever the contact's opt-out. */
export function isPlainText(event: InboundEventRow): boolean {
  if (event.channel === 'email' || !event.payload) return false;
  const payload = JSON.parse(event.payload) as InboundPayload;
  if (payload.reaction || payload.media?.length || payload.keyword) return false;
  return keywordAction(payload.body, true) === null && keywordAction(payload.body, false) === null;
}

interface Resolved {
  event: InboundEventRow;
  text: PlainInbound<FilingClinic>;
  contactId: string;
}

/**
 * Files the texts (one per lane, heads of their lanes) in the caller's transaction, in a savepoint:
 * returns the ones filed (a duplicate of a stored message counts, as it does one at a time) and
 * the ones left for the one-at-a-time path. Anything that fails leaves them all to it.
 */
export async function fileTexts(deps: Deps, tx: Tx, events: InboundEventRow[]): Promise<{ filed: InboundEventRow[]; deferred: InboundEventRow[] }> {
  if (!events.length) return { filed: [], deferred: [] };
  try {
    return await tx.transaction((savepoint) => fileTextsIn(deps, savepoint, events));
  } catch {
    // Nothing is lost: each is filed alone next, where its own error (if it has one) fails its own job and is logged there.
    deps.metrics.inboundFiled.inc({ how: 'fallback' }, events.length);
    return { filed: [], deferred: events };
  }
}

async function fileTextsIn(deps: Deps, tx: Tx, events: InboundEventRow[]): Promise<{ filed: InboundEventRow[]; deferred: InboundEventRow[] }> {
  const at = deps.clock.now();
  const duplicates = await alreadyStored(tx, events);
  const deferred: InboundEventRow[] = [];
  const resolved: Resolved[] = [];
  for (const [orgId, group] of byOrg(events.filter((e) => !duplicates.has(e.id)))) {
    const country = await orgCountry(tx, orgId, deps.config.defaultCountry);
    const senders = group.map((event) => {
      const payload = JSON.parse(event.payload!) as InboundPayload;
      const phone = normalizePhone(payload.from, country);
      return { event, payload, phone: phone.ok ? phone.e164 : null };
    });
    // An unroutable sender is refused one at a time, where the reason is logged.
    for (const s of senders) if (!s.phone) deferred.push(s.event);
    const routable = senders.filter((s): s is typeof s & { phone: string } => s.phone !== null);
    if (!routable.length) continue;
    const contacts = await findOrCreateContactsByPhone(tx, orgId, routable.map((s) => ({ phone: s.phone, name: s.payload.name })));
    const clinicOf = await clinicsFor(tx, orgId, [...new Set([...contacts.values()].map((c) => c.id))]);
    for (const s of routable) {
      const contact = contacts.get(s.phone)!;
      const clinic = clinicOf.get(contact.id)!;
      resolved.push({
        event: s.event,
        contactId: contact.id,
        text: { orgId, clinic, contactId: contact.id, channel: s.event.channel as PlainInbound['channel'], body: s.payload.body || '(empty message)', providerMessageId: s.event.providerMessageId },
      });
    }
  }
  const together: Resolved[] = [];
  const threads = new Set<string>();
  for (const r of resolved) {
    const thread = `${r.text.clinic.id}:${r.contactId}`;
    // Two senders' addresses that are one patient, or a clinic about to answer after hours: one at a time.
    if (threads.has(thread) || r.text.clinic.answersAfterHours(at)) deferred.push(r.event);
    else together.push(r), threads.add(thread);
  }
  const stored = await recordInboundMany(tx, together.map((r) => r.text), at);
  await recordAudit(tx, together.map((r, i): AuditEntry => ({
    orgId: r.text.orgId,
    actor: { kind: 'patient', contactId: r.contactId },
    action: 'message.receive',
    subject: { type: 'message', id: stored[i].messageId },
    details: { conversationId: stored[i].conversationId, channel: r.text.channel },
  })));
  deps.metrics.inboundFiled.inc({ how: 'together' }, together.length);
  const filed = [...events.filter((e) => duplicates.has(e.id)), ...together.map((r) => r.event)];
  if (filed.length) await tx.update(inboundEvents).set({ processedAt: deps.clock.now(), payload: null }).where(inArray(inboundEvents.id, filed.map((e) => e.id)));
  return { filed, deferred };
}

function byOrg(events: InboundEventRow[]): Map<string, InboundEventRow[]> {
  const out = new Map<string, InboundEventRow[]>();
  for (const e of events) out.set(e.orgId, [...(out.get(e.orgId) ?? []), e]);
  return out;
}

/** Events whose message is stored already (a provider's retry filed before its event was marked): filed as no-ops. */
async function alreadyStored(tx: Tx, events: InboundEventRow[]): Promise<Set<string>> {
  const rows = await tx
    .select({ channel: messages.channel, providerMessageId: messages.providerMessageId })
    .from(messages)
    .where(inArray(messages.providerMessageId, events.map((e) => e.providerMessageId)));
  const seen = new Set(rows.map((r) => `${r.channel}:${r.providerMessageId}`));
  return new Set(events.filter((e) => seen.has(`${e.channel}:${e.providerMessageId}`)).map((e) => e.id));
}

type FilingClinic = InboundClinic & { answersAfterHours(at: Date): boolean };

/** receiveInboundIn's clinicFor for many contacts: their latest thread's clinic, else the organization's first. */
async function clinicsFor(tx: Tx, orgId: string, contactIds: string[]): Promise<Map<string, FilingClinic>> {
  const latest = await tx
    .selectDistinctOn([conversations.contactId], { contactId: conversations.contactId, clinicId: conversations.clinicId })
    .from(conversations)
    .where(and(eq(conversations.orgId, orgId), inArray(conversations.contactId, contactIds), isNull(conversations.hiddenAt)))
    .orderBy(conversations.contactId, sql`${conversations.lastActivityAt} desc`);
  const rows = await tx
    .select({ id: clinics.id, createdAt: clinics.createdAt, timezone: clinics.timezone, openingHours: clinics.openingHours, afterHoursReply: clinics.afterHoursReply })
    .from(clinics)
    .where(eq(clinics.orgId, orgId));
  const first = rows.reduce((a, b) => (b.createdAt < a.createdAt ? b : a));
  const byId = new Map(
    rows.map((c): [string, FilingClinic] => [
      c.id,
      { id: c.id, timezone: c.timezone, openingHours: c.openingHours, answersAfterHours: (at) => Boolean(c.afterHoursReply) && !isOpen(at, c.openingHours ?? defaultOpeningHours, c.timezone) },
    ]),
  );
  const latestOf = new Map(latest.map((l) => [l.contactId, l.clinicId]));
  return new Map(contactIds.map((id) => [id, byId.get(latestOf.get(id) ?? first.id)!]));
}
