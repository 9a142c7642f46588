import { OptOutsSchema } from '../contacts/opt-outs.js';
import { Type } from 'typebox';
import { Booking } from '../bookings/routes.js';
import { bookingsOf } from '../bookings/service.js';
import { ConversationItem, hub, Message } from '../conversations/routes.js';
import { SendChannel } from '../conversations/inputs.js';
import { getConversation } from '../conversations/service.js';
import type { Deps } from '../deps.js';
import { IdParams, Nullable, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';

/**
 * The thread as the staff app opens it: the conversation, its messages and the bookings it led to.
 * Composed here, above conversations and bookings, because bookings holds conversations (a booking
 * names the thread it came from) and so conversations may not import bookings.
 */
const Thread = Type.Intersect([
  ConversationItem,
  Type.Object({
    availableChannels: Type.Array(SendChannel),
    optedOut: OptOutsSchema({ description: 'channels the contact opted out of (STOP): the composer says so before anyone types' }),
    messages: Type.Array(Message),
    nextCursor: Nullable(Type.String()),
    bookings: Type.Array(Booking, { description: 'bookings this conversation led to (P3)' }),
  }),
]);

export function threadPageRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/conversations/:id',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'A conversation with its messages, oldest first (paginated forwards)',
        params: IdParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500, default: 200 })),
          cursor: Type.Optional(Type.String({ maxLength: 200 })),
        }),
        response: responses({ 200: Thread }, 404),
      },
    },
    async (request) => {
      const actor = actorOf(request);
      const thread = await getConversation(deps, actor, request.params.id, { limit: request.query.limit ?? 200, cursor: request.query.cursor });
      return { ...thread, bookings: await bookingsOf(deps.db, actor.orgId, { conversationId: thread.id }) };
    },
  );}
