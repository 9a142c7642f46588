export type Channel = 'sms' | 'email' | 'whatsapp' | 'portal' | 'web' | 'call';

export interface Me {
  user: { id: string; name: string; email: string; role: string; language: 'en' | 'es' | null };
  role: 'main_admin' | 'admin' | 'doctor' | 'nurse' | 'receptionist';
  privileges: ('send_messages' | 'inbox' | 'contacts')[];
  /** currency: the organization's (ISO 4217), once the server says it; USD until then. */
  organization: { id: string; name: string; currency?: string };
  plan: string;
  clinics: { id: string; name: string; slug: string; timezone: string }[];
  csrfToken: string | null;
  sessionIdleMinutes: number;
  defaultCountry: string;
  simulator: boolean;
  security: { twoFactorEnabled: boolean; organizationRequiresTwoFactor: boolean; mustEnrolTwoFactor: boolean };
}

export interface ConversationItem {
  id: string;
  contact: { id: string; name: string; type: 'patient' | 'lead'; phone: string | null; email: string | null; blocked: boolean; emailBounce: string | null };
  /** An email thread's subject, without "Re:". */
  subject: string | null;
  channel: Channel;
  status: 'open' | 'closed';
  archived: boolean;
  spam: boolean;
  unread: boolean;
  assignee: { id: string; name: string } | null;
  inboxId: string;
  clinicId: string;
  lastMessage: { id: string; preview: string; direction: 'inbound' | 'outbound'; channel: Channel; status: string; senderName: string | null; createdAt: string } | null;
  lastActivityAt: string;
  awaitingSince: string | null;
  replyDueAt: string | null;
  overdue: boolean;
  pinned: boolean;
  muted: boolean;
}

export interface Message {
  id: string;
  direction: 'inbound' | 'outbound';
  channel: Channel;
  body: string;
  /** An email's whole text with the quoted history, when body is only the new reply. */
  fullText: string | null;
  /** An email's subject as it came, or as staff gave it. */
  subject: string | null;
  /** An email's HTML, sanitised by the server. */
  html: string | null;
  status: string;
  failureReason: string | null;
  /** Written by a machine (an out-of-office): nothing automatic answers it. */
  automatic: boolean;
  sender: { type: 'user' | 'campaign' | 'contact'; id: string; name: string };
  starred: boolean;
  sensitive: boolean;
  retracted: { at: string; byUserId: string | null; reason: string } | null;
  correctsMessageId: string | null;
  reaction: string | null;
  card: {
    kind: string;
    title: string;
    amountCents: number | null;
    currency: string | null;
    link: { expiresAt: string; openCount: number; firstOpenedAt: string | null; lastOpenedAt: string | null } | null;
  } | null;
  createdAt: string;
  call: { startedAt: string; durationSeconds: number } | null;
  attachments: { id: string; filename: string; contentType: string; size: number }[];
}

export interface Thread extends ConversationItem {
  availableChannels: Exclude<Channel, 'call'>[];
  optedOut: { sms: boolean; email: boolean; whatsapp: boolean };
  messages: Message[];
  nextCursor: string | null;
  bookings: Booking[];
}

export interface Booking {
  id: string;
  clinicId: string;
  contactId: string;
  conversationId: string | null;
  startsAt: string;
  source: 'integration' | 'staff';
  notes: string | null;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
