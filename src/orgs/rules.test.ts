import { describe, expect, it } from 'vitest';
import { canAccessClinic, clinicShortTime, clinicTime, effectivePrivileges, slugify } from './rules.js';

describe('slugify', () => {
  it.each([
    ["St. Mary's Clinic", 'st-marys-clinic'],
    ['  Zahnarztpraxis Müller  ', 'zahnarztpraxis-muller'],
    ['***', 'clinic'],
    ['A'.repeat(80), 'a'.repeat(60)],
  ])('%j → %j', (name, slug) => {
    expect(slugify(name)).toBe(slug);
  });
});

describe('privileges and clinic access', () => {
  it('gives the main admin every privilege whatever is stored', () => {
    expect(effectivePrivileges('main_admin', [])).toEqual(['send_messages', 'inbox', 'contacts']);
  });
  it('gives others only what was granted', () => {
    expect(effectivePrivileges('doctor', ['contacts'])).toEqual(['contacts']);
    expect(effectivePrivileges('admin', [])).toEqual([]);
  });
  it('lets admins into every clinic and others into theirs', () => {
    expect(canAccessClinic({ role: 'admin', clinicIds: [] }, 'c1')).toBe(true);
    expect(canAccessClinic({ role: 'receptionist', clinicIds: ['c1'] }, 'c1')).toBe(true);
    expect(canAccessClinic({ role: 'doctor', clinicIds: ['c1'] }, 'c2')).toBe(false);
  });
});

describe('times in the clinic’s zone (issue 17, defect 8)', () => {
  const at = '2026-03-10T22:15:00Z';
  it('shows one format in the clinic’s zone, whatever the viewer’s', () => {
    expect(clinicTime(at, 'America/Los_Angeles')).toBe('Mar 10, 2026, 3:15 PM');
    expect(clinicTime(at, 'Europe/Berlin')).toBe('Mar 10, 2026, 11:15 PM');
    expect(clinicTime(new Date(at), 'UTC')).toBe('Mar 10, 2026, 10:15 PM');
  });
  it('shortens by the clinic’s calendar day', () => {
    // 11:15 PM in Berlin is still the 10th there though it is the 11th in Asia.
    expect(clinicShortTime(at, 'Europe/Berlin', new Date('2026-03-10T22:50:00Z'))).toBe('11:15 PM');
    expect(clinicShortTime(at, 'Asia/Tokyo', new Date('2026-03-11T16:00:00Z'))).toBe('Wed');
    expect(clinicShortTime(at, 'America/New_York', new Date('2026-04-20T12:00:00Z'))).toBe('Mar 10');
    expect(clinicShortTime(at, 'America/New_York', new Date('2027-04-20T12:00:00Z'))).toBe('Mar 10, 2026');
  });
});
