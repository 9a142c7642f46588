import { Type } from 'typebox';
import { ConversationItem, Message } from '../conversations/routes.js';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, Ok, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { listEmergencyAccess, openInEmergency, reviewEmergencyAccess } from './service.js';

const Opening = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  openedBy: Type.Object({ id: Type.String(), name: Type.String() }),
  reason: Type.String(),
  openedAt: Timestamp,
  reviewedAt: Nullable(Timestamp),
  reviewedBy: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  reviewNote: Nullable(Type.String()),
});

export function emergencyRoutes(app: App, deps: Deps): void {
  app.post(
    '/api/v1/conversations/:id/emergency-access',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['emergency access'],
        summary: 'Open a thread outside your normal access (an SMS thread without the inbox privilege, a disabled inbox\'s hidden thread) by giving a reason; audited and flagged for another admin\'s review',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 10, maxLength: 1000, description: 'why, in words another admin will review' }) }),
        response: responses({ 200: Type.Object({ emergencyAccessId: Type.String(), conversation: ConversationItem, messages: Type.Array(Message) }) }, 404),
      },
    },
    async (request) => openInEmergency(deps, actorOf(request), request.params.id, request.body.reason),
  );

  app.get(
    '/api/v1/emergency-access',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['emergency access'],
        summary: 'Emergency openings, newest first, with their reasons and reviews (admins)',
        querystring: Type.Object({ unreviewed: Type.Optional(Type.Boolean()) }),
        response: responses({ 200: Type.Object({ items: Type.Array(Opening) }) }),
      },
    },
    async (request) => ({ items: await listEmergencyAccess(deps, actorOf(request), request.query) }),
  );

  app.post(
    '/api/v1/emergency-access/:id/review',
    {
      config: { access: { role: 'admin' } },
      schema: {
        tags: ['emergency access'],
        summary: 'Sign off an emergency opening (another admin than the one who opened it)',
        params: IdParams,
        body: Type.Object({ note: Type.Optional(Type.String({ maxLength: 1000 })) }),
        response: responses({ 200: Ok }, 404, 409),
      },
    },
    async (request) => {
      await reviewEmergencyAccess(deps, actorOf(request), request.params.id, request.body.note);
      return { ok: true };
    },
  );
}
