/**
 * Issue 22: a practice system's FHIR R4 `Patient` resources read as rows of the patient import, so
 * a Bundle goes through the same checks, matching (C4) and idempotence as a CSV. Pure.
 */
import type { ImportField } from './rules.js';

/** The columns a Patient is read into; the import maps each to the field of the same name. */
export const fhirColumns = ['externalId', 'name', 'phone', 'email', 'dateOfBirth', 'type'] as const satisfies readonly ImportField[];
export const fhirMapping = Object.fromEntries(fhirColumns.map((c) => [c, c]));

type Row = { record: string[] } | { refused: string[] };

interface HumanName { use?: string; text?: string; given?: string[]; family?: string; period?: { end?: string } }
interface ContactPoint { system?: string; value?: string; use?: string; rank?: number; period?: { end?: string } }
interface Identifier { use?: string; value?: string; type?: { coding?: { code?: string }[] } }

const asArray = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const text = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

/** R4's own order of preference: a current official or usual name first. */
function pickName(names: HumanName[]): string {
  const current = names.filter((n) => !n.period?.end && n.use !== 'old' && n.use !== 'maiden');
  const name = current.find((n) => n.use === 'official') ?? current.find((n) => n.use === 'usual') ?? current[0];
  if (!name) return '';
  return text(name.text) || [...asArray<string>(name.given).map(text), text(name.family)].filter(Boolean).join(' ');
}

/** The contact point to text or mail: current ones only, a mobile first for phones, then by rank. */
function pickTelecom(points: ContactPoint[], systems: string[]): string {
  const usable = points
    .filter((p) => systems.includes(p.system ?? '') && text(p.value) && p.use !== 'old' && !p.period?.end)
    .sort((a, b) => Number(b.use === 'mobile') - Number(a.use === 'mobile') || (a.rank ?? Infinity) - (b.rank ?? Infinity));
  return text(usable[0]?.value);
}

/** The practice's own number for the patient: a medical record number first, then the usual or first identifier. */
function pickIdentifier(ids: Identifier[], resourceId: string): string {
  const withValue = ids.filter((i) => text(i.value) && i.use !== 'old');
  const mrn = withValue.find((i) => asArray<{ code?: string }>(i.type?.coding).some((c) => c.code === 'MR'));
  return text((mrn ?? withValue.find((i) => i.use === 'usual') ?? withValue[0])?.value) || resourceId;
}

/**
 * One Bundle entry as an import row. A partial birth date (`1984`, `1984-03`), which the contact
 * cannot hold, is left out rather than refusing the patient.
 */
export function patientRow(entry: unknown): Row {
  const resource = (entry as { resource?: unknown } | null)?.resource as Record<string, unknown> | undefined;
  if (!resource || typeof resource !== 'object') return { refused: ['the entry has no resource'] };
  if (resource.resourceType !== 'Patient') return { refused: [`resourceType ${text(resource.resourceType) || '(none)'}: only Patient resources are imported`] };
  const birthDate = text(resource.birthDate);
  const values: Record<(typeof fhirColumns)[number], string> = {
    externalId: pickIdentifier(asArray<Identifier>(resource.identifier), text(resource.id)),
    name: pickName(asArray<HumanName>(resource.name)),
    phone: pickTelecom(asArray<ContactPoint>(resource.telecom), ['phone', 'sms']),
    email: pickTelecom(asArray<ContactPoint>(resource.telecom), ['email']),
    dateOfBirth: /^\d{4}-\d{2}-\d{2}$/.test(birthDate) ? birthDate : '',
    type: 'patient',
  };
  return { record: fhirColumns.map((c) => values[c]) };
}

/** Why a body is not a Bundle of entries, or null. */
export function bundleProblem(body: unknown): string | null {
  const bundle = body as { resourceType?: unknown; entry?: unknown } | null;
  if (!bundle || typeof bundle !== 'object' || Array.isArray(bundle)) return 'the body must be a FHIR R4 Bundle (a JSON object)';
  if (bundle.resourceType !== 'Bundle') return `resourceType: expected "Bundle", got ${JSON.stringify(bundle.resourceType ?? null)}`;
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) return 'entry: must be an array of { resource: Patient }';
  return null;
}
