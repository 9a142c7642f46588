/**
 * Issue 22, "leave as easily": the organization's contacts as a CSV the import reads back, and all
 * its conversations as JSON or one FHIR R4 collection Bundle. Both stream a page of contacts at a
 * time, so a large practice never sits in memory whole; both are audited when they start.
 */
import { and, asc, eq, gt, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit, recordIntegrityFailure } from '../audit/service.js';
import { contacts } from '../contacts/schema.js';
import { isOptedOut } from '../contacts/opt-outs.js';
import { conversations } from '../conversations/schema.js';
import type { Db } from '../db/client.js';
import type { Deps } from '../deps.js';
import { IntegrityError } from '../encryption/cipher.js';
import { completeRecord, fhirEntries, recordJson } from '../fhir/service.js';
import { csvCell, exportColumns } from '../imports/rules.js';

const pageSize = 500;
type ContactRow = typeof contacts.$inferSelect;

/** The organization's contacts in id order, a page at a time; `withConversations` keeps those with a thread. */
async function* contactPages(reads: Db, orgId: string, opts: { withConversations?: boolean } = {}): AsyncGenerator<ContactRow[]> {
  let after: string | null = null;
  for (;;) {
    const page: ContactRow[] = await reads
      .select()
      .from(contacts)
      .where(
        and(
          eq(contacts.orgId, orgId),
          after ? gt(contacts.id, after) : undefined,
          opts.withConversations ? sql`exists (select 1 from ${conversations} c where c.contact_id = ${contacts.id})` : undefined,
        ),
      )
      .orderBy(asc(contacts.id))
      .limit(pageSize);
    if (!page.length) return;
    yield page;
    after = page[page.length - 1].id;
  }
}

const flag = (value: boolean) => (value ? 'yes' : 'no');

function contactLine(c: ContactRow): string {
  const values: Record<(typeof exportColumns)[number][0], string | null> = {
    externalId: c.externalId,
    name: c.name,
    phone: c.phone,
    email: c.email,
    dateOfBirth: c.dateOfBirth,
    type: c.type,
    preferredChannel: c.preferredChannel,
    optedOutSms: flag(isOptedOut(c, 'sms')),
    optedOutEmail: flag(isOptedOut(c, 'email')),
    optedOutWhatsapp: flag(isOptedOut(c, 'whatsapp')),
  };
  return exportColumns.map(([field]) => csvCell(values[field])).join(',');
}

/**
 * An export fails its integrity check after its answer has begun, past the error handler: the
 * download breaks off (never looking complete), and the failure is audited here.
 */
async function* audited(deps: Deps, actor: Actor, route: string, chunks: AsyncGenerator<string>): AsyncGenerator<string> {
  try {
    yield* chunks;
  } catch (e) {
    if (e instanceof IntegrityError) await recordIntegrityFailure(deps.db, auditActor(actor), route, e);
    throw e;
  }
}

export async function exportContacts(deps: Deps, actor: Actor): Promise<AsyncGenerator<string>> {
  const reads = await deps.reads.forUser(actor);
  const [{ count }] = await reads.select({ count: sql<number>`count(*)::int` }).from(contacts).where(eq(contacts.orgId, actor.orgId));
  await recordAudit(deps.db, { ...auditActor(actor), action: 'contacts.export', subject: { type: 'organization', id: actor.orgId }, details: { format: 'csv', contacts: count } });
  return audited(deps, actor, '/api/v1/exports/contacts', (async function* () {
    yield exportColumns.map(([, header]) => header).join(',') + '\r\n';
    for await (const page of contactPages(reads, actor.orgId)) yield page.map(contactLine).join('\r\n') + '\r\n';
  })());
}

/** JSON `{ exportedAt, patients: [{ patient, conversations }] }`, or a FHIR collection Bundle of every Patient and Communication. */
export async function exportConversations(deps: Deps, actor: Actor, format: 'json' | 'fhir'): Promise<AsyncGenerator<string>> {
  const reads = await deps.reads.forUser(actor);
  const [{ count }] = await reads
    .select({ count: sql<number>`count(*)::int` })
    .from(conversations)
    .where(eq(conversations.orgId, actor.orgId));
  await recordAudit(deps.db, { ...auditActor(actor), action: 'conversations.export', subject: { type: 'organization', id: actor.orgId }, details: { format, conversations: count } });
  const exportedAt = deps.clock.now().toISOString();
  return audited(deps, actor, '/api/v1/exports/conversations', (async function* () {
    yield format === 'fhir' ? `{"resourceType":"Bundle","type":"collection","timestamp":${JSON.stringify(exportedAt)},"entry":[` : `{"exportedAt":${JSON.stringify(exportedAt)},"patients":[`;
    let first = true;
    for await (const page of contactPages(reads, actor.orgId, { withConversations: true })) {
      for (const contact of page) {
        const { threads, resources } = await completeRecord(deps, actor, contact);
        const items = format === 'fhir' ? fhirEntries(deps, contact, resources) : [recordJson(contact, threads, resources)];
        const text = items.map((item) => JSON.stringify(item)).join(',');
        yield (first ? '' : ',') + text;
        first = false;
      }
    }
    yield ']}';
  })());
}

