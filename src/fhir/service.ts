/** B3: reading conversations for the FHIR export, with the same walls as the inbox (organization, clinic, SMS privilege). */
import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { attachments } from '../attachments/schema.js';
import { contacts } from '../contacts/schema.js';
import { contactInOrg } from '../contacts/service.js';
import { callLogs, conversations, messages } from '../conversations/schema.js';
import { loadConversation, visibleConversations, visibleMessages } from '../conversations/service.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { clinics, users } from '../orgs/schema.js';
import { campaigns } from '../campaigns/schema.js';
import { messageResource, organizationResource, patientResource, practitionerResource, threadResource, type Communication } from './rules.js';
import { attachmentFilename, signedFileUrl } from '../attachments/service.js';
import { openMessageTexts } from '../conversations/message-text.js';

type ConversationRow = typeof conversations.$inferSelect;

async function resourcesOf(deps: Deps, actor: Actor, threads: ConversationRow[], opts: { complete?: boolean } = {}): Promise<Communication[]> {
  if (!threads.length) return [];
  const ids = threads.map((t) => t.id);
  const [contact] = await deps.db.select({ id: contacts.id, name: contacts.name }).from(contacts).where(eq(contacts.id, threads[0].contactId));
  const clinicRows = await deps.db.select({ id: clinics.id, name: clinics.name }).from(clinics).where(inArray(clinics.id, [...new Set(threads.map((t) => t.clinicId))]));
  const clinicOf = new Map(clinicRows.map((c) => [c.id, c]));
  const rows = await deps.db
    .select({ m: messages, userName: users.name, campaignName: campaigns.name, call: { startedAt: callLogs.startedAt, durationSeconds: callLogs.durationSeconds } })
    .from(messages)
    .leftJoin(users, eq(users.id, messages.senderUserId))
    .leftJoin(campaigns, eq(campaigns.id, messages.campaignId))
    .leftJoin(callLogs, eq(callLogs.messageId, messages.id))
    .where(and(inArray(messages.conversationId, ids), opts.complete ? undefined : visibleMessages(actor)))
    .orderBy(asc(messages.createdAt), asc(messages.id));
  const files = rows.length ? await deps.db.select().from(attachments).where(inArray(attachments.messageId, rows.map((r) => r.m.id))) : [];
  const out: Communication[] = [];
  for (const t of threads) {
    const clinic = clinicOf.get(t.clinicId)!;
    out.push(threadResource({ id: t.id, contact, clinicName: clinic.name, channel: t.originChannel, status: t.status, createdAt: t.createdAt, lastActivityAt: t.lastActivityAt }));
    for (const { m, userName, campaignName, call } of rows.filter((r) => r.m.conversationId === t.id)) {
      const text = openMessageTexts(m);
      out.push(
        messageResource({
          id: m.id,
          conversationId: t.id,
          contact,
          clinic,
          direction: m.direction,
          channel: m.channel,
          body: text.body,
          status: m.status,
          failureReason: m.failureReason,
          retraction: m.retractedAt ? { at: m.retractedAt, reason: text.retractionReason ?? '' } : null,
          sender: m.campaignId ? { kind: 'campaign', name: campaignName ?? 'Campaign' } : m.senderUserId ? { kind: 'user', id: m.senderUserId, name: userName ?? 'Team member' } : { kind: 'patient' },
          createdAt: m.createdAt,
          statusAt: m.statusAt,
          call: call?.startedAt ? { startedAt: call.startedAt, durationSeconds: call.durationSeconds! } : null,
          attachments: files.filter((f) => f.messageId === m.id).map((f) => ({ ...f, filename: attachmentFilename(f) })),
          attachmentUrl: (id) => signedFileUrl(deps, id),
        }),
      );
    }
  }
  return out;
}

export async function communicationsOfPatient(deps: Deps, actor: Actor, contactId: string): Promise<Communication[]> {
  await contactInOrg(deps.db, actor.orgId, contactId);
  const threads = await deps.db
    .select()
    .from(conversations)
    .where(and(visibleConversations(actor), eq(conversations.contactId, contactId)))
    .orderBy(desc(conversations.lastActivityAt))
    .limit(200);
  const resources = await resourcesOf(deps, actor, threads);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'fhir.export', subject: { type: 'contact', id: contactId }, details: { resources: resources.length } });
  return resources;
}

/** One resource: a thread header (by conversation id) or a message (by message id). */
export async function communicationById(deps: Deps, actor: Actor, id: string): Promise<Communication> {
  const [asMessage] = await deps.db.select({ conversationId: messages.conversationId }).from(messages).where(and(eq(messages.id, id), eq(messages.orgId, actor.orgId)));
  const conversation = await loadConversation(deps.db, actor, asMessage?.conversationId ?? id);
  const resource = (await resourcesOf(deps, actor, [conversation])).find((r) => r.id === id);
  if (!resource) throw notFound('Communication');
  await recordAudit(deps.db, { ...auditActor(actor), action: 'fhir.export', subject: { type: asMessage ? 'message' : 'conversation', id } });
  return resource;
}

