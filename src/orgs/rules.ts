/** Pure decisions about organizations, roles and privileges (shared with the web app). */

export const roles = ['main_admin', 'admin', 'doctor', 'nurse', 'receptionist'] as const;
export type Role = (typeof roles)[number];

export const privileges = ['send_messages', 'inbox', 'contacts'] as const;
export type Privilege = (typeof privileges)[number];

export const plans = ['free', 'pro', 'accelerator'] as const;
export type Plan = (typeof plans)[number];

export const isAdmin = (role: Role) => role === 'main_admin' || role === 'admin';

/** Admins see every clinic of their organization; everyone else sees the clinics granted to them. */
export function canAccessClinic(user: { role: Role; clinicIds: readonly string[] }, clinicId: string): boolean {
  return isAdmin(user.role) || user.clinicIds.includes(clinicId);
}

/** The main admin always holds every privilege: the owner can never lock themselves out. */
export function effectivePrivileges(role: Role, granted: readonly Privilege[]): Privilege[] {
  return role === 'main_admin' ? [...privileges] : privileges.filter((p) => granted.includes(p));
}

/** A URL-safe clinic slug from its name: "St. Mary's Clinic" → "st-marys-clinic". */
export function slugify(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .replace(/-+$/, '');
  return slug || 'clinic';
}
