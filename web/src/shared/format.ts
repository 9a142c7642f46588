/**
 * Defect 8: numbers and times the one way everywhere in the staff app — numbers national at home and
 * international abroad, times in the clinic's zone in one format (the rules are shared with the
 * server's pages). Set once at sign-in from /me: the home country and each clinic's zone.
 */
import { displayPhone } from '../../../src/contacts/display';
import { clinicShortTime, clinicTime } from '../../../src/orgs/rules';
import type { Me } from './types';

let country = 'US';
let zones = new Map<string, string>();
let defaultZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

export function setDisplayContext(me: Pick<Me, 'defaultCountry' | 'clinics'>): void {
  country = me.defaultCountry;
  zones = new Map(me.clinics.map((c) => [c.id, c.timezone]));
  defaultZone = me.clinics[0]?.timezone ?? defaultZone;
}

const zoneOf = (clinicId?: string | null) => (clinicId && zones.get(clinicId)) || defaultZone;

export const phone = (e164: string | null | undefined): string => (e164 ? displayPhone(e164, country) : '');
/** "Mar 2, 2026, 9:05 AM" in the clinic's zone (the first clinic's when none is named). */
export const when = (iso: string, clinicId?: string | null): string => clinicTime(iso, zoneOf(clinicId));
/** The list's short form: "9:05 AM", "Mon", "Mar 2", "Mar 2, 2025". */
export const shortWhen = (iso: string, clinicId?: string | null, now?: Date): string => clinicShortTime(iso, zoneOf(clinicId), now);
