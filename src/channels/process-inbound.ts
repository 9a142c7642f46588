import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { receiveInbound, receiveReaction } from './inbound.js';
import { collectMedia } from './media.js';
import { inboundEvents, type InboundPayload } from './schema.js';

/**
 * The process_inbound task: fetches the event's files from the provider, turns it into the
 * conversation's message, once, then drops its text. A provider that cannot hand a file over yet
 * makes the job throw before anything is filed, so graphile-worker tries again with backoff; the
 * last try files the message with a note in the file's place.
 */
export async function processInboundEvent(deps: Deps, eventId: string, opts: { lastTry?: boolean } = {}): Promise<void> {
  const [event] = await deps.db.select().from(inboundEvents).where(and(eq(inboundEvents.id, eventId), isNull(inboundEvents.processedAt)));
  if (!event?.payload) return;
  const payload = JSON.parse(event.payload) as InboundPayload;
  if (payload.reaction) await receiveReaction(deps, event.channel, event.orgId, payload.from, payload.reaction);
  else await fileMessage(deps, event, payload, opts.lastTry ?? false);
  // Filed: the message holds the text now. The row stays, with the provider's id, so a retried webhook is still a no-op.
  await deps.db.update(inboundEvents).set({ processedAt: deps.clock.now(), payload: null }).where(eq(inboundEvents.id, eventId));
}

async function fileMessage(deps: Deps, event: typeof inboundEvents.$inferSelect, payload: InboundPayload, lastTry: boolean): Promise<void> {
  const { files, notes } = await collectMedia(deps.channels.adapter(event.channel), payload.media ?? [], lastTry);
  await receiveInbound(
    deps,
    event.channel,
    {
      providerMessageId: event.providerMessageId,
      from: payload.from,
      to: payload.to,
      body: payload.body,
      name: payload.name,
      at: payload.at ? new Date(payload.at) : undefined,
      attachments: files,
      notes,
      keyword: payload.keyword,
    },
    { orgId: event.orgId },
  );
}
