/** The guest links the conversations core asks about (conversations/hooks.ts): guest owns the table. */
import { and, eq, isNull } from 'drizzle-orm';
import { messages } from '../conversations/schema.js';
import { newestFirst, type DbOrTx, type Tx } from '../db/client.js';
import { guestLinks } from './schema.js';

/** P1: the guest link a web reply goes to — the one the patient wrote through last, unless revoked. */
export async function currentGuestLink(db: DbOrTx, conversationId: string): Promise<string | null> {
  const [row] = await db
    .select({ id: guestLinks.id })
    .from(messages)
    .innerJoin(guestLinks, eq(guestLinks.id, messages.guestLinkId))
    .where(and(eq(messages.conversationId, conversationId), eq(messages.direction, 'inbound'), eq(messages.channel, 'web'), isNull(guestLinks.revokedAt)))
    .orderBy(newestFirst(messages.createdAt))
    .limit(1);
  return row?.id ?? null;
}

/** P1: every guest link a contact holds stops working (they were marked a spammer). */
export async function revokeGuestLinks(tx: Tx, contactId: string, at: Date): Promise<number> {
  const revoked = await tx
    .update(guestLinks)
    .set({ revokedAt: at })
    .where(and(eq(guestLinks.contactId, contactId), isNull(guestLinks.revokedAt)))
    .returning({ id: guestLinks.id });
  return revoked.length;
}
