/**
 * S5's simulator, inbound half: a developer or a demo plays the patient and "texts" the clinic, and
 * the message takes the same way in as a provider's webhook would.
 */
import { Type } from 'typebox';
import { auditActor } from '../../auth/service.js';
import { recordAudit } from '../../audit/service.js';
import { findOrCreateContact, parseEmail, parsePhone } from '../../contacts/service.js';
import { recordInbound } from '../../conversations/service.js';
import type { Deps } from '../../deps.js';
import { Id, responses } from '../../http/schemas.js';
import { actorOf, type App } from '../../http/types.js';
import { accessibleClinic } from '../../orgs/service.js';

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
          channel: Type.Union([Type.Literal('sms'), Type.Literal('whatsapp'), Type.Literal('email')]),
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
      const result = await deps.db.transaction(async (tx) => {
        await accessibleClinic(tx, actor, clinicId);
        const key = channel === 'email' ? { email: parseEmail(from, 'from') } : { phone: parsePhone(from, deps.config.defaultCountry, 'from') };
        const contact = await findOrCreateContact(tx, actor.orgId, key, name);
        const inbound = await recordInbound(tx, { orgId: actor.orgId, clinicId, contactId: contact.id, channel, body, at: deps.clock.now() });
        await recordAudit(tx, {
          ...auditActor(actor),
          action: 'simulator.inbound',
          subject: { type: 'message', id: inbound.messageId },
          details: { conversationId: inbound.conversationId },
        });
        return { ...inbound, contactId: contact.id };
      });
      return reply.code(201).send(result);
    },
  );
}
