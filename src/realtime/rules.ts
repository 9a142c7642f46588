/** Pure decisions of the live streams: what a user's stream may carry, and when it must end. */
import type { Privilege, Role } from '../orgs/rules.js';
import { canAccessClinic } from '../orgs/rules.js';

/** What a user's reading of a conversation depends on, as stored when an event about it arrives. */
export interface EventFacts {
  clinicId: string;
  conversationChannel: string;
  /** Neither hidden with a disabled SMS inbox (S1) nor held over the plan's limit (P4). */
  shownToStaff: boolean;
  /** The event's message, when it names one. */
  message: { channel: string; hidden: boolean } | null;
}

export interface StreamUser {
  role: Role;
  privileges: readonly Privilege[];
  clinicIds: readonly string[];
}

/**
 * Whether the user could read through the API what the event is about: its clinic, SMS only with
 * the `inbox` privilege, no hidden or held thread, no hidden message. Emergency access is a single
 * audited reading, not a standing grant, so it opens no stream to a thread outside the user's access.
 */
export function mayReceive(user: StreamUser, facts: EventFacts | null): boolean {
  if (!facts || !facts.shownToStaff || facts.message?.hidden) return false;
  if (!canAccessClinic(user, facts.clinicId)) return false;
  const sms = facts.conversationChannel === 'sms' || facts.message?.channel === 'sms';
  return !sms || user.privileges.includes('inbox');
}

/** A stream opened with one set of permissions ends when they change: it reconnects with the new ones. */
export function sameAccess(a: StreamUser, b: StreamUser): boolean {
  const same = (x: readonly string[], y: readonly string[]) => [...x].sort().join() === [...y].sort().join();
  return a.role === b.role && same(a.privileges, b.privileges) && same(a.clinicIds, b.clinicIds);
}

/**
 * Whether a stream opened as `opened` may go on, its sign-in now being `now` (null: ended, expired or
 * deactivated): the same permissions, and not held to two-factor enrolment — a user the organization
 * now requires it of may do nothing but enrol until they have.
 */
export function mayContinue(opened: StreamUser, now: (StreamUser & { mustEnrolTwoFactor: boolean }) | null | undefined): boolean {
  return !!now && !now.mustEnrolTwoFactor && sameAccess(opened, now);
}
