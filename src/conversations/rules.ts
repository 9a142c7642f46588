/** Pure decisions of the inbox: who may post (T4), channels (M1), statuses (M3), list filters (M6). */
import { isAdmin, type Role } from '../orgs/rules.js';
import { addressRefusal, channelLabel, reachGap, type SendChannel } from '../channels/registry.js';
import type { ContactReach, Missing, ReachOptions } from '../channels/kind.js';
import { isOptedOut } from '../contacts/opt-outs.js';

export { channels, sendChannels, sendableChannels, type Channel, type SendChannel } from '../channels/registry.js';
export type { ContactReach, Missing } from '../channels/kind.js';

export const directions = ['inbound', 'outbound'] as const;
export type Direction = (typeof directions)[number];

export const outboundStatuses = ['queued', 'sent', 'delivered', 'read', 'failed'] as const;
export const inboundStatuses = ['unread', 'read', 'replied'] as const;
/** `logged` is the one status of a call-log entry. */
export const messageStatuses = ['queued', 'sent', 'delivered', 'read', 'failed', 'unread', 'replied', 'logged'] as const;
export type MessageStatus = (typeof messageStatuses)[number];

export const conversationStatuses = ['open', 'closed'] as const;
export type ConversationStatus = (typeof conversationStatuses)[number];

/**
 * M3: which status may follow which, per direction. Outbound only moves forward (queued → sent →
 * delivered → read); `failed` ends it unless it was already delivered or read. Inbound goes unread →
 * read → replied. Every status change of a message is checked here.
 */
const statusOrder = {
  outbound: { queued: 0, sent: 1, delivered: 2, read: 3 },
  inbound: { unread: 0, read: 1, replied: 2 },
} as const satisfies Record<Direction, Partial<Record<MessageStatus, number>>>;

/** The status a message takes when `incoming` is reported, or null to change nothing. */
export function nextStatus(direction: Direction, current: MessageStatus, incoming: MessageStatus): MessageStatus | null {
  const order: Partial<Record<MessageStatus, number>> = statusOrder[direction];
  const from = order[current];
  if (from === undefined) return null;
  if (direction === 'outbound' && incoming === 'failed') return from <= order.sent! ? 'failed' : null;
  const to = order[incoming];
  return to !== undefined && to > from ? incoming : null;
}

/** The statuses a message of this direction may move to `status` from (for a bulk UPDATE … WHERE status IN). */
export function statusesBefore(direction: Direction, status: MessageStatus): MessageStatus[] {
  return messageStatuses.filter((s) => nextStatus(direction, s, status) === status);
}

/** A thread's place in the patient's one active thread per clinic (M2): open and not archived. */
export type ThreadState = { status: ConversationStatus; archivedAt: Date | null };
export type ThreadRevival = { status?: 'open'; archivedAt?: null };

/** What a reopen, an unarchive or a reply makes of a thread's state. */
export function afterRevival(state: ThreadState, change: ThreadRevival): ThreadState {
  return { status: change.status ?? state.status, archivedAt: 'archivedAt' in change ? null : state.archivedAt };
}

/** Whether a change takes the clinic's active-thread slot, which another thread may already hold. */
export function takesThreadSlot(state: ThreadState, change: ThreadRevival): boolean {
  const after = afterRevival(state, change);
  return after.status === 'open' && after.archivedAt === null;
}

// ---------------------------------------------------------------------------------------------
// T4: conversation rules
// ---------------------------------------------------------------------------------------------

export type Poster = { kind: 'patient' } | { kind: 'staff'; userId: string; role: Role };

export type PostAttempt =
  | { kind: 'start'; hasActiveConversation: boolean }
  | { kind: 'reply'; conversation: { startedByUserId: string | null; assigneeId: string | null } };

export type RuleVerdict =
  | { allowed: true }
  | { allowed: false; code: 'doctor_conversation_exists' | 'clinician_not_participant'; detail: string };

const allowed: RuleVerdict = { allowed: true };

/**
 * T4, one function: may this person post this message? Patients and reception always may; admins
 * are unrestricted. A doctor or nurse may start a conversation only when the patient has no active
 * one in the clinic; once started, they continue it. In other threads a clinician posts only when
 * the thread is assigned to them.
 */
export function mayPost(poster: Poster, attempt: PostAttempt): RuleVerdict {
  if (poster.kind === 'patient') return allowed;
  switch (poster.role) {
    case 'main_admin':
    case 'admin':
    case 'receptionist':
      return allowed;
    case 'doctor':
    case 'nurse':
      return clinicianMayPost(poster.userId, poster.role, attempt);
  }
}

