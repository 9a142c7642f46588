import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Tx } from '../db/client.js';
import { AppError } from '../errors.js';
import { defaultInbox } from '../orgs/service.js';
import { takesThreadSlot, type Channel, type ThreadRevival } from './rules.js';
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

export interface NewConversation {
  orgId: string;
  clinicId: string;
  contactId: string;
  channel: Channel;
  at: Date;
  /** The organization's default inbox unless given. */
  inboxId?: string;
  /** T4: the team member who started it; null when the patient or a campaign did. */
  startedByUserId?: string;
  /** P4: a guest conversation over the plan's limit starts held, out of sight. */
  held?: boolean;
}

/** The one place a conversation is made; the caller holds the thread slot's lock and found no active thread. */
export async function createConversation(tx: Tx, input: NewConversation): Promise<ConversationRow> {
  const [row] = await tx
    .insert(conversations)
    .values({
      orgId: input.orgId,
      clinicId: input.clinicId,
      inboxId: input.inboxId ?? (await defaultInbox(tx, input.orgId)).id,
      contactId: input.contactId,
      channel: input.channel,
      originChannel: input.channel,
      startedByUserId: input.startedByUserId ?? null,
      lastActivityAt: input.at,
      createdAt: input.at,
      heldAt: input.held ? input.at : null,
    })
    .returning();
  return row;
}

/**
 * Reopen or refuse: reopens and/or unarchives a thread, unless that makes it the patient's active
 * thread in the clinic while another one already is (409 another_conversation_open, naming it).
 */
export async function reopenOrRefuse(tx: Tx, conversation: ConversationRow, change: ThreadRevival): Promise<ConversationRow> {
  await lockThreadSlot(tx, conversation.clinicId, conversation.contactId);
  if (takesThreadSlot(conversation, change)) {
    const other = await activeConversation(tx, conversation.clinicId, conversation.contactId);
    if (other && other.id !== conversation.id) {
      throw new AppError('another_conversation_open', 'this patient has another open conversation in this clinic; close it first or continue there', {
        conversationId: other.id,
      });
    }
  }
  const [row] = await tx.update(conversations).set(change).where(eq(conversations.id, conversation.id)).returning();
  return row;
}
