import { sealFor, sealOptional } from '../encryption/columns.js';
import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { publish } from '../realtime/events.js';
import { newestFirst, type Tx } from '../db/client.js';
import { clinics } from '../orgs/schema.js';
import { conversationHooks } from './hooks.js';
import { type Channel } from './rules.js';
import { conversations, messages, type ConversationRow } from './schema.js';
import { defaultOpeningHours, replyDueAt, type OpeningHours } from '../orgs/hours.js';
import { defaultInbox } from '../orgs/service.js';
import { messageText } from './message-text.js';
import { activeConversation, createConversation, lockThreadSlot, reopenOrRefuse } from './thread-slot.js';
import { eventScope } from './views.js';

export interface InboundInput {
  orgId: string;
  clinicId: string;
  contactId: string;
  channel: Exclude<Channel, 'call'>;
  body: string;
  /** S4: the email's subject as it came, and the thread's (without "Re:"), which a thread without one takes. */
  subject?: { message: string; thread: string | null };
  /** S4: the email's HTML, sanitised. */
  html?: string | null;
  /** S4: the email's whole text when body is its reply without the quoted history. */
  fullText?: string | null;
  providerMessageId?: string;
  /** P1: the guest link a web message came through. */
  guestLinkId?: string;
  /** S4: written by a machine (an out-of-office): stored and shown as automatic; the patient is not waiting for an answer to it. */
  automatic?: boolean;
  /** P4: asked only when a new conversation is about to be made: whether it starts held (over the plan's limit). */
  holdNew?: () => Promise<boolean>;
  at: Date;
}

/** B2: the wait starts with the first message the team has not answered (an automatic one starts none). */
async function waitStarts(tx: Tx, conversation: ConversationRow, at: Date) {
  const [clinic] = await tx.select({ timezone: clinics.timezone, openingHours: clinics.openingHours }).from(clinics).where(eq(clinics.id, conversation.clinicId));
  return {
    awaitingSince: conversation.awaitingSince ?? at,
    replyDueAt: conversation.awaitingSince ? conversation.replyDueAt : replyDueAt(at, clinic.openingHours ?? defaultOpeningHours, clinic.timezone),
    firstInboundAt: conversation.firstInboundAt ?? at,
  };
}

/**
 * M2: an inbound message joins the contact's open conversation in the clinic, or reopens the latest
 * closed one, or starts a new one in the default inbox. Concurrent deliveries serialise on the
 * thread slot's lock, so they never fork the thread.
 */
export async function recordInbound(tx: Tx, input: InboundInput): Promise<{ conversationId: string; messageId: string; created: boolean; held: boolean }> {
  await lockThreadSlot(tx, input.clinicId, input.contactId);
  let conversation = await activeConversation(tx, input.clinicId, input.contactId);
  let created = false;
  if (!conversation) {
    const [latestClosed] = await tx
      .select()
      .from(conversations)
      .where(
        and(
          eq(conversations.clinicId, input.clinicId),
          eq(conversations.contactId, input.contactId),
          eq(conversations.status, 'closed'),
          isNull(conversations.archivedAt),
          isNull(conversations.hiddenAt),
        ),
      )
      .orderBy(newestFirst(conversations.lastActivityAt))
      .limit(1);
    if (latestClosed) {
      conversation = await reopenOrRefuse(tx, latestClosed, { status: 'open' });
    } else {
      created = true;
      const { orgId, clinicId, contactId, channel, at } = input;
      conversation = await createConversation(tx, { orgId, clinicId, contactId, channel, at, held: await input.holdNew?.() });
    }
  }
  if (conversation.heldAt && input.channel !== 'web') {
    // A patient writing by another channel is not a new guest conversation: the plan's limit does not hold it.
    [conversation] = await tx.update(conversations).set({ heldAt: null }).where(eq(conversations.id, conversation.id)).returning();
  }
  const text = messageText(input.orgId, input.body);
  const row = { id: text.id, orgId: input.orgId };
  const [message] = await tx
    .insert(messages)
    .values({
      orgId: input.orgId,
      conversationId: conversation.id,
      guestLinkId: input.guestLinkId,
      direction: 'inbound',
      channel: input.channel,
      ...text,
      fullText: sealOptional(messages.fullText, row, input.fullText),
      html: sealOptional(messages.html, row, input.html),
      subject: sealOptional(messages.subject, row, input.subject?.message || null),
      status: 'unread',
      providerMessageId: input.providerMessageId,
      meta: input.automatic ? { automatic: true } : undefined,
      createdAt: input.at,
      statusAt: input.at,
    })
    .returning({ id: messages.id });
  await tx
    .update(conversations)
    .set({
      lastMessageId: message.id,
      lastActivityAt: input.at,
      channel: input.channel,
      unread: true,
      ...(!conversation.subject && input.subject?.thread && { subject: sealFor(conversations.subject, conversation, input.subject.thread) }),
      ...(!input.automatic && (await waitStarts(tx, conversation, input.at))),
    })
    .where(eq(conversations.id, conversation.id));
  await publish(tx, { type: 'message.created', ...eventScope(conversation), messageId: message.id }, input.at);
  await conversationHooks().queuePush(tx, input.orgId, [message.id]);
  return { conversationId: conversation.id, messageId: message.id, created, held: conversation.heldAt !== null };
}

/** What a new message's reply-by time is reckoned from. */
export interface InboundClinic {
  id: string;
  openingHours: OpeningHours | null;
  timezone: string;
}

/** A patient's plain text for recordInboundMany: no subject, HTML, files or guest link, never automatic. */
export interface PlainInbound<C extends InboundClinic = InboundClinic> {
  orgId: string;
  clinic: C;
  contactId: string;
  channel: 'sms' | 'whatsapp';
  body: string;
  providerMessageId: string;
}

