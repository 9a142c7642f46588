import { describe, expect, it } from 'vitest';
import type { Role } from '../orgs/rules.js';
import {
  afterRevival,
  autoArchiveCutoff,
  unreadFor,
  mayPost,
  nextStatus,
  openStatusCondition,
  outboundRefusal,
  preview,
  sendableChannels,
  statusesBefore,
  takesThreadSlot,
  type PostAttempt,
  type Poster,
} from './rules.js';

const staff = (role: Role, userId = 'me'): Poster => ({ kind: 'staff', role, userId });
const start = (hasActiveConversation: boolean): PostAttempt => ({ kind: 'start', hasActiveConversation });
const reply = (startedByUserId: string | null, assigneeId: string | null): PostAttempt => ({
  kind: 'reply',
  conversation: { startedByUserId, assigneeId },
});

describe('T4 conversation rules: mayPost', () => {
  const table: [string, Poster, PostAttempt, true | string][] = [
    ['patient writes to reception', { kind: 'patient' }, reply(null, null), true],
    ['patient starts while a thread exists', { kind: 'patient' }, start(true), true],
    ['receptionist starts a new thread', staff('receptionist'), start(false), true],
    ['receptionist joins an active thread', staff('receptionist'), start(true), true],
    ['receptionist replies in anyone\'s thread', staff('receptionist'), reply('dr-x', 'nurse-y'), true],
    ['admin starts while a thread exists', staff('admin'), start(true), true],
    ['main admin replies anywhere', staff('main_admin'), reply('dr-x', null), true],
    ['doctor starts when the patient has no active thread', staff('doctor'), start(false), true],
    ['doctor may not start when a thread exists', staff('doctor'), start(true), 'doctor_conversation_exists'],
    ['nurse may not start when a thread exists', staff('nurse'), start(true), 'doctor_conversation_exists'],
    ['doctor continues the thread they started', staff('doctor'), reply('me', null), true],
    ['doctor posts in a thread assigned to them', staff('doctor'), reply(null, 'me'), true],
    ['doctor may not post in reception\'s unassigned thread', staff('doctor'), reply(null, null), 'clinician_not_participant'],
    ['doctor may not post in a colleague\'s thread', staff('doctor'), reply('dr-x', 'dr-x'), 'clinician_not_participant'],
    ['nurse posts when assigned', staff('nurse'), reply('dr-x', 'me'), true],
  ];
  it.each(table)('%s', (_name, poster, attempt, expected) => {
    const verdict = mayPost(poster, attempt);
    if (expected === true) expect(verdict).toEqual({ allowed: true });
    else expect(verdict).toMatchObject({ allowed: false, code: expected, detail: expect.stringMatching(/\w/) });
  });
});

describe('M1 channels a contact can use', () => {
  const none = { phone: null, email: null, portalAccount: false, chatOptIn: false };
  it.each([
    [{ ...none, phone: '+14155550134' }, {}, ['sms', 'whatsapp']],
    [{ ...none, email: 'a@b.co' }, {}, ['email']],
    [{ ...none, portalAccount: true }, {}, []],
    [{ ...none, portalAccount: true, chatOptIn: true }, {}, ['portal']],
    [none, { hasGuestLink: true }, ['web']],
    [{ phone: '+14155550134', email: 'a@b.co', portalAccount: true, chatOptIn: true }, {}, ['sms', 'email', 'whatsapp', 'portal']],
  ] as const)('%o %o → %o', (contact, opts, expected) => {
    expect(sendableChannels(contact, opts)).toEqual(expected);
  });

  const reachable = { phone: '+14155550134', email: 'a@b.co', portalAccount: true, chatOptIn: false, blocked: false, optedOut: [] as string[] };
  it.each([
    [{}, 'sms', null],
    [{ blocked: true }, 'email', 'contact_blocked'],
    [{ optedOut: ['sms'] }, 'sms', 'opted_out'],
    [{ optedOut: ['sms'] }, 'whatsapp', null],
    [{ optedOut: ['email'] }, 'email', 'opted_out'],
    [{ optedOut: ['whatsapp', 'email'] }, 'whatsapp', 'opted_out'],
    [{ phone: '+442071838750' }, 'sms', 'landline'],
    [{ phone: '+1415' }, 'sms', 'invalid_number'],
    [{ phone: null }, 'sms', 'channel_unavailable'],
    [{}, 'portal', 'channel_unavailable'],
    [{}, 'web', 'channel_unavailable'],
  ] as const)('outboundRefusal %o on %s → %s', (change, channel, code) => {
    const refusal = outboundRefusal({ ...reachable, ...change }, channel);
    expect(refusal?.code ?? null).toBe(code);
  });

  it('says why portal chat is unavailable', () => {
    expect(outboundRefusal({ ...reachable, portalAccount: false }, 'portal')?.detail).toMatch(/no portal account/);
    expect(outboundRefusal(reachable, 'portal')?.detail).toMatch(/not opted in/);
    expect(outboundRefusal({ ...reachable, portalAccount: false }, 'portal')?.missing).toBe('portal_account');
    expect(outboundRefusal(reachable, 'portal')?.missing).toBe('chat_opt_in');
  });
});

