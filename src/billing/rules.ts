/** P4: what each plan includes, as data. Code asks `planAllows`; prices and limits live here, nowhere else. */
import type { Plan } from '../orgs/rules.js';

export const features = ['crm', 'two_way_sms'] as const;
export type Feature = (typeof features)[number];

export const planCatalog: Record<Plan, { name: string; features: readonly Feature[] }> = {
  free: { name: 'Free', features: [] },
  pro: { name: 'Pro', features: ['crm'] },
  accelerator: { name: 'Accelerator', features: ['crm', 'two_way_sms'] },
};

export const smsInboxMonthlyCents = 500;

export const planAllows = (plan: Plan, feature: Feature) => planCatalog[plan].features.includes(feature);

/** The first plan, in price order, that includes the feature: what a 402 tells the customer to buy. */
export function planFor(feature: Feature): Plan {
  return (Object.keys(planCatalog) as Plan[]).find((p) => planAllows(p, feature))!;
}
