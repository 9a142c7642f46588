import { describe, expect, it } from 'vitest';
import { mayContinue, mayReceive, sameAccess, type EventFacts, type StreamUser } from './rules.js';

const nurse: StreamUser = { role: 'nurse', privileges: ['send_messages', 'inbox'], clinicIds: ['c1'] };
const facts: EventFacts = { clinicId: 'c1', conversationChannel: 'email', shownToStaff: true, message: { channel: 'email', hidden: false } };

describe('mayReceive', () => {
  it('lets through an event of a visible thread in the user\'s clinic', () => {
    expect(mayReceive(nurse, facts)).toBe(true);
  });
  it('refuses another clinic, unless the user is an admin', () => {
    expect(mayReceive(nurse, { ...facts, clinicId: 'c2' })).toBe(false);
    expect(mayReceive({ ...nurse, role: 'admin', clinicIds: [] }, { ...facts, clinicId: 'c2' })).toBe(true);
  });
  it('refuses SMS threads and SMS messages without the inbox privilege', () => {
    const noInbox = { ...nurse, privileges: ['send_messages'] as const };
    expect(mayReceive(noInbox, { ...facts, conversationChannel: 'sms', message: null })).toBe(false);
    expect(mayReceive(noInbox, { ...facts, message: { channel: 'sms', hidden: false } })).toBe(false);
    expect(mayReceive(noInbox, facts)).toBe(true);
    expect(mayReceive(nurse, { ...facts, conversationChannel: 'sms' })).toBe(true);
  });
  it('refuses hidden or held threads, hidden messages and conversations that are not found', () => {
    expect(mayReceive(nurse, { ...facts, shownToStaff: false })).toBe(false);
    expect(mayReceive(nurse, { ...facts, message: { channel: 'email', hidden: true } })).toBe(false);
    expect(mayReceive(nurse, null)).toBe(false);
  });
});

describe('sameAccess', () => {
  it('ignores order and notices any change of role, privileges or clinics', () => {
    expect(sameAccess(nurse, { ...nurse, privileges: ['inbox', 'send_messages'] })).toBe(true);
    expect(sameAccess(nurse, { ...nurse, role: 'doctor' })).toBe(false);
    expect(sameAccess(nurse, { ...nurse, privileges: ['send_messages'] })).toBe(false);
    expect(sameAccess(nurse, { ...nurse, clinicIds: ['c1', 'c2'] })).toBe(false);
  });
});

describe('mayContinue', () => {
  const now = { ...nurse, mustEnrolTwoFactor: false };
  it('goes on while the sign-in lasts with the same permissions', () => {
    expect(mayContinue(nurse, now)).toBe(true);
  });
  it('ends with the sign-in, a change of permissions, or a two-factor enrolment the organization now requires', () => {
    expect(mayContinue(nurse, null)).toBe(false);
    expect(mayContinue(nurse, { ...now, clinicIds: ['c2'] })).toBe(false);
    expect(mayContinue(nurse, { ...now, mustEnrolTwoFactor: true })).toBe(false);
  });
});