describe('M3 outbound status moves only forward', () => {
  it.each([
    ['queued', 'sent', 'sent'],
    ['queued', 'delivered', 'delivered'],
    ['sent', 'delivered', 'delivered'],
    ['delivered', 'read', 'read'],
    ['delivered', 'sent', null],
    ['read', 'delivered', null],
    ['sent', 'sent', null],
    ['queued', 'failed', 'failed'],
    ['sent', 'failed', 'failed'],
    ['delivered', 'failed', null],
    ['failed', 'delivered', null],
    ['unread', 'read', null],
    ['queued', 'replied', null],
  ] as const)('%s + %s → %s', (current, incoming, expected) => {
    expect(nextStatus('outbound', current, incoming)).toBe(expected);
  });
});

describe('M3 inbound status: unread → read → replied', () => {
  it.each([
    ['unread', 'read', 'read'],
    ['unread', 'replied', 'replied'],
    ['read', 'replied', 'replied'],
    ['read', 'unread', null],
    ['replied', 'read', null],
    ['read', 'read', null],
    ['unread', 'failed', null],
    ['unread', 'delivered', null],
    ['queued', 'read', null],
  ] as const)('%s + %s → %s', (current, incoming, expected) => {
    expect(nextStatus('inbound', current, incoming)).toBe(expected);
  });
  it('names the statuses a bulk update may move from', () => {
    expect(statusesBefore('inbound', 'read')).toEqual(['unread']);
    expect(statusesBefore('inbound', 'replied')).toEqual(['read', 'unread']);
    expect(statusesBefore('outbound', 'delivered')).toEqual(['queued', 'sent']);
  });
});

describe('M6 open-status filter', () => {
  it.each([
    ['open', { status: 'open', archived: false }],
    ['unread', { status: 'open', archived: false, unread: true }],
    ['read', { status: 'open', archived: false, unread: false }],
    ['all', { archived: false }],
    ['closed', { status: 'closed', archived: false }],
    ['archived', { archived: true }],
    ['any', {}],
  ] as const)('%s', (filter, expected) => {
    expect(openStatusCondition(filter)).toEqual(expected);
  });
});

describe('preview', () => {
  it('flattens whitespace and cuts long text', () => {
    expect(preview('Hello\n\n  there')).toBe('Hello there');
    const long = preview('x'.repeat(300));
    expect(long).toHaveLength(140);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('auto-archive cutoff', () => {
  it('is 12 months before now', () => {
    expect(autoArchiveCutoff(new Date('2026-03-02T09:00:00Z')).toISOString()).toBe('2025-03-02T09:00:00.000Z');
  });
});

describe('M2 reopen or refuse: which changes take the active-thread slot', () => {
  const archived = new Date('2026-01-01T00:00:00Z');
  it.each([
    ['reopen a closed thread', { status: 'closed', archivedAt: null }, { status: 'open' }, true],
    ['reopen a closed, archived thread', { status: 'closed', archivedAt: archived }, { status: 'open' }, false],
    ['unarchive an open thread', { status: 'open', archivedAt: archived }, { archivedAt: null }, true],
    ['unarchive a closed thread', { status: 'closed', archivedAt: archived }, { archivedAt: null }, false],
    ['reply to a closed, archived thread', { status: 'closed', archivedAt: archived }, { status: 'open', archivedAt: null }, true],
  ] as const)('%s', (_name, state, change, takes) => {
    expect(takesThreadSlot(state, change)).toBe(takes);
  });
  it('a change leaves what it does not name', () => {
    expect(afterRevival({ status: 'closed', archivedAt: archived }, { status: 'open' })).toEqual({ status: 'open', archivedAt: archived });
  });
});

describe('unreadFor: a user\'s count from the kept buckets (issue 21)', () => {
  const buckets = {
    counts: [
      { clinicId: 'a', sms: false, n: 3 },
      { clinicId: 'a', sms: true, n: 2 },
      { clinicId: 'b', sms: false, n: 5 },
    ],
    muted: [
      { userId: 'u1', clinicId: 'a', sms: false, n: 1 },
      { userId: 'u2', clinicId: 'b', sms: false, n: 4 },
    ],
  };
  it('sums the clinics the user works at, SMS only with the inbox privilege, less their own muted ones', () => {
    expect(unreadFor({ userId: 'u1', role: 'receptionist', clinicIds: ['a'], privileges: ['send_messages'] }, buckets)).toBe(2);
    expect(unreadFor({ userId: 'u1', role: 'receptionist', clinicIds: ['a'], privileges: ['inbox'] }, buckets)).toBe(4);
    expect(unreadFor({ userId: 'u2', role: 'nurse', clinicIds: ['a', 'b'], privileges: [] }, buckets)).toBe(4);
  });
  it('gives an admin every clinic, and one clinic when asked', () => {
    expect(unreadFor({ userId: 'u3', role: 'admin', clinicIds: [], privileges: ['inbox'] }, buckets)).toBe(10);
    expect(unreadFor({ userId: 'u2', role: 'admin', clinicIds: [], privileges: ['inbox'] }, buckets, 'b')).toBe(1);
  });
});
