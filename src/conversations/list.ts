import type { ListFilters } from './inputs.js';
import { and, eq, exists, inArray, isNotNull, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Actor } from '../auth/actor.js';
import { phoneSearchTerms } from '../contacts/rules.js';
import { contactMatch } from '../contacts/service.js';
import { contacts } from '../contacts/schema.js';
import { customPlan, newestFirst, type DbOrTx } from '../db/client.js';
import { encodeCursor, readCursor } from '../db/keyset.js';
import type { Deps } from '../deps.js';
import { assertClinicAccess } from '../orgs/service.js';
import { openStatusCondition, unreadFor, type UnreadBuckets } from './rules.js';
import { conversations, conversationUserState, messages, unreadCounts } from './schema.js';
import { searchQuery } from '../encryption/search.js';
import { visibleConversations, visibleMessages } from './access.js';
import { conversationJson, conversationSelect, messageSelect, messagesJson } from './views.js';
import { orgCountry } from '../orgs/locale.js';


function overdueCondition(overdue: boolean, now: Date): SQL {
  const late = sql`${conversations.replyDueAt} < ${now.toISOString()}::timestamptz`;
  return overdue ? late : sql`(${conversations.replyDueAt} is null or not ${late})`;
}


/** Above this many matching contacts, the search hands PostgreSQL the subquery instead of the ids. */
const contactIdsInline = 1000;
/** Above this many matching messages, likewise for the words of a search. */
const textHitsInline = 2000;

async function searchCondition(deps: Deps, actor: Actor, q: string): Promise<SQL> {
  // A phone number, typed however, finds the patient; its digits are not searched as message words
  // (every time and date in every message would match them, over the whole archive).
  const country = await orgCountry(deps.db, actor.orgId, deps.config.defaultCountry);
  const tsquery = phoneSearchTerms(q, country).phoneOnly ? null : searchQuery(deps.keys, actor.orgId, q);
  const reads = await deps.reads.forUser(actor);
  const matching = reads
    .select({ id: contacts.id })
    .from(contacts)
    .where(and(eq(contacts.orgId, actor.orgId), contactMatch(country, q)));
  // The matching contacts first, as ids: with a handful of them PostgreSQL reads their threads by
  // contact; given the subquery it would walk the whole organization's activity index instead.
  const ids = (await matching.limit(contactIdsInline + 1)).map((r) => r.id);
  const byContact = ids.length > contactIdsInline ? inArray(conversations.contactId, matching) : ids.length ? inArray(conversations.contactId, ids) : sql`false`;
  if (!tsquery) return and(byContact, customPlan)!;
  const matchingMessages = reads
    .select({ id: messages.conversationId })
    .from(messages)
    .where(and(eq(messages.orgId, actor.orgId), sql`${messages.search} @@ ${tsquery}::tsquery`, customPlan));
  // Likewise the words: a rare word's few threads go in as ids, so PostgreSQL fetches them by key
  // instead of walking every thread of the organization to test each against the word (0.7 s at
  // 60,000 threads when nothing matches). A common word keeps the subquery: the newest threads
  // match it soon enough.
  const hits = await matchingMessages.limit(textHitsInline);
  const threads = [...new Set(hits.map((h) => h.id))];
  const byText = hits.length >= textHitsInline ? inArray(conversations.id, matchingMessages) : threads.length ? inArray(conversations.id, threads) : sql`false`;
  return and(or(byContact, byText), customPlan)!;
}

