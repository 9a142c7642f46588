/**
 * S3: handing queued messages to their providers, and following the providers' status reports.
 * Status changes go through the conversations domain's applyStatus, so they only move forward.
 */
import { openFor, openOptional } from '../encryption/columns.js';
import { attachmentFilename, readVerified } from '../attachments/service.js';
import { and, asc, desc, eq, isNull, max, sql } from 'drizzle-orm';
import { attachments } from '../attachments/schema.js';
import { campaigns } from '../campaigns/schema.js';
import { replySubject } from '../channels/email/subject.js';
import { channelAccounts } from '../channels/schema.js';
import { isProviderChannel, type SendChannel } from '../channels/registry.js';
import type { Addressing, ChannelAdapter, OutboundEnvelope, SendOutcome } from '../channels/types.js';
import { withOptOut } from '../contacts/opt-outs.js';
import { contacts } from '../contacts/schema.js';
import { outboundRefusal } from '../conversations/rules.js';
import { conversations, messages } from '../conversations/schema.js';
import type { Db, DbOrTx } from '../db/client.js';
import type { DeliveryDeps } from '../deps.js';
import { clinics } from '../orgs/schema.js';
import { applyStatus } from '../conversations/status.js';
import { hideRefusedKeywordReply } from '../conversations/messages.js';
import { deliveryAttempts } from './schema.js';


type Loaded = NonNullable<Awaited<ReturnType<typeof loadMessage>>>;

async function loadMessage(db: DbOrTx, messageId: string) {
  const [row] = await db
    .select({ message: messages, conversation: conversations, contact: contacts, clinic: clinics })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .innerJoin(clinics, eq(clinics.id, conversations.clinicId))
    .where(eq(messages.id, messageId));
  return row;
}

/** The organization's number or address on the channel; none on a channel no provider carries. */
async function activeAccount(db: DbOrTx, orgId: string, channel: string) {
  if (!isProviderChannel(channel)) return undefined;
  const [row] = await db
    .select()
    .from(channelAccounts)
    .where(and(eq(channelAccounts.orgId, orgId), eq(channelAccounts.channel, channel), isNull(channelAccounts.releasedAt)));
  return row;
}

/** Email threading: our Message-ID, the patient's message we answer, and the thread's earlier ids. */
async function emailHeaders(db: DbOrTx, deps: DeliveryDeps, row: Loaded) {
  const earlier = await db
    .select({ id: messages.providerMessageId, direction: messages.direction })
    .from(messages)
    .where(and(eq(messages.conversationId, row.conversation.id), eq(messages.channel, 'email'), sql`${messages.providerMessageId} is not null`))
    .orderBy(desc(messages.createdAt))
    .limit(20);
  const domain = deps.config.email.domain;
  return {
    messageIdHeader: `<${row.message.id}@${domain}>`,
    inReplyTo: earlier.find((m) => m.direction === 'inbound')?.id ?? null,
    references: earlier.map((m) => m.id!).reverse(),
    replyTo: `reply+${row.conversation.id}@${domain}`,
    subject: emailSubject(row, earlier.length > 0),
    html: openOptional(row.message, row.message.html),
    autoSubmitted: await autoSubmitted(db, row.message.campaignId),
  };
}

/** S4: the subject staff gave, or the thread's ("Re: …" once the thread has mail), or the clinic's default. */
function emailSubject(row: Loaded, reply: boolean): string {
  const subject = openOptional(row.message, row.message.subject);
  if (subject) return subject;
  const thread = openOptional(row.conversation, row.conversation.subject) ?? `Your conversation with ${row.clinic.name}`;
  return reply ? replySubject(thread) : thread;
}

/**
 * RFC 3834 for mail no person wrote: a campaign without a trigger answers the patient (after-hours
 * and keyword replies: auto-replied); one with a trigger sends on its own (reminders: auto-generated).
 */
async function autoSubmitted(db: DbOrTx, campaignId: string | null) {
  if (!campaignId) return undefined;
  const [campaign] = await db.select({ trigger: campaigns.trigger }).from(campaigns).where(eq(campaigns.id, campaignId));
  return campaign?.trigger ? ('auto-generated' as const) : ('auto-replied' as const);
}

/** Where the message goes, as the adapter addresses it. */
function recipient(addressing: Addressing, row: Loaded): string {
  switch (addressing.to) {
    case 'phone':
      return row.contact.phone!;
    case 'email':
      return row.contact.email!;
    case 'contact':
      return row.contact.id;
    case 'guestLink':
      return row.message.guestLinkId ?? '';
  }
}

/** The organization's sending address on the channel, as the adapter addresses it. */
async function sender(deps: DeliveryDeps, adapter: ChannelAdapter, orgId: string): Promise<string | null> {
  switch (adapter.addressing.from) {
    case 'emailFrom':
      return deps.config.email.from;
    case 'accountAddress':
      return (await activeAccount(deps.db, orgId, adapter.channel))?.address ?? null;
    case 'accountExternalId':
      return (await activeAccount(deps.db, orgId, adapter.channel))?.externalId ?? null;
    case 'none':
      return null;
  }
}

