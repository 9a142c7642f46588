import { and, eq, inArray, isNull, ne, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import type { DbOrTx } from '../db/client.js';
import { AppError, notFound } from '../errors.js';
import { isAdmin, type Role } from '../orgs/rules.js';
import { assertClinicAccess } from '../orgs/service.js';
import { mayPost } from './rules.js';
import { conversations, messages, type ConversationRow } from './schema.js';

/** Threads staff see: not those of a disabled SMS inbox (S1), not guest threads held over the plan's limit (P4). */
export const shownToStaff = and(isNull(conversations.hiddenAt), isNull(conversations.heldAt))!;

/** The conversation if it is the actor's organization's (else 404) and they work at its clinic (else 403). */
export async function loadConversation(db: DbOrTx, actor: Actor, id: string, opts: { lock?: boolean } = {}): Promise<ConversationRow> {
  const query = db
    .select()
    .from(conversations)
    .where(and(eq(conversations.id, id), eq(conversations.orgId, actor.orgId), shownToStaff));
  const [row] = opts.lock ? await query.for('update') : await query;
  return assertConversationAccess(actor, row);
}

/** loadConversation's checks on a conversation already read (shown to staff, of the actor's organization). */
export function assertConversationAccess<R extends Pick<ConversationRow, 'clinicId' | 'channel'>>(actor: Actor, row: R | undefined): R {
  if (!row) throw notFound('conversation');
  assertClinicAccess(actor, row.clinicId);
  if (row.channel === 'sms') assertSmsAccess(actor);
  return row;
}

/** S1/T3: the two-way SMS inbox is for users with the `inbox` privilege. */
export function assertSmsAccess(actor: Actor): void {
  if (!actor.privileges.includes('inbox')) {
    throw new AppError('missing_privilege', 'SMS conversations need the "inbox" privilege; an admin can grant it', { privilege: 'inbox' });
  }
}

/** What of a thread a user may see: no SMS without the `inbox` privilege, nothing of a disabled SMS inbox. */
export function visibleMessages(actor: Actor): SQL {
  return and(eq(messages.hidden, false), actor.privileges.includes('inbox') ? undefined : ne(messages.channel, 'sms'))!;
}

export const poster = (actor: Actor) => ({ kind: 'staff' as const, userId: actor.userId, role: actor.role as Role });

export function refuse(verdict: ReturnType<typeof mayPost>, extra: Record<string, unknown> = {}): void {
  if (!verdict.allowed) throw new AppError(verdict.code, verdict.detail, extra);
}

/**
 * The conversations a user may see at all: their organization's, in clinics they work at, not
 * hidden with a disabled SMS inbox, and no SMS threads without the `inbox` privilege.
 */
export function visibleConversations(actor: Actor): SQL {
  const clinics = isAdmin(actor.role) ? undefined : actor.clinicIds.length ? inArray(conversations.clinicId, actor.clinicIds) : sql`false`;
  const sms = actor.privileges.includes('inbox') ? undefined : ne(conversations.channel, 'sms');
  return and(eq(conversations.orgId, actor.orgId), shownToStaff, clinics, sms)!;
}
