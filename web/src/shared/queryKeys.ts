/**
 * Every cached read of the web app, named in one place. A key is a path from the general to the
 * particular, so a change invalidates exactly what it touched: `keys.conversations.all` refreshes
 * every list and the unread count, `keys.conversation(id)` one thread — never everything.
 */
import type { Filters } from './logic';

export const keys = {
  conversations: {
    /** Every list of conversations, pinned or not, under any filters, and the unread count. */
    all: ['conversations'] as const,
    lists: () => ['conversations', 'list'] as const,
    list: (filters: Filters, part: 'pinned' | 'rest') => ['conversations', 'list', part, filters] as const,
  },
  unread: () => ['conversations', 'unread-count'] as const,
  /** One thread with its messages. */
  conversation: (id: string) => ['conversation', id] as const,
  contacts: {
    all: ['contacts'] as const,
    list: (params: string) => ['contacts', 'list', params] as const,
    search: (q: string) => ['contacts', 'search', q] as const,
  },
  contact: (id: string) => ['contact', id] as const,
  artifacts: (contactId: string, kind: string | undefined) => ['contact', contactId, 'artifacts', kind] as const,
  users: () => ['users'] as const,
  inboxes: () => ['inboxes'] as const,
  clinics: () => ['clinics'] as const,
  clinicReminder: (clinicId: string) => ['clinics', clinicId, 'reminder'] as const,
  templates: () => ['templates'] as const,
  plan: () => ['plan'] as const,
  optOuts: () => ['opt-outs'] as const,
  smsInbox: {
    all: ['sms-inbox'] as const,
    status: () => ['sms-inbox', 'status'] as const,
    available: (areaCode: string) => ['sms-inbox', 'available', areaCode] as const,
    owned: () => ['sms-inbox', 'owned'] as const,
  },
  campaigns: () => ['campaigns'] as const,
  webhooks: {
    all: ['webhooks'] as const,
    list: () => ['webhooks', 'list'] as const,
    log: (endpointId: string | null) => ['webhooks', 'log', endpointId] as const,
  },
  notificationPreferences: () => ['notifications', 'mine'] as const,
  notificationSettings: () => ['notifications', 'organization'] as const,
  billingCharges: () => ['billing', 'charges'] as const,
  audit: (query: string) => ['audit', query] as const,
  emergencyAccess: () => ['emergency-access'] as const,
  reports: {
    conversions: () => ['reports', 'conversions'] as const,
    responseTimes: () => ['reports', 'response-times'] as const,
  },
  portal: {
    all: ['portal'] as const,
    inbox: () => ['portal', 'inbox'] as const,
    thread: (id: string) => ['portal', 'thread', id] as const,
  },
} as const;
