import { describe, expect, it } from 'vitest';
import { canAccessClinic, effectivePrivileges, slugify } from './rules.js';

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
