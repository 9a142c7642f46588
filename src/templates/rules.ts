/** K2: message templates with {{placeholders}}, checked when saved and filled in per recipient. Pure; shared with the web app. */

export const placeholders = [
  'patient.firstName',
  'patient.lastName',
  'patient.name',
  'clinic.name',
  'clinic.phone',
  'clinic.address',
  'staff.name',
  'appointment.date',
  'appointment.time',
] as const;
export type Placeholder = (typeof placeholders)[number];

const pattern = /\{\{\s*([^{}]*?)\s*\}\}/g;

/** The placeholders a template uses that we do not know, in the order they appear. */
export function unknownPlaceholders(body: string): string[] {
  const known = new Set<string>(placeholders);
  return [...new Set([...body.matchAll(pattern)].map((m) => m[1]!).filter((name) => !known.has(name)))];
}

export interface TemplateValues {
  patient: { name: string };
  clinic: { name: string; phone: string | null; address: string | null; timezone?: string };
  staff: { name: string };
  /** The patient's appointment: the one a reminder is about, or their next one. */
  appointment?: { startsAt: Date } | null;
  /** The language of the version being filled in: dates read in it ("jueves, 5 de marzo"). */
  language?: string;
}

/** An appointment's date and time as the clinic's patients read them: in the clinic's time zone. */
export function appointmentParts(startsAt: Date, timezone = 'America/New_York', language = 'en'): { date: string; time: string } {
  const locale = language === 'en' ? 'en-US' : language;
  return {
    date: new Intl.DateTimeFormat(locale, { timeZone: timezone, weekday: 'long', month: 'long', day: 'numeric' }).format(startsAt),
    time: new Intl.DateTimeFormat(locale, { timeZone: timezone, hour: 'numeric', minute: '2-digit' }).format(startsAt),
  };
}

function valueOf(name: Placeholder, v: TemplateValues): string {
  const [first, ...rest] = v.patient.name.trim().split(/\s+/);
  switch (name) {
    case 'patient.firstName':
      return first ?? '';
    case 'patient.lastName':
      return rest.join(' ');
    case 'patient.name':
      return v.patient.name;
    case 'clinic.name':
      return v.clinic.name;
    case 'clinic.phone':
      return v.clinic.phone ?? '';
    case 'clinic.address':
      return v.clinic.address ?? '';
    case 'staff.name':
      return v.staff.name;
    case 'appointment.date':
      return v.appointment ? appointmentParts(v.appointment.startsAt, v.clinic.timezone, v.language).date : '';
    case 'appointment.time':
      return v.appointment ? appointmentParts(v.appointment.startsAt, v.clinic.timezone, v.language).time : '';
  }
}

const isPlaceholder = (name: string): name is Placeholder => (placeholders as readonly string[]).includes(name);

/**
 * Fills a template in for one recipient; an unknown placeholder stays as written. With
 * `keepEmpty` (the composer), a placeholder without a value stays too, for staff to fill in.
 */
export function renderTemplate(body: string, values: TemplateValues, opts: { keepEmpty?: boolean } = {}): string {
  return body.replace(pattern, (whole, name: string) => {
    if (!isPlaceholder(name)) return whole;
    const value = valueOf(name, values);
    return value === '' && opts.keepEmpty ? whole : value;
  });
}

/** The known placeholders still in a draft, once each in the order they appear: it must not go out so. */
export function unfilledPlaceholders(text: string): Placeholder[] {
  return [...new Set([...text.matchAll(pattern)].map((m) => m[1]!).filter(isPlaceholder))];
}

/** "appointment.date" → "appointment date", as a receptionist reads it. */
export const placeholderLabel = (name: Placeholder) => name.replace('.', ' ').replace(/([a-z])([A-Z])/g, (_, a: string, b: string) => `${a} ${b.toLowerCase()}`);
