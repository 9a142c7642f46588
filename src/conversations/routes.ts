import { Type } from 'typebox';
import { Channel, Direction, ListQuery, MessageStatus, SendBody, StartBody } from './inputs.js';
import type { Deps } from '../deps.js';
import { Id, IdParams, literals, Nullable, pageOf, responses, Timestamp } from '../http/schemas.js';
import { actorOf, type App } from '../http/types.js';
import { contactTypes } from '../contacts/rules.js';
import { Attachment } from '../attachments/routes.js';
import { conversationStatuses } from './rules.js';
import {
  announceTyping,
  assignConversation,
  bulkChangeState,
  changeState,
  markSpam,
  changeView,
  listConversations,
  logCall,
  moveConversation,
  sendMessage,
  starMessage,
  retractMessage,
  startConversation,
  stateActions,
  unreadCount,
  viewActions,
} from './service.js';


export const ConversationItem = Type.Object({
  id: Type.String(),
  contact: Type.Object({
    id: Type.String(),
    name: Type.String(),
    type: literals(contactTypes),
    phone: Nullable(Type.String()),
    email: Nullable(Type.String()),
    blocked: Type.Boolean(),
    emailBounce: Nullable(Type.String({ description: 'S4: why mail to the contact’s address came back (a bounce); sending to it again warns' })),
  }),
  subject: Nullable(Type.String({ description: 'S4: an email thread’s subject, without "Re:"' })),
  channel: Channel,
  status: literals(conversationStatuses),
  archived: Type.Boolean(),
  archivedAt: Nullable(Timestamp),
  awaitingSince: Nullable(Timestamp),
  replyDueAt: Nullable(Timestamp),
  overdue: Type.Boolean({ description: 'B2: the patient has waited past the clinic’s reply target' }),
  spam: Type.Boolean({ description: 'marked as spam by staff (P1)' }),
  unread: Type.Boolean(),
  assignee: Nullable(Type.Object({ id: Type.String(), name: Type.String() })),
  inboxId: Type.String(),
  clinicId: Type.String(),
  lastMessage: Nullable(
    Type.Object({
      id: Type.String(),
      preview: Type.String(),
      direction: Direction,
      channel: Channel,
      status: MessageStatus,
      senderName: Nullable(Type.String()),
      createdAt: Timestamp,
    }),
  ),
  lastActivityAt: Timestamp,
  pinned: Type.Boolean(),
  muted: Type.Boolean(),
  createdAt: Timestamp,
});

export const Message = Type.Object({
  id: Type.String(),
  conversationId: Type.String(),
  direction: Direction,
  channel: Channel,
  body: Type.String(),
  status: MessageStatus,
  subject: Nullable(Type.String({ description: 'S4: an email’s subject as it came or as staff gave it' })),
  html: Nullable(Type.String({ description: 'S4: an email’s HTML, sanitised on the way in (no scripts or styles; remote images in data-remote-src until a click; links rel="noopener noreferrer")' })),
  fullText: Nullable(Type.String({ description: 'S4: an email’s whole text with the quoted history, when body shows only the new reply' })),
  failureReason: Nullable(Type.String()),
  automatic: Type.Boolean({ description: 'S4: written by a machine (RFC 3834: an out-of-office, a vacation notice); nothing automatic answers it' }),
  sender: Type.Object({
    type: literals(['user', 'campaign', 'contact'] as const),
    id: Type.String(),
    name: Type.String({ description: "the team member's name, the campaign's name, or the patient's (M10)" }),
  }),
  starred: Type.Boolean(),
  sensitive: Type.Boolean({ description: 'M12: shown to the patient only after they re-enter their password' }),
  createdAt: Timestamp,
  statusAt: Timestamp,
  call: Nullable(Type.Object({ startedAt: Timestamp, durationSeconds: Type.Integer() })),
  card: Nullable(
    Type.Object({
      kind: Type.String(),
      title: Type.String(),
      artifactId: Nullable(Type.String()),
      amountCents: Nullable(Type.Integer()),
      currency: Nullable(Type.String()),
      url: Nullable(Type.String()),
      link: Nullable(Type.Object({ expiresAt: Timestamp, openCount: Type.Integer(), firstOpenedAt: Nullable(Timestamp), lastOpenedAt: Nullable(Timestamp) }, { description: 'whether and when the patient opened it' })),
    }),
  ),
  attachments: Type.Array(Attachment),
  retracted: Nullable(Type.Object({ at: Timestamp, byUserId: Nullable(Type.String()), reason: Type.String() }, { description: 'taken back by the clinic; the text stays for the record' })),
  correctsMessageId: Nullable(Type.String({ description: 'the retracted message this one corrects' })),
  reaction: Nullable(Type.String({ description: "the emoji the patient reacted to this message with (WhatsApp); null when none or taken back" })),
});

