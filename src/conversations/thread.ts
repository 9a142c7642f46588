import { and, asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { recordAudit, auditActor } from '../audit/service.js';
import { publish } from '../realtime/events.js';
import { contactInOrg } from '../contacts/service.js';
import { encodeCursor, readCursor } from '../db/keyset.js';
import type { Deps } from '../deps.js';
import { notFound } from '../errors.js';
import { sendableChannels } from './rules.js';
import { optOutsOf } from '../contacts/opt-outs.js';
import { conversations, messages } from './schema.js';
import { assertConversationAccess, loadConversation, visibleMessages } from './access.js';
import { conversationHooks } from './hooks.js';
import { conversationJson, conversationRow, conversationSelect, eventScope, messageSelect, messagesJson } from './views.js';

export async function getConversation(
  deps: Deps,
  actor: Actor,
  id: string,
  page: { limit: number; cursor?: string },
) {
  // The thread's row with its joins, read once: the access checks and the answer both come from it.
  const thread = await conversationRow(deps.db, actor, id);
  const conversation = assertConversationAccess(actor, thread.c);
  const after = readCursor(page.cursor);
  const rows = await messageSelect(deps.db)
    .where(
      and(
        eq(messages.conversationId, conversation.id),
        visibleMessages(actor),
        after ? sql`(${messages.createdAt}, ${messages.id}) > (${after.at}::timestamptz, ${after.id}::uuid)` : undefined,
      ),
    )
    .orderBy(asc(messages.createdAt), asc(messages.id))
    .limit(page.limit + 1);
  const items = await messagesJson(deps.db, rows.slice(0, page.limit));
  const last = items[items.length - 1];
  const contact = await contactInOrg(deps.db, actor.orgId, conversation.contactId);
  await recordAudit(deps.db, { ...auditActor(actor), action: 'conversation.view', subject: { type: 'conversation', id } });
  return {
    ...conversationJson(thread, deps.clock.now()),
    availableChannels: sendableChannels(contact, { hasGuestLink: (await conversationHooks().currentGuestLink(deps.db, id)) !== null }),
    optedOut: optOutsOf(contact),
    messages: items,
    nextCursor: rows.length > page.limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

/**
 * Break-the-glass reading: the whole thread — clinics, privileges and a disabled SMS inbox's hiding
 * set aside — for the emergency-access module, which has already recorded the reason. Organization
 * walls stay: another organization's conversation is still not found.
 */
export async function emergencyThread(deps: Deps, actor: Actor, id: string) {
  const [row] = await conversationSelect(actor.userId, deps.db).where(and(eq(conversations.id, id), eq(conversations.orgId, actor.orgId)));
  if (!row) throw notFound('conversation');
  const rows = await messageSelect(deps.db).where(eq(messages.conversationId, id)).orderBy(asc(messages.createdAt), asc(messages.id)).limit(5000);
  return { conversation: conversationJson(row, deps.clock.now()), messages: await messagesJson(deps.db, rows) };
}

/** B1: "X is replying…" — tells the others looking at this thread; nothing is stored. */
export async function announceTyping(deps: Deps, actor: Actor, id: string): Promise<void> {
  const conversation = await loadConversation(deps.db, actor, id);
  await publish(deps.db, { type: 'conversation.typing', ...eventScope(conversation), user: { id: actor.userId, name: actor.name } }, deps.clock.now());
}
