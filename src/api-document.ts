/**
 * What /openapi.json says beyond the routes' own schemas (I19): the schemas integrators meet again
 * and again, published once as components; the multipart uploads' bodies; examples on the main
 * operations. The examples are checked against their schemas by test/api/openapi.test.ts (the
 * Redocly linter), so they cannot drift from what the API answers.
 */
import { optOutsOf } from './contacts/opt-outs.js';
import { Artifact, PatientCard } from './artifacts/routes.js';
import { Attachment, AttachmentUpload } from './attachments/routes.js';
import { Booking } from './bookings/routes.js';
import { Contact } from './contacts/routes.js';
import { ConversationItem, Message } from './conversations/routes.js';
import type { ApiDocument } from './http/openapi.js';
import { ImportUpload } from './imports/routes.js';
import { Clinic, Inbox, Me, User } from './orgs/routes.js';

const at = '2026-03-02T09:15:00.000Z';
const ids = {
  conversation: '0b7e4c1e-3f0e-4a53-9d0c-5b7a0c6f2a11',
  message: '4f6d2b8a-8c1f-4d7e-a0b3-2e9c5d1f7a22',
  contact: '9a3c5e7f-1b2d-4e6f-8a0b-c1d2e3f4a533',
  clinic: '2d4f6a8c-0e1a-4b3c-9d5e-7f8a9b0c1d44',
  inbox: '6e8a0c2e-4a6c-4e8a-b0c2-d4e6f8a0b255',
  user: '8c0e2a4c-6e8a-4c0e-a2c4-e6a8c0e2a466',
  attachment: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c77',
};

const conversation = {
  id: ids.conversation,
  contact: { id: ids.contact, name: 'Maria Lopez', type: 'patient', phone: '+14155550134', email: null, blocked: false, emailBounce: null },
  subject: null,
  channel: 'sms',
  status: 'open',
  archived: false,
  archivedAt: null,
  awaitingSince: at,
  replyDueAt: '2026-03-02T10:15:00.000Z',
  overdue: false,
  spam: false,
  unread: true,
  assignee: null,
  inboxId: ids.inbox,
  clinicId: ids.clinic,
  lastMessage: { id: ids.message, preview: 'Can I move my appointment to Friday?', direction: 'inbound', channel: 'sms', status: 'unread', senderName: 'Maria Lopez', createdAt: at },
  lastActivityAt: at,
  pinned: false,
  muted: false,
  createdAt: at,
};

const reply = {
  id: ids.message,
  conversationId: ids.conversation,
  direction: 'outbound',
  channel: 'sms',
  body: 'Friday at 10:30 is free. Shall I book it?',
  subject: null,
  html: null,
  fullText: null,
  status: 'queued',
  failureReason: null,
  automatic: false,
  sender: { type: 'user', id: ids.user, name: 'Olive Owner' },
  starred: false,
  sensitive: false,
  createdAt: at,
  statusAt: at,
  call: null,
  card: null,
  attachments: [],
  retracted: null,
  correctsMessageId: null,
  reaction: null,
};

const contact = {
  id: ids.contact,
  type: 'patient',
  name: 'Maria Lopez',
  phone: '+14155550134',
  email: 'maria.lopez@example.com',
  dateOfBirth: '1984-05-17',
  externalId: 'MRN-20431',
  portalAccount: false,
  chatOptIn: false,
  optedOut: optOutsOf({ optedOut: [] }),
  blocked: false,
  emailBounce: null,
  preferredChannel: 'sms',
  preferredLanguage: 'es',
  availableChannels: ['sms', 'email'],
  createdAt: at,
};

export const apiDocument: ApiDocument = {
  shared: { Conversation: ConversationItem, Message, Contact, Clinic, Inbox, User, Me, Attachment, Booking, Artifact, PatientCard },
  uploads: {
    'POST /api/v1/attachments': AttachmentUpload,
    'POST /api/v1/contacts/import': ImportUpload,
  },
  examples: {
    postAuthLogin: { request: { email: 'olive@clinic.example', password: 'correct horse battery staple' } },
    getConversations: { responses: { 200: { items: [conversation], nextCursor: null } } },
    postConversationsByIdMessages: { request: { body: 'Friday at 10:30 is free. Shall I book it?' }, responses: { 202: reply } },
    postConversations: {
      request: { contactId: ids.contact, channel: 'sms', clinicId: ids.clinic, body: 'Hello Maria, this is Main Street Clinic about your results.' },
    },
    getContacts: { responses: { 200: { items: [contact], nextCursor: null } } },
    postContacts: { request: { name: 'Maria Lopez', phone: '(415) 555-0134', email: 'maria.lopez@example.com', dateOfBirth: '1984-05-17', externalId: 'MRN-20431' }, responses: { 201: contact } },
    postAttachments: { responses: { 201: { id: ids.attachment, filename: 'referral.pdf', contentType: 'application/pdf', size: 48213, sha256: 'b5bb9d8014a0f9b1d61e21e796d78dccdf1352f23cd32812f4850b878ae4944c', createdAt: at } } },
  },
};
