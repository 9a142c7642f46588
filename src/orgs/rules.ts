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

/**
 * Every time Frontdesk shows, in the clinic's time zone and one format ("Mar 2, 2026, 9:05 AM"),
 * whoever looks — staff, the guest page, the portal — and wherever their browser is.
 */
export function clinicTime(at: Date | string, timeZone: string): string {
  return new Intl.DateTimeFormat('en-US', { timeZone, dateStyle: 'medium', timeStyle: 'short' }).format(new Date(at));
}

const dayKey = (d: Date, timeZone: string) => new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);

/** The list's short form of the same: "9:05 AM" today, "Mon" this week, "Mar 2" this year, else "Mar 2, 2025". */
export function clinicShortTime(at: Date | string, timeZone: string, now = new Date(), locale = 'en-US'): string {
  const d = new Date(at);
  const part = (options: Intl.DateTimeFormatOptions) => new Intl.DateTimeFormat(locale, { timeZone, ...options }).format(d);
  if (dayKey(d, timeZone) === dayKey(now, timeZone)) return part({ timeStyle: 'short' });
  if (now.getTime() - d.getTime() < 6 * 86_400_000) return part({ weekday: 'short' });
  if (dayKey(d, timeZone).slice(0, 4) === dayKey(now, timeZone).slice(0, 4)) return part({ month: 'short', day: 'numeric' });
  return part({ dateStyle: 'medium' });
}