const slotKey = (clinicId: string, contactId: string) => `${clinicId}:${contactId}`;

/**
 * recordInbound for many plain texts at once, each to a different patient's thread (a campaign's
 * replies filed together): the same rows, a handful of statements however many texts. Each joins
 * its patient's open conversation in the clinic, or reopens the latest closed one, or starts one in
 * the default inbox, under the thread slots' locks (taken in one order, so two writers never wait on each other in a circle).
 */
export async function recordInboundMany(tx: Tx, texts: PlainInbound[], at: Date): Promise<{ conversationId: string; messageId: string }[]> {
  if (!texts.length) return [];
  const keys = texts.map((t) => slotKey(t.clinic.id, t.contactId));
  if (new Set(keys).size !== keys.length) throw new Error('recordInboundMany: two texts for one thread (file them one after the other)');
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(k, 0)) from unnest(${sql.param([...keys].sort())}::text[]) with ordinality as u(k, n) order by n`);
  const threads = await threadsFor(tx, texts, keys, at);
  const rows = texts.map((t, i) => ({ text: t, conversation: threads.get(keys[i])!, ...messageText(t.orgId, t.body) }));
  await tx.insert(messages).values(
    rows.map((r) => ({
      id: r.id,
      orgId: r.text.orgId,
      conversationId: r.conversation.id,
      direction: 'inbound' as const,
      channel: r.text.channel,
      body: r.body,
      search: r.search,
      status: 'unread' as const,
      providerMessageId: r.text.providerMessageId,
      createdAt: at,
      statusAt: at,
    })),
  );
  const waits = rows.map((r) => {
    const c = r.conversation;
    const due = c.awaitingSince ? c.replyDueAt : replyDueAt(at, r.text.clinic.openingHours ?? defaultOpeningHours, r.text.clinic.timezone);
    return { id: c.id, messageId: r.id, channel: r.text.channel, awaitingSince: (c.awaitingSince ?? at).toISOString(), replyDueAt: due?.toISOString() ?? null, firstInboundAt: (c.firstInboundAt ?? at).toISOString() };
  });
  const column = <K extends keyof (typeof waits)[number]>(k: K, type: string) => sql`${sql.param(waits.map((w) => w[k]))}::${sql.raw(type)}[]`;
  await tx.execute(sql`
    update ${conversations} c set last_message_id = v.message_id, last_activity_at = ${at.toISOString()}::timestamptz, channel = v.channel::channel, unread = true,
      held_at = null, awaiting_since = v.awaiting_since, reply_due_at = v.reply_due_at, first_inbound_at = v.first_inbound_at
    from unnest(${column('id', 'uuid')}, ${column('messageId', 'uuid')}, ${column('channel', 'text')}, ${column('awaitingSince', 'timestamptz')}, ${column('replyDueAt', 'timestamptz')}, ${column('firstInboundAt', 'timestamptz')})
      as v(id, message_id, channel, awaiting_since, reply_due_at, first_inbound_at)
    where c.id = v.id`);
  await publish(tx, rows.map((r) => ({ type: 'message.created' as const, ...eventScope(r.conversation), messageId: r.id })), at);
  for (const [orgId, ids] of groupBy(rows, (r) => r.text.orgId)) await conversationHooks().queuePush(tx, orgId, ids.map((r) => r.id));
  return rows.map((r) => ({ conversationId: r.conversation.id, messageId: r.id }));
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) out.set(key(item), [...(out.get(key(item)) ?? []), item]);
  return out;
}

/** Each text's thread by slot key: the open one, else the latest closed one reopened, else a new one (recordInbound's choice, for all at once). */
async function threadsFor(tx: Tx, texts: PlainInbound[], keys: string[], at: Date): Promise<Map<string, ConversationRow>> {
  const clinicIds = [...new Set(texts.map((t) => t.clinic.id))];
  const contactIds = [...new Set(texts.map((t) => t.contactId))];
  const wanted = new Set(keys);
  const threads = new Map<string, ConversationRow>();
  const candidates = await tx
    .select()
    .from(conversations)
    .where(and(inArray(conversations.clinicId, clinicIds), inArray(conversations.contactId, contactIds), isNull(conversations.archivedAt)));
  const latestClosed = new Map<string, ConversationRow>();
  for (const c of candidates) {
    const key = slotKey(c.clinicId, c.contactId);
    if (!wanted.has(key)) continue;
    if (c.status === 'open') threads.set(key, c);
    else if (c.status === 'closed' && !c.hiddenAt && (!latestClosed.get(key) || latestClosed.get(key)!.lastActivityAt < c.lastActivityAt)) latestClosed.set(key, c);
  }
  const reopen = [...latestClosed].filter(([key]) => !threads.has(key)).map(([, c]) => c.id);
  if (reopen.length) for (const c of await tx.update(conversations).set({ status: 'open' }).where(inArray(conversations.id, reopen)).returning()) threads.set(slotKey(c.clinicId, c.contactId), c);
  const fresh = texts.filter((t, i) => !threads.has(keys[i]));
  if (fresh.length) {
    const inboxes = new Map<string, string>();
    for (const orgId of new Set(fresh.map((t) => t.orgId))) inboxes.set(orgId, (await defaultInbox(tx, orgId)).id);
    const created = await tx
      .insert(conversations)
      .values(fresh.map((t) => ({ orgId: t.orgId, clinicId: t.clinic.id, inboxId: inboxes.get(t.orgId)!, contactId: t.contactId, channel: t.channel, originChannel: t.channel, lastActivityAt: at, createdAt: at })))
      .returning();
    for (const c of created) threads.set(slotKey(c.clinicId, c.contactId), c);
  }
  return threads;
}
