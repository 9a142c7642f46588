import { and, eq, isNull } from 'drizzle-orm';
import type { Deps } from '../deps.js';
import { receiveInbound } from './inbound.js';
import { inboundEvents, type InboundPayload } from './schema.js';

/** The process_inbound task: turns an accepted webhook event into the conversation's message, once, then drops its text. */
export async function processInboundEvent(deps: Deps, eventId: string): Promise<void> {
  const [event] = await deps.db.select().from(inboundEvents).where(and(eq(inboundEvents.id, eventId), isNull(inboundEvents.processedAt)));
  if (!event?.payload) return;
  const payload = JSON.parse(event.payload) as InboundPayload;
  await receiveInbound(
    deps,
    event.channel,
    { providerMessageId: event.providerMessageId, from: payload.from, to: payload.to, body: payload.body, name: payload.name, at: payload.at ? new Date(payload.at) : undefined },
    { orgId: event.orgId },
  );
  // Filed: the message holds the text now. The row stays, with the provider's id, so a retried webhook is still a no-op.
  await deps.db.update(inboundEvents).set({ processedAt: deps.clock.now(), payload: null }).where(eq(inboundEvents.id, eventId));
}