export async function listConversations(deps: Deps, actor: Actor, f: ListFilters) {
  const cursor = readCursor(f.cursor);
  if (f.clinicId) assertClinicAccess(actor, f.clinicId);
  // M7: a search with no status chosen looks through open, closed and archived threads alike.
  const state = openStatusCondition(f.status ?? (f.q ? 'any' : 'open'));
  const search = f.q ? await searchCondition(deps, actor, f.q) : undefined;
  const messageConditions = [
    f.channel ? eq(messages.channel, f.channel) : undefined,
    f.direction ? eq(messages.direction, f.direction) : undefined,
    f.messageStatus ? eq(messages.status, f.messageStatus) : undefined,
    f.starred ? eq(messages.starred, true) : undefined,
  ].filter(Boolean);
  const assigneeCondition =
    f.assignee === undefined
      ? undefined
      : f.assignee === 'none'
        ? isNull(conversations.assigneeId)
        : eq(conversations.assigneeId, f.assignee === 'me' ? actor.userId : f.assignee);

  // Two steps: the page's ids straight off the activity index, then the joins for those rows only.
  // One query joining first would join every conversation of the organization before sorting.
  const reads = await deps.reads.forUser(actor);
  const page = await reads
    .select({ id: conversations.id })
    .from(conversations)
    .where(
      and(
        visibleConversations(actor),
        state.status ? eq(conversations.status, state.status) : undefined,
        state.archived === undefined ? undefined : state.archived ? isNotNull(conversations.archivedAt) : isNull(conversations.archivedAt),
        state.unread === undefined ? undefined : eq(conversations.unread, state.unread),
        f.contactType
          ? exists(deps.db.select({ one: sql`1` }).from(contacts).where(and(eq(contacts.id, conversations.contactId), eq(contacts.type, f.contactType))))
          : undefined,
        assigneeCondition,
        f.inboxId ? eq(conversations.inboxId, f.inboxId) : undefined,
        f.clinicId ? eq(conversations.clinicId, f.clinicId) : undefined,
        f.contactId ? eq(conversations.contactId, f.contactId) : undefined,
        f.pinned === undefined ? undefined : pinnedCondition(deps, actor, f.pinned),
        f.overdue === undefined ? undefined : overdueCondition(f.overdue, deps.clock.now()),
        messageConditions.length
          ? exists(
              deps.db
                .select({ one: sql`1` })
                .from(messages)
                .where(and(eq(messages.conversationId, conversations.id), ...messageConditions)),
            )
          : undefined,
        search,
        cursor
          ? sql`(${conversations.lastActivityAt}, ${conversations.id}) < (${cursor.at}::timestamptz, ${cursor.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(newestFirst(conversations.lastActivityAt), newestFirst(conversations.id))
    .limit(f.limit + 1);
  const pageIds = page.slice(0, f.limit).map((r) => r.id);
  const rows = pageIds.length ? await conversationSelect(actor.userId, reads).where(inArray(conversations.id, pageIds)) : [];
  const now = deps.clock.now();
  const byId = new Map(rows.map((r) => [r.c.id, conversationJson(r, now)]));
  const items = pageIds.map((id) => byId.get(id)!);
  const last = items[items.length - 1];
  return {
    items,
    nextCursor: page.length > f.limit && last ? encodeCursor({ at: last.lastActivityAt, id: last.id }) : null,
  };
}

function pinnedCondition(deps: Deps, actor: Actor, pinned: boolean): SQL {
  const pinnedByMe = exists(
    deps.db
      .select({ one: sql`1` })
      .from(conversationUserState)
      .where(
        and(
          eq(conversationUserState.conversationId, conversations.id),
          eq(conversationUserState.userId, actor.userId),
          eq(conversationUserState.pinned, true),
        ),
      ),
  );
  return pinned ? pinnedByMe : sql`not ${pinnedByMe}`;
}

/** M8: unread open conversations the user can see, muted ones left out. */
export async function unreadCount(deps: Deps, actor: Actor, clinicId?: string): Promise<number> {
  if (clinicId) assertClinicAccess(actor, clinicId);
  const buckets = await unreadBuckets(await deps.reads.forUser(actor), actor.orgId, actor.userId);
  return unreadFor(actor, buckets, clinicId);
}

const counted = sql`${conversations.unread} and ${conversations.status} = 'open' and ${conversations.archivedAt} is null and ${conversations.hiddenAt} is null and ${conversations.heldAt} is null`;

/**
 * The organization's kept unread counts and its muted unread conversations (one user's, or
 * everyone's for the live streams), in one statement however many users will read them.
 */
export async function unreadBuckets(db: DbOrTx, orgId: string, userId?: string): Promise<UnreadBuckets> {
  const { rows } = await db.execute<{ user_id: string | null; clinic_id: string; sms: boolean; n: number }>(sql`
    select null::uuid as user_id, clinic_id, sms, sum(n)::int as n from ${unreadCounts} where org_id = ${orgId} group by clinic_id, sms
    union all
    select ${conversationUserState.userId}, ${conversations.clinicId}, ${conversations.channel} = 'sms', count(*)::int
    from ${conversationUserState} join ${conversations} on ${conversations.id} = ${conversationUserState.conversationId}
    where ${conversationUserState.muted} and ${conversations.orgId} = ${orgId} and ${userId ? sql`${conversationUserState.userId} = ${userId}` : sql`true`} and ${counted}
    group by 1, 2, 3`);
  const bucket = (r: (typeof rows)[number]) => ({ clinicId: r.clinic_id, sms: r.sms, n: r.n });
  return {
    counts: rows.filter((r) => r.user_id === null).map(bucket),
    muted: rows.filter((r) => r.user_id !== null).map((r) => ({ ...bucket(r), userId: r.user_id! })),
  };
}

/** C3: a contact's conversations and most recent messages and calls, in the clinics the actor sees. */
export async function contactHistory(deps: Deps, actor: Actor, contactId: string) {
  const threads = await conversationSelect(actor.userId, deps.db)
    .where(and(visibleConversations(actor), eq(conversations.contactId, contactId)))
    .orderBy(newestFirst(conversations.lastActivityAt))
    .limit(100);
  const recent = await messageSelect(deps.db)
    .where(and(visibleConversations(actor), visibleMessages(actor), eq(conversations.contactId, contactId)))
    .orderBy(newestFirst(messages.createdAt))
    .limit(100);
  const now = deps.clock.now();
  return { conversations: threads.map((t) => conversationJson(t, now)), messages: await messagesJson(deps.db, recent) };
}
