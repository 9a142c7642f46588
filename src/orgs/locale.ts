/**
 * Issue 18: an organization's country (how typed phone numbers are read) and currency (charges,
 * cards, amounts). Organizations from before the columns existed read numbers in the install's
 * DEFAULT_COUNTRY, as they always did.
 */
import { eq } from 'drizzle-orm';
import { getCountries, type CountryCode } from 'libphonenumber-js';
import type { Actor } from '../auth/actor.js';
import { auditActor, recordAudit } from '../audit/service.js';
import type { DbOrTx } from '../db/client.js';
import type { Deps } from '../deps.js';
import { AppError } from '../errors.js';
import { organizations } from './schema.js';

export interface OrgLocale {
  country: string;
  currency: string;
}

const countries = new Set<string>(getCountries());

/** An ISO 3166 alpha-2 code libphonenumber knows (it reads numbers per country). */
export function isCountry(value: string): value is CountryCode {
  return countries.has(value);
}

/** An ISO 4217 code Intl can format (every currency in use; not "XYZ"). */
export function isCurrency(value: string): boolean {
  if (!/^[A-Z]{3}$/.test(value)) return false;
  const supported = (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('currency');
  return supported ? supported.includes(value) : true;
}

export async function orgLocale(db: DbOrTx, orgId: string, installCountry: string): Promise<OrgLocale> {
  const [org] = await db.select({ country: organizations.country, currency: organizations.currency }).from(organizations).where(eq(organizations.id, orgId));
  return { country: org?.country ?? installCountry, currency: org?.currency ?? 'USD' };
}

export async function orgCountry(db: DbOrTx, orgId: string, installCountry: string): Promise<string> {
  return (await orgLocale(db, orgId, installCountry)).country;
}

/** Sets the organization's country and/or currency (admin; audited as a setting change). */
export async function updateOrgLocale(deps: Deps, actor: Actor, input: { country?: string; currency?: string }): Promise<OrgLocale> {
  const country = input.country?.toUpperCase();
  const currency = input.currency?.toUpperCase();
  if (country !== undefined && !isCountry(country)) {
    throw new AppError('invalid_input', `country: "${input.country}" is not a country we can read phone numbers of (ISO 3166 alpha-2, e.g. MX)`, { errors: [{ field: 'body.country', message: 'is not a known country code' }] });
  }
  if (currency !== undefined && !isCurrency(currency)) {
    throw new AppError('invalid_input', `currency: "${input.currency}" is not an ISO 4217 currency (e.g. MXN)`, { errors: [{ field: 'body.currency', message: 'is not a known currency code' }] });
  }
  return deps.db.transaction(async (tx) => {
    await tx.update(organizations).set({ ...(country && { country }), ...(currency && { currency }) }).where(eq(organizations.id, actor.orgId));
    await recordAudit(tx, { ...auditActor(actor), action: 'organization.locale', subject: { type: 'organization', id: actor.orgId }, details: { country, currency } });
    return orgLocale(tx, actor.orgId, deps.config.defaultCountry);
  });
}