function clinicianMayPost(userId: string, role: 'doctor' | 'nurse', attempt: PostAttempt): RuleVerdict {
  if (attempt.kind === 'start') {
    return attempt.hasActiveConversation
      ? {
          allowed: false,
          code: 'doctor_conversation_exists',
          detail: `a ${role} may start a conversation only when the patient has no active conversation in this clinic; ask reception to assign you the existing one`,
        }
      : allowed;
  }
  const { startedByUserId, assigneeId } = attempt.conversation;
  if (startedByUserId === userId || assigneeId === userId) return allowed;
  return {
    allowed: false,
    code: 'clinician_not_participant',
    detail: `a ${role} may post only in conversations they started or that are assigned to them`,
  };
}

// ---------------------------------------------------------------------------------------------
// M1: which channels reach a contact (each kind says, in channels/<kind>/kind.ts)
// ---------------------------------------------------------------------------------------------

/** Why a channel cannot reach a contact, in words a receptionist understands, or null when it can. */
export function channelGap(contact: ContactReach, channel: SendChannel, opts: ReachOptions = {}): string | null {
  return reachGap(contact, channel, opts)?.gap ?? null;
}

export interface Recipient extends ContactReach {
  blocked: boolean;
  /** The channels they opted out of (contacts.opted_out). */
  optedOut: readonly string[];
}

export type OutboundRefusal = { code: 'contact_blocked' | 'channel_unavailable' | 'opted_out' | 'landline' | 'invalid_number'; detail: string; missing?: Missing };

/** S2/M1: whether a message may go to this contact on this channel; null when it may. */
export function outboundRefusal(
  contact: Recipient,
  channel: SendChannel,
  opts: ReachOptions & { ignoreOptOut?: boolean } = {},
): OutboundRefusal | null {
  if (contact.blocked) return { code: 'contact_blocked', detail: 'this contact is blocked; unblock them before sending' };
  const gap = reachGap(contact, channel, opts);
  if (gap) return { code: 'channel_unavailable', detail: gap.gap, missing: gap.missing };
  if (!opts.ignoreOptOut && isOptedOut(contact, channel)) {
    return { code: 'opted_out', detail: `this contact opted out of ${channelLabel(channel)}; they must opt back in first` };
  }
  return addressRefusal(contact, channel);
}

// ---------------------------------------------------------------------------------------------
// M6: list filters and keyset cursors
// ---------------------------------------------------------------------------------------------

export const openStatusFilters = ['open', 'unread', 'read', 'all', 'closed', 'archived'] as const;
export type OpenStatusFilter = (typeof openStatusFilters)[number];

/**
 * Which conversations an open-status filter shows. `all` is open and closed, not archived;
 * `any` (used when searching with no status chosen, M7) includes the archive too.
 */
export function openStatusCondition(filter: OpenStatusFilter | 'any'): {
  status?: ConversationStatus;
  archived?: boolean;
  unread?: boolean;
} {
  switch (filter) {
    case 'open':
      return { status: 'open', archived: false };
    case 'unread':
      return { status: 'open', archived: false, unread: true };
    // Seed 004's Read tab: open threads someone has read.
    case 'read':
      return { status: 'open', archived: false, unread: false };
    case 'all':
      return { archived: false };
    case 'closed':
      return { status: 'closed', archived: false };
    case 'archived':
      return { archived: true };
    case 'any':
      return {};
  }
}

/** The first line of a message, short enough for a list row. */
export function preview(body: string, max = 140): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** M2 (seed 003): a conversation with no activity for 12 months is archived automatically. */
export function autoArchiveCutoff(now: Date): Date {
  const cutoff = new Date(now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - 12);
  return cutoff;
}

/** What a patient sees in place of a message the clinic retracted (its text stays in the record). */
export const retractedNotice = 'This message was retracted by the clinic.';

/** Unread conversations of one clinic and channel class (SMS or the rest): kept counts, or one user's muted ones. */
export interface UnreadBucket {
  clinicId: string;
  sms: boolean;
  n: number;
}

export interface UnreadBuckets {
  counts: UnreadBucket[];
  /** Per user: the unread conversations they muted, by bucket. */
  muted: (UnreadBucket & { userId: string })[];
}

/**
 * A user's unread count from the kept buckets: the clinics they work at (an admin: all of them), SMS
 * only with the inbox privilege, less the ones they muted — what the recount's visibility rules say.
 */
export function unreadFor(user: { userId: string; role: Role; clinicIds: readonly string[]; privileges: readonly string[] }, buckets: UnreadBuckets, clinicId?: string): number {
  const admin = isAdmin(user.role);
  const sees = (b: UnreadBucket) =>
    (clinicId === undefined || b.clinicId === clinicId) && (admin || user.clinicIds.includes(b.clinicId)) && (!b.sms || user.privileges.includes('inbox'));
  const total = buckets.counts.filter(sees).reduce((sum, b) => sum + b.n, 0);
  const muted = buckets.muted.filter((b) => b.userId === user.userId && sees(b)).reduce((sum, b) => sum + b.n, 0);
  return total - muted;
}