/**
 * The patient's right of access: every conversation the organization has with this contact — all
 * clinics, all channels, a disabled SMS inbox's hidden texts and retracted messages included — as
 * one FHIR collection Bundle (the Patient, then thread headers and their messages) or as plain JSON.
 * Admins only (the route says so); audited.
 */
export async function patientRecord(deps: Deps, actor: Actor, contactId: string, format: 'json' | 'fhir') {
  const contact = await contactInOrg(deps.db, actor.orgId, contactId);
  const exportedAt = deps.clock.now().toISOString();
  const { threads, resources } = await completeRecord(deps, actor, contact);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'contact.record_export', subject: { type: 'contact', id: contactId }, details: { format, conversations: threads.length, resources: resources.length } });
  if (format === 'fhir') {
    return { resourceType: 'Bundle' as const, type: 'collection' as const, timestamp: exportedAt, entry: fhirEntries(deps, contact, resources) };
  }
  return { exportedAt, ...recordJson(contact, threads, resources) };
}

type ContactRow = typeof contacts.$inferSelect;

/** Every conversation the organization has with the contact, hidden and retracted messages included, as FHIR resources. */
export async function completeRecord(deps: Deps, actor: Actor, contact: ContactRow) {
  const threads = await deps.db
    .select()
    .from(conversations)
    .where(and(eq(conversations.orgId, actor.orgId), eq(conversations.contactId, contact.id)))
    .orderBy(asc(conversations.createdAt));
  return { threads, resources: await resourcesOf(deps, actor, threads, { complete: true }) };
}

/** The Patient and its Communications as entries of a collection Bundle. */
export function fhirEntries(deps: Deps, contact: ContactRow, resources: Communication[]) {
  return [patientResource(contact), ...resources].map((resource) => ({ fullUrl: `${deps.config.publicUrl}/fhir/R4/${resource.resourceType}/${resource.id}`, resource }));
}

/** The record as plain JSON: the patient, and each conversation with its messages. */
export function recordJson(contact: ContactRow, threads: ConversationRow[], resources: Communication[]) {
  const byThread = new Map<string, Communication[]>();
  for (const r of resources) {
    const thread = r.partOf?.[0]?.reference?.split('/')[1];
    if (thread) byThread.set(thread, [...(byThread.get(thread) ?? []), r]);
  }
  return {
    patient: { id: contact.id, name: contact.name, type: contact.type, phone: contact.phone, email: contact.email, createdAt: contact.createdAt.toISOString() },
    conversations: threads.map((t) => ({
      id: t.id,
      clinicId: t.clinicId,
      channel: t.originChannel,
      status: t.status,
      createdAt: t.createdAt.toISOString(),
      archivedAt: t.archivedAt?.toISOString() ?? null,
      messages: (byThread.get(t.id) ?? []).map((m) => ({
        id: m.id,
        status: m.status,
        statusReason: m.statusReason?.text ?? null,
        channel: m.medium?.[0]?.coding?.[0]?.code ?? null,
        from: m.sender?.display ?? null,
        sent: m.sent ?? null,
        received: m.received ?? null,
        text: m.payload?.find((p) => 'contentString' in p)?.contentString ?? null,
        attachments: (m.payload ?? []).flatMap((p) => ('contentAttachment' in p && p.contentAttachment ? [p.contentAttachment] : [])),
        note: m.note?.[0]?.text ?? null,
      })),
    })),
  };
}

/** The resources a Communication refers to, readable by the same callers and walled off by organization. */
export async function patientById(deps: Deps, actor: Actor, id: string) {
  const contact = await contactInOrg(deps.db, actor.orgId, id);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'fhir.read', subject: { type: 'contact', id }, details: { resourceType: 'Patient' } });
  return patientResource(contact);
}

export async function practitionerById(deps: Deps, actor: Actor, id: string) {
  const [user] = await deps.db.select().from(users).where(and(eq(users.id, id), eq(users.orgId, actor.orgId)));
  if (!user) throw notFound('Practitioner');
  await recordAudit(deps.db, { ...auditActor(actor), action: 'fhir.read', subject: { type: 'user', id }, details: { resourceType: 'Practitioner' } });
  return practitionerResource({ id: user.id, name: user.name, active: user.deactivatedAt === null });
}

export async function organizationById(deps: Deps, actor: Actor, id: string) {
  const [clinic] = await deps.db.select().from(clinics).where(and(eq(clinics.id, id), eq(clinics.orgId, actor.orgId)));
  if (!clinic) throw notFound('Organization');
  await recordAudit(deps.db, { ...auditActor(actor), action: 'fhir.read', subject: { type: 'clinic', id }, details: { resourceType: 'Organization' } });
  return organizationResource(clinic);
}
