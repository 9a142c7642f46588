import { and, eq, sql } from 'drizzle-orm';
import { conversations, messages } from '../conversations/schema.js';
import type { DbOrTx } from '../db/client.js';
import type { ChangeEvent } from './events.js';
import type { EventFacts } from './rules.js';

/** What deciding who may receive the event needs, read as committed (the event names ids only). */
export async function eventFacts(db: DbOrTx, event: ChangeEvent): Promise<EventFacts | null> {
  const [row] = await db
    .select({
      clinicId: conversations.clinicId,
      conversationChannel: conversations.channel,
      shownToStaff: sql<boolean>`${conversations.hiddenAt} is null and ${conversations.heldAt} is null`,
      messageChannel: messages.channel,
      messageHidden: messages.hidden,
    })
    .from(conversations)
    .leftJoin(messages, and(event.messageId ? eq(messages.id, event.messageId) : sql`false`, eq(messages.conversationId, conversations.id)))
    .where(and(eq(conversations.id, event.conversationId), eq(conversations.orgId, event.orgId)));
  if (!row) return null;
  const message = row.messageChannel === null ? null : { channel: row.messageChannel, hidden: row.messageHidden ?? false };
  // An event naming a message that is not (or no longer) in the thread carries nothing anyone may see.
  if (event.messageId && !message) return null;
  return { clinicId: row.clinicId, conversationChannel: row.conversationChannel, shownToStaff: row.shownToStaff, message };
}
