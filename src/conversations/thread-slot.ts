import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { conversations, type ConversationRow } from './schema.js';

/** Serialises every write that could make or revive a patient's active thread in a clinic. */
export async function lockThreadSlot(tx: Tx, clinicId: string, contactId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${clinicId}:${contactId}`}, 0))`);
}

export async function activeConversation(tx: Tx, clinicId: string, contactId: string): Promise<ConversationRow | undefined> {
  const [row] = await tx
    .select()
    .from(conversations)
    .where(
      and(
        eq(conversations.clinicId, clinicId),
        eq(conversations.contactId, contactId),
        eq(conversations.status, 'open'),
        isNull(conversations.archivedAt),
      ),
    );
  return row;
}

/** Opens and unarchives a thread, unless the patient has another active one in the clinic. */
export async function revive(tx: Tx, conversation: ConversationRow): Promise<ConversationRow> {
  await lockThreadSlot(tx, conversation.clinicId, conversation.contactId);
  const other = await activeConversation(tx, conversation.clinicId, conversation.contactId);
  if (other && other.id !== conversation.id) {
    throw new AppError('another_conversation_open', 'this patient has another open conversation in this clinic; continue there', {
      conversationId: other.id,
    });
  }
  const [row] = await tx
    .update(conversations)
    .set({ status: 'open', archivedAt: null })
    .where(eq(conversations.id, conversation.id))
    .returning();
  return row;
}
