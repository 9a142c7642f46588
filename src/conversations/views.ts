import { openFor, openOptional } from '../encryption/columns.js';
import { openMessageCard, openMessageTexts } from './message-text.js';
import { and, eq, getTableColumns, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import type { Actor } from '../auth/actor.js';
import { attachmentsOf, type attachmentJson } from '../attachments/service.js';
import { contacts } from '../contacts/schema.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { users } from '../orgs/schema.js';
import { campaigns } from '../campaigns/schema.js';
import { preview } from './rules.js';
import { callLogs, conversations, conversationUserState, messages } from './schema.js';
import { cardLinks } from '../artifacts/schema.js';
import { shownToStaff } from './access.js';

type AttachmentJson = ReturnType<typeof attachmentJson>;

export const eventScope = (c: { id: string; orgId: string; clinicId: string }) => ({ orgId: c.orgId, clinicId: c.clinicId, conversationId: c.id });

const assignee = alias(users, 'assignee');
const lastMessage = alias(messages, 'last_message');
const lastSender = alias(users, 'last_sender');
const lastCampaign = alias(campaigns, 'last_campaign');

export function conversationSelect(userId: string, db: DbOrTx) {
  return db
    .select({
      c: conversations,
      contact: {
        id: contacts.id,
        name: contacts.name,
        type: contacts.type,
        phone: contacts.phone,
        email: contacts.email,
        blocked: contacts.blocked,
        /** S4: why mail to the address came back, when it did. */
        emailBounce: contacts.emailBounceReason,
      },
      assignee: { id: assignee.id, name: assignee.name },
      last: {
        id: lastMessage.id,
        orgId: lastMessage.orgId,
        body: lastMessage.body,
        direction: lastMessage.direction,
        channel: lastMessage.channel,
        status: lastMessage.status,
        createdAt: lastMessage.createdAt,
      },
      lastSenderName: lastSender.name,
      lastCampaignName: lastCampaign.name,
      pinned: sql<boolean>`coalesce(${conversationUserState.pinned}, false)`,
      muted: sql<boolean>`coalesce(${conversationUserState.muted}, false)`,
    })
    .from(conversations)
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(assignee, eq(assignee.id, conversations.assigneeId))
    .leftJoin(lastMessage, eq(lastMessage.id, conversations.lastMessageId))
    .leftJoin(lastSender, eq(lastSender.id, lastMessage.senderUserId))
    .leftJoin(lastCampaign, eq(lastCampaign.id, lastMessage.campaignId))
    .leftJoin(
      conversationUserState,
      and(eq(conversationUserState.conversationId, conversations.id), eq(conversationUserState.userId, userId)),
    )
    .$dynamic();
}

type ConversationSelectRow = Awaited<ReturnType<ReturnType<typeof conversationSelect>['execute']>>[number];

export function conversationJson(row: ConversationSelectRow, now: Date) {
  const { c } = row;
  return {
    id: c.id,
    contact: row.contact,
    subject: openOptional(c, c.subject),
    channel: c.channel,
    status: c.status,
    archived: c.archivedAt !== null,
    archivedAt: c.archivedAt?.toISOString() ?? null,
    spam: c.spamAt !== null,
    unread: c.unread,
    assignee: row.assignee,
    inboxId: c.inboxId,
    clinicId: c.clinicId,
    lastMessage: row.last && {
      id: row.last.id,
      preview: preview(openFor(row.last, row.last.body)),
      direction: row.last.direction,
      channel: row.last.channel,
      status: row.last.status,
      senderName: row.lastCampaignName ?? row.lastSenderName ?? (row.last.direction === 'inbound' ? row.contact.name : null),
      createdAt: row.last.createdAt.toISOString(),
    },
    lastActivityAt: c.lastActivityAt.toISOString(),
    awaitingSince: c.awaitingSince?.toISOString() ?? null,
    replyDueAt: c.replyDueAt?.toISOString() ?? null,
    overdue: c.replyDueAt !== null && c.replyDueAt < now,
    pinned: row.pinned,
    muted: row.muted,
    createdAt: c.createdAt.toISOString(),
  };
}


/** One conversation of the actor's organization shown to staff, with the list's joins (404 when there is none; the caller checks the clinic). */
export async function conversationRow(db: DbOrTx, actor: Actor, id: string) {
  const [row] = await conversationSelect(actor.userId, db).where(and(eq(conversations.id, id), eq(conversations.orgId, actor.orgId), shownToStaff));
  if (!row) throw notFound('conversation');
  return row;
}

/** One conversation as the list shows it; `overdue` is judged by the clock the rest of the request uses. */
export async function conversationById(deps: Pick<Deps, 'db' | 'clock'>, actor: Actor, id: string) {
  return conversationJson(await conversationRow(deps.db, actor, id), deps.clock.now());
}

const sender = alias(users, 'sender');
/** Every message column but the search vector, which only queries need. */
const { search: _search, ...messageColumns } = getTableColumns(messages);

export function messageSelect(db: DbOrTx) {
  return db
    .select({
      m: messageColumns,
      senderName: sender.name,
      campaignName: campaigns.name,
      contactName: contacts.name,
      contactId: contacts.id,
      call: { startedAt: callLogs.startedAt, durationSeconds: callLogs.durationSeconds },
      link: { expiresAt: cardLinks.expiresAt, openCount: cardLinks.openCount, firstOpenedAt: cardLinks.firstOpenedAt, lastOpenedAt: cardLinks.lastOpenedAt, token: cardLinks.token },
    })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .leftJoin(sender, eq(sender.id, messages.senderUserId))
    .leftJoin(campaigns, eq(campaigns.id, messages.campaignId))
    .leftJoin(callLogs, eq(callLogs.messageId, messages.id))
    .leftJoin(cardLinks, eq(cardLinks.messageId, messages.id))
    .$dynamic();
}

type MessageSelectRow = Awaited<ReturnType<ReturnType<typeof messageSelect>['execute']>>[number];

/** M10: who a message is from — a team member, a campaign, or the patient. */
function senderOf(row: MessageSelectRow) {
  const { m } = row;
  if (m.campaignId) return { type: 'campaign' as const, id: m.campaignId, name: row.campaignName ?? 'Campaign' };
  if (m.senderUserId) return { type: 'user' as const, id: m.senderUserId, name: row.senderName ?? 'Team member' };
  return { type: 'contact' as const, id: row.contactId, name: row.contactName };
}

function messageJson(row: MessageSelectRow, files: AttachmentJson[] = []) {
  const { m } = row;
  const text = openMessageTexts(m);
  const card = openMessageCard(m);
  return {
    id: m.id,
    conversationId: m.conversationId,
    direction: m.direction,
    channel: m.channel,
    body: text.body,
    fullText: text.fullText,
    subject: text.subject,
    html: text.html,
    status: m.status,
    failureReason: m.failureReason,
    automatic: m.meta?.automatic === true,
    sender: senderOf(row),
    starred: m.starred,
    sensitive: m.sensitive,
    createdAt: m.createdAt.toISOString(),
    statusAt: m.statusAt.toISOString(),
    call: row.call && { startedAt: row.call.startedAt.toISOString(), durationSeconds: row.call.durationSeconds },
    card: card && {
      ...card,
      link: row.link?.token
        ? {
            expiresAt: row.link.expiresAt.toISOString(),
            openCount: row.link.openCount,
            firstOpenedAt: row.link.firstOpenedAt?.toISOString() ?? null,
            lastOpenedAt: row.link.lastOpenedAt?.toISOString() ?? null,
          }
        : null,
    },
    attachments: files,
    retracted: m.retractedAt && { at: m.retractedAt.toISOString(), byUserId: m.retractedBy, reason: text.retractionReason ?? '' },
    correctsMessageId: m.correctsMessageId,
    reaction: text.patientReaction,
  };
}

export async function messagesJson(db: DbOrTx, rows: MessageSelectRow[]) {
  const files = await attachmentsOf(db, rows.map((r) => r.m.id));
  return rows.map((r) => messageJson(r, files.get(r.m.id)));
}


export async function messageById(db: DbOrTx, id: string) {
  const [json] = await messagesJson(db, await messageSelect(db).where(eq(messages.id, id)));
  return json;
}
