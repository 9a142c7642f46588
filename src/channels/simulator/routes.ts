/**
 * S5's simulator, for developers and demos: play the patient writing in (through the same way in as
 * a provider's webhook), and see what would have gone out.
 */
import { openFor } from '../../encryption/columns.js';
import { and, desc, eq } from 'drizzle-orm';
import { Type } from 'typebox';
import { recordAudit, auditActor } from '../../audit/service.js';
import { contacts } from '../../contacts/schema.js';
import { conversations, messages } from '../../conversations/schema.js';
import { deliveryAttempts } from '../../delivery/schema.js';
import type { Deps } from '../../deps.js';
import { AppError } from '../../errors.js';
import { Id, literals, responses, Timestamp } from '../../http/schemas.js';
import { providerChannels } from '../registry.js';
import { actorOf, type App } from '../../http/types.js';
import { accessibleClinic } from '../../orgs/service.js';
import { receiveInbound, simulatedMessageId } from '../inbound.js';

export function simulatorRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/simulator/inbound',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['simulator'],
        summary: 'Simulate a patient writing to a clinic (phone for sms/whatsapp, email for email)',
        body: Type.Object({
          clinicId: Id,
          channel: literals(providerChannels),
          from: Type.String({ minLength: 1, maxLength: 254 }),
          name: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
          body: Type.String({ minLength: 1, maxLength: 20_000 }),
        }),
        response: responses({ 201: Type.Object({ conversationId: Type.String(), messageId: Type.String(), contactId: Type.String() }) }, 404),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const { clinicId, channel, from, name, body } = request.body;
      await accessibleClinic(deps.db, actor, clinicId);
      const result = await receiveInbound(deps, channel, { providerMessageId: simulatedMessageId(), from, to: 'simulator', body, name }, { orgId: actor.orgId, clinicId });
      if (result.kind !== 'stored') {
        throw new AppError(channel === 'email' ? 'invalid_input' : 'invalid_phone', `from: "${from}" is not a valid ${channel === 'email' ? 'email address' : 'phone number'}`);
      }
      await recordAudit(deps.db, { ...auditActor(actor), action: 'simulator.inbound', subject: { type: 'message', id: result.messageId }, details: { conversationId: result.conversationId } });
      return reply.code(201).send({ conversationId: result.conversationId, messageId: result.messageId, contactId: result.contactId });
    },
  );

  app.get(
    '/api/v1/simulator/outbox',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['simulator'],
        summary: 'What the simulator "sent": the latest outbound messages handed to it',
        response: responses({
          200: Type.Object({
            items: Type.Array(
              Type.Object({ messageId: Type.String(), channel: Type.String(), to: Type.String(), body: Type.String(), sentAt: Timestamp, providerMessageId: Type.String() }),
            ),
          }),
        }),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const rows = await deps.db
        .select({ attempt: deliveryAttempts, message: messages, phone: contacts.phone, email: contacts.email })
        .from(deliveryAttempts)
        .innerJoin(messages, eq(messages.id, deliveryAttempts.messageId))
        .innerJoin(conversations, eq(conversations.id, messages.conversationId))
        .innerJoin(contacts, eq(contacts.id, conversations.contactId))
        .where(and(eq(messages.orgId, actor.orgId), eq(deliveryAttempts.provider, 'simulator'), eq(deliveryAttempts.outcome, 'sent')))
        .orderBy(desc(deliveryAttempts.startedAt))
        .limit(100);
      return {
        items: rows.map((r) => ({
          messageId: r.message.id,
          channel: r.message.channel,
          to: (r.message.channel === 'email' ? r.email : r.phone) ?? '',
          body: openFor(r.message, r.message.body),
          sentAt: r.attempt.startedAt.toISOString(),
          providerMessageId: r.attempt.providerMessageId ?? '',
        })),
      };
    },
  );
}
