/**
 * S4: a mail system's report on mail the clinic sent. A failure marks our message `failed` with the
 * mail system's reason and flags the patient's address as bouncing; a delay changes nothing. A
 * report is never filed as a message: it creates no contact and no conversation.
 */
import { and, eq, inArray } from 'drizzle-orm';
import { contacts } from '../../contacts/schema.js';
import { conversations, messages } from '../../conversations/schema.js';
import { applyProviderStatus } from '../../conversations/status.js';
import type { Deps } from '../../deps.js';
import type { DeliveryReport } from './report.js';

export interface ReportResult {
  kind: 'report';
  /** How many of our messages it marked failed. */
  failed: number;
}

/** Our sent emails among the Message-IDs a report names, with the address each went to. */
async function reportedMessages(deps: Deps, ids: string[]) {
  if (!ids.length) return [];
  return deps.db
    .select({ providerMessageId: messages.providerMessageId, email: contacts.email })
    .from(messages)
    .innerJoin(conversations, eq(conversations.id, messages.conversationId))
    .innerJoin(contacts, eq(contacts.id, conversations.contactId))
    .where(and(eq(messages.channel, 'email'), eq(messages.direction, 'outbound'), inArray(messages.providerMessageId, ids.slice(0, 50))));
}

export async function receiveDeliveryReport(deps: Deps, report: DeliveryReport | null): Promise<ReportResult> {
  if (!report?.failed.length) return { kind: 'report', failed: 0 };
  let failed = 0;
  for (const message of await reportedMessages(deps, report.originalMessageIds)) {
    // The address we sent to; a forwarding address may report under another name (Postfix's "expanded from").
    const recipient = report.failed.find((f) => f.recipient === message.email) ?? report.failed[0];
    await applyProviderStatus(deps.db, deps.clock, 'email', { providerMessageId: message.providerMessageId!, status: 'failed', reason: recipient.reason, bounced: true });
    failed += 1;
  }
  return { kind: 'report', failed };
}