const stateSummaries: Record<(typeof stateActions)[number], string> = {
  read: 'Mark read for the whole team',
  unread: 'Mark unread for the whole team',
  close: 'Close: hidden from "All open", never deleted',
  reopen: 'Reopen a closed conversation',
  archive: 'Archive: kept for the record and still searchable',
  unarchive: 'Bring back from the archive',
};

/** The hub's access: whoever may send messages (pages/thread.ts shares it). */
export const hub = { privileges: ['send_messages' as const] };

export function conversationRoutes(app: App, deps: Deps): void {
  app.get(
    '/api/v1/conversations',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Conversations by latest activity, newest first; every filter combines',
        description:
          'status defaults to open (or to every state, archive included, when q is given). channel, direction, messageStatus and starred match conversations holding such a message.',
        querystring: ListQuery,
        response: responses({ 200: pageOf(ConversationItem) }),
      },
    },
    async (request) => listConversations(deps, actorOf(request), { ...request.query, limit: request.query.limit ?? 50 }),
  );

  app.post(
    '/api/v1/conversations',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Start a conversation (an unknown phone or email becomes a lead); joins the active thread if there is one',
        body: StartBody,
        response: responses({ 201: Type.Object({ conversation: ConversationItem, message: Message, joinedExisting: Type.Boolean() }) }, 404, 422),
      },
    },
    async (request, reply) => reply.code(201).send(await startConversation(deps, actorOf(request), request.body)),
  );

  app.post(
    '/api/v1/conversations/:id/messages',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Send a message; accepted as queued, delivered asynchronously',
        params: IdParams,
        body: SendBody,
        response: responses({ 202: Message }, 404, 409, 422),
      },
    },
    async (request, reply) => reply.code(202).send(await sendMessage(deps, actorOf(request), request.params.id, request.body)),
  );

  app.post(
    '/api/v1/conversations/:id/spam',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Mark as spam: closes and archives the thread, blocks the sender and revokes their guest links (P1)',
        params: IdParams,
        response: responses({ 200: ConversationItem }, 404),
      },
    },
    async (request) => markSpam(deps, actorOf(request), request.params.id),
  );

  for (const action of stateActions) {
    app.post(
      `/api/v1/conversations/:id/${action}`,
      {
        config: { access: hub },
        schema: { tags: ['conversations'], summary: stateSummaries[action], params: IdParams, response: responses({ 200: ConversationItem }, 404, 409) },
      },
      async (request) => changeState(deps, actorOf(request), request.params.id, action),
    );
  }

  for (const action of viewActions) {
    app.post(
      `/api/v1/conversations/:id/${action}`,
      {
        config: { access: hub },
        schema: { tags: ['conversations'], summary: `${action[0].toUpperCase()}${action.slice(1)} the conversation for yourself`, params: IdParams, response: responses({ 200: ConversationItem }, 404) },
      },
      async (request) => changeView(deps, actorOf(request), request.params.id, action),
    );
  }

  app.post(
    '/api/v1/conversations/:id/typing',
    {
      config: { access: hub },
      schema: { tags: ['conversations'], summary: 'Say you are writing a reply, so colleagues see "… is replying" (send every few seconds while typing)', params: IdParams, response: responses({ 204: Type.Null() }, 404) },
    },
    async (request, reply) => {
      await announceTyping(deps, actorOf(request), request.params.id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/api/v1/conversations/:id/assign',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Assign to a team member, or unassign with null',
        params: IdParams,
        body: Type.Object({ userId: Nullable(Id) }),
        response: responses({ 200: ConversationItem }, 404),
      },
    },
    async (request) => assignConversation(deps, actorOf(request), request.params.id, request.body.userId),
  );

  app.post(
    '/api/v1/conversations/:id/move',
    {
      config: { access: hub },
      schema: { tags: ['conversations'], summary: 'Move to another inbox', params: IdParams, body: Type.Object({ inboxId: Id }), response: responses({ 200: ConversationItem }, 404) },
    },
    async (request) => moveConversation(deps, actorOf(request), request.params.id, request.body.inboxId),
  );

  app.post(
    '/api/v1/conversations/bulk',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Mark many conversations read or unread, close, reopen or archive them at once',
        body: Type.Object({
          ids: Type.Array(Id, { minItems: 1, maxItems: 500 }),
          action: literals(['read', 'unread', 'close', 'reopen', 'archive'] as const),
        }),
        response: responses({ 200: Type.Object({ updated: Type.Integer(), ids: Type.Array(Type.String()) }) }, 404, 409),
      },
    },
    async (request) => bulkChangeState(deps, actorOf(request), request.body.ids, request.body.action),
  );

  app.post(
    '/api/v1/conversations/:id/calls',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Log a phone call in the thread',
        params: IdParams,
        body: Type.Object({
          startedAt: Timestamp,
          durationSeconds: Type.Integer({ minimum: 0, maximum: 24 * 3600 }),
          direction: Direction,
          notes: Type.String({ minLength: 1, maxLength: 20_000 }),
        }),
        response: responses({ 201: Message }, 404),
      },
    },
    async (request, reply) => reply.code(201).send(await logCall(deps, actorOf(request), request.params.id, request.body)),
  );

  for (const action of ['star', 'unstar'] as const) {
    app.post(
      `/api/v1/messages/:id/${action}`,
      {
        config: { access: hub },
        schema: { tags: ['conversations'], summary: action === 'star' ? 'Star a message for follow-up' : 'Remove the star', params: IdParams, response: responses({ 200: Message }, 404) },
      },
      async (request) => starMessage(deps, actorOf(request), request.params.id, action === 'star'),
    );
  }

  app.post(
    '/api/v1/messages/:id/retract',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'Retract a message the clinic sent (the sender, or an admin), with a reason and optionally a correction sent as a new message',
        description:
          'Sent messages are never edited or deleted. A retracted message keeps its text for the record and shows as retracted to staff and, in the portal and on the guest page, to the patient; one still queued is not sent. SMS, email and WhatsApp cannot be recalled from the phone or mailbox: send a correction.',
        params: IdParams,
        body: Type.Object({ reason: Type.String({ minLength: 3, maxLength: 500 }), correction: Type.Optional(Type.String({ minLength: 1, maxLength: 5000 })) }),
        response: responses({ 200: Type.Object({ retracted: Message, correction: Nullable(Message) }) }, 404, 409),
      },
    },
    async (request) => retractMessage(deps, actorOf(request), request.params.id, request.body),
  );

  app.get(
    '/api/v1/unread-count',
    {
      config: { access: hub },
      schema: {
        tags: ['conversations'],
        summary: 'How many open conversations are unread in your view (muted ones excluded)',
        querystring: Type.Object({ clinicId: Type.Optional(Id) }),
        response: responses({ 200: Type.Object({ unread: Type.Integer() }) }),
      },
    },
    async (request) => ({ unread: await unreadCount(deps, actorOf(request), request.query.clinicId) }),
  );
}