async function envelopeFor(deps: DeliveryDeps, adapter: ChannelAdapter, row: Loaded): Promise<OutboundEnvelope> {
  const channel = adapter.channel;
  const files = await deps.db.select().from(attachments).where(eq(attachments.messageId, row.message.id)).orderBy(asc(attachments.createdAt));
  return {
    messageId: row.message.id,
    orgId: row.message.orgId,
    to: recipient(adapter.addressing, row),
    from: await sender(deps, adapter, row.message.orgId),
    fromName: row.clinic.name,
    body: openFor(row.message, row.message.body),
    attachments: files.map((f) => ({ filename: attachmentFilename(f), contentType: f.contentType, read: () => readVerified(deps, f) })),
    email: channel === 'email' ? await emailHeaders(deps.db, deps, row) : undefined,
    template: row.message.meta?.whatsappTemplate,
  };
}

/** Writes the try's row and commits it before the provider is called: a crash leaves a visible, unfinished try. */
async function startAttempt(db: Db, messageId: string, provider: string, now: Date): Promise<string> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`attempt:${messageId}`}, 0))`);
    const [{ last }] = await tx.select({ last: max(deliveryAttempts.attempt) }).from(deliveryAttempts).where(eq(deliveryAttempts.messageId, messageId));
    const [row] = await tx
      .insert(deliveryAttempts)
      .values({ messageId, attempt: (last ?? 0) + 1, provider, startedAt: now })
      .returning({ id: deliveryAttempts.id });
    return row.id;
  });
}

/** A provider's refusal as the logs may name it: its code and reason, never the message. */
export type DeliveryFailure = { code: string; reason: string };
export type DeliveryResult = 'done' | { retry: DeliveryFailure } | { failed: DeliveryFailure };

/**
 * The deliver_message task: one try at handing a queued message to its provider. Returns `retry`
 * for a transient failure (the queue tries again later) unless this was the last try, `failed`
 * when the message was given up on, with the provider's code and reason for the logs.
 */
export async function deliverMessage(deps: DeliveryDeps, messageId: string, opts: { lastTry: boolean }): Promise<DeliveryResult> {
  const row = await loadMessage(deps.db, messageId);
  if (!row || row.message.direction !== 'outbound' || row.message.status !== 'queued') return 'done';
  if (row.message.retractedAt) {
    await applyStatus(deps.db, deps.clock, messageId, 'failed', 'retracted by the clinic before it was sent');
    return 'done';
  }
  const channel = row.message.channel as SendChannel;
  const adapter = deps.channels.adapter(channel);
  if (adapter.inApp) return deliverInApp(deps, row, adapter);
  // The contact may have opted out or been blocked since the message was queued.
  const refusal = outboundRefusal(row.contact, channel, { ignoreOptOut: row.message.meta?.optOutConfirmation });
  if (refusal) {
    await applyStatus(deps.db, deps.clock, messageId, 'failed', refusal.detail);
    return 'done';
  }
  const attemptId = await startAttempt(deps.db, messageId, adapter.provider, deps.clock.now());
  let outcome: SendOutcome;
  try {
    outcome = await adapter.send(await envelopeFor(deps, adapter, row));
  } catch (e) {
    outcome = { kind: 'failed', permanent: false, code: 'adapter_error', reason: (e as Error).message };
  }
  return recordOutcome(deps, row, attemptId, outcome, opts.lastTry, adapter.deliversInstantly === true);
}

/** Portal chat and web replies are delivered by being stored; the adapter tells the patient (web: the guest email). */
async function deliverInApp(deps: DeliveryDeps, row: Loaded, adapter: ChannelAdapter): Promise<DeliveryResult> {
  await adapter.send(await envelopeFor(deps, adapter, row));
  await applyStatus(deps.db, deps.clock, row.message.id, 'sent');
  return 'done';
}

async function recordOutcome(deps: DeliveryDeps, row: Loaded, attemptId: string, outcome: SendOutcome, lastTry: boolean, deliversInstantly: boolean): Promise<DeliveryResult> {
  const now = deps.clock.now();
  const messageId = row.message.id;
  const retry = outcome.kind === 'failed' && !outcome.permanent && !lastTry;
  await deps.db.transaction(async (tx) => {
    await tx
      .update(deliveryAttempts)
      .set({
        finishedAt: now,
        outcome: outcome.kind === 'sent' ? 'sent' : retry ? 'retry' : 'failed',
        providerMessageId: outcome.kind === 'sent' ? outcome.providerMessageId : null,
        errorCode: outcome.kind === 'failed' ? outcome.code : null,
        errorMessage: outcome.kind === 'failed' ? outcome.reason : null,
      })
      .where(eq(deliveryAttempts.id, attemptId));
    if (outcome.kind === 'sent') {
      await tx.update(messages).set({ providerMessageId: outcome.providerMessageId }).where(eq(messages.id, messageId));
      await applyStatus(tx, deps.clock, messageId, deliversInstantly ? 'delivered' : 'sent');
      return;
    }
    const channel = row.message.channel;
    if (outcome.optedOut && isProviderChannel(channel)) {
      await tx.update(contacts).set({ optedOut: withOptOut(channel), updatedAt: now }).where(eq(contacts.id, row.contact.id));
    }
    if (!retry) {
      const reason = outcome.permanent ? outcome.reason : `gave up after repeated failures: ${outcome.reason}`;
      await applyStatus(tx, deps.clock, messageId, 'failed', `${reason} (${outcome.code})`);
    }
    if (outcome.optedOut && row.message.meta?.keywordReply) await hideRefusedKeywordReply(tx, messageId, row.conversation.id);
  });
  if (outcome.kind === 'sent') return 'done';
  const failure = { code: outcome.code, reason: outcome.reason };
  return retry ? { retry: failure } : { failed: failure };
}
