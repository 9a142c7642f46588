/**
 * What the conversation routes accept, as TypeBox schemas: the routes validate with them (and they
 * make the OpenAPI document), and the services take the types derived from them, so an input is
 * written once.
 */
import { Type, type Static } from 'typebox';
import { cardKinds } from '../artifacts/rules.js';
import { contactTypes } from '../contacts/rules.js';
import { Id, literals, Page } from '../http/schemas.js';
import { channels, directions, messageStatuses, openStatusFilters, sendChannels } from './rules.js';

export const Channel = literals(channels);
export const SendChannel = literals(sendChannels);
export const Direction = literals(directions);
export const MessageStatus = literals(messageStatuses);
const Body = Type.String({ minLength: 1, maxLength: 20_000 });
const Html = Type.String({ minLength: 1, maxLength: 100_000, description: 'S4: email only; the formatted message (bold, italic, lists, links; the rest is removed), with body as its plain text' });
const AttachmentIds = Type.Optional(Type.Array(Id, { maxItems: 10, description: 'files uploaded with POST /api/v1/attachments (not on SMS)' }));
const WhatsAppTemplate = Type.Optional(
  Type.Object(
    { name: Type.String({ minLength: 1, maxLength: 512 }), language: Type.String({ minLength: 2, maxLength: 15, default: 'en_US' }) },
    { description: 'an approved WhatsApp template: the only thing WhatsApp allows outside the 24-hour window' },
  ),
);

export const StartBody = Type.Object({
  contactId: Type.Optional(Id),
  phone: Type.Optional(Type.String({ minLength: 1, maxLength: 40 })),
  email: Type.Optional(Type.String({ minLength: 1, maxLength: 254 })),
  name: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'name for a new lead' })),
  channel: SendChannel,
  clinicId: Id,
  inboxId: Type.Optional(Id),
  body: Body,
  html: Type.Optional(Html),
  subject: Type.Optional(Type.String({ minLength: 1, maxLength: 300, description: 'S4: email only; the thread’s subject (replies say "Re: …"). Without one the mail says "Your conversation with" the clinic' })),
  attachmentIds: AttachmentIds,
  whatsappTemplate: WhatsAppTemplate,
  sensitive: Type.Optional(Type.Boolean({ description: 'M12: portal chat only; the patient must re-enter their password to read it' })),
  });
export type StartInput = Static<typeof StartBody>;

export const SendBody = Type.Object({
  channel: Type.Optional(SendChannel),
  body: Type.Optional(Body),
  templateId: Type.Optional(Type.String({ format: 'uuid', description: 'fill in this template for the recipient (instead of body)' })),
  html: Type.Optional(Html),
  attachmentIds: AttachmentIds,
  whatsappTemplate: WhatsAppTemplate,
  sensitive: Type.Optional(Type.Boolean({ description: 'M12: portal chat only; the patient must re-enter their password to read it' })),
  card: Type.Optional(
    Type.Object(
      {
        kind: literals(cardKinds),
        artifactId: Type.Optional(Id),
        title: Type.Optional(Type.String({ minLength: 1, maxLength: 300 })),
        amountCents: Type.Optional(Type.Integer({ minimum: 1 })),
        currency: Type.Optional(Type.String({ pattern: '^[A-Z]{3}$' })),
        url: Type.Optional(Type.String({ pattern: '^https://', maxLength: 2000 })),
      },
      { description: "K4: a card — one of the patient's artifacts (artifactId), a payment request (amountCents) or a review request (url) — sent with a secure link that expires in 14 days" },
    ),
  ),
  });
/** A reply; a retraction's correction also names the message it corrects. */
export type SendInput = Static<typeof SendBody> & { correctsMessageId?: string };

export const ListQuery = Type.Intersect([
  Page,
  Type.Object({
    status: Type.Optional(literals(openStatusFilters)),
    contactType: Type.Optional(literals(contactTypes)),
    assignee: Type.Optional(Type.Union([Type.Literal('me'), Type.Literal('none'), Id], { description: 'me, none, or a user id' })),
    inboxId: Type.Optional(Id),
    clinicId: Type.Optional(Id),
    channel: Type.Optional(Channel),
    direction: Type.Optional(Direction),
    messageStatus: Type.Optional(MessageStatus),
    contactId: Type.Optional(Id),
    starred: Type.Optional(Type.Boolean()),
    pinned: Type.Optional(Type.Boolean()),
    overdue: Type.Optional(Type.Boolean({ description: 'B2: threads waiting past the clinic’s reply target (same business day)' })),
    q: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'patient name, phone number in any format, or message text' })),
  }),
]);
/** The list's filters; the route fills in the page size. */
export type ListFilters = Static<typeof ListQuery> & { limit: number };
