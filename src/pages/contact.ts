import { Type } from 'typebox';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit } from '../audit/service.js';
import { Booking } from '../bookings/routes.js';
import { bookingsOf } from '../bookings/service.js';
import { Contact, contactAccess, Note } from '../contacts/routes.js';
import { contactInOrg, contactJson, listNotes } from '../contacts/service.js';
import { ConversationItem, Message } from '../conversations/routes.js';
import { contactHistory } from '../conversations/service.js';
import type { Deps } from '../deps.js';
import { IdParams, responses } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';

/**
 * The contact page: a contact with their notes, conversations, messages and bookings. Composed in
 * pages/, above the three modules it joins: contacts stays below conversations and bookings (which
 * both hold contacts).
 */
async function contactPage(deps: Deps, actor: Actor, id: string) {
  const contact = await contactInOrg(deps.db, actor.orgId, id);
  const history = await contactHistory(deps, actor, id);
  const notes = actor.privileges.includes('contacts') ? await listNotes(deps.db, actor.orgId, id) : [];
  await recordAudit(deps.db, { ...auditActor(actor), action: 'contact.view', subject: { type: 'contact', id } });
  return { ...contactJson(contact), notes, ...history, bookings: await bookingsOf(deps.db, actor.orgId, { contactId: id }) };
}

export function contactPageRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/contacts/:id',
    {
      config: { access: contactAccess.crmOrHubWithFeature },
      schema: {
        tags: ['contacts'],
        summary: "A contact with private notes and the history of their conversations, messages and calls",
        params: IdParams,
        response: responses(
          {
            200: Type.Intersect([
              Contact,
              Type.Object({ notes: Type.Array(Note), conversations: Type.Array(ConversationItem), messages: Type.Array(Message), bookings: Type.Array(Booking) }),
            ]),
          },
          404,
        ),
      },
    },
    async (request) => contactPage(deps, actorOf(request), request.params.id),
  );
}
