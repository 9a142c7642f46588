/**
 * P4: decisions about plans. What each plan includes lives in the plan_entitlements table (data an
 * operator can change); these functions decide from a loaded copy of it.
 */
import type { Plan } from '../orgs/rules.js';

export const features = ['crm', 'two_way_sms'] as const;
export type Feature = (typeof features)[number];

export interface Entitlements {
  plan: Plan;
  name: string;
  rank: number;
  monthlyPriceCents: number;
  features: readonly string[];
  /** Null: unlimited. */
  guestConversationsPerMonth: number | null;
}

export const smsInboxMonthlyCents = 500;

export const planAllows = (e: Entitlements, feature: Feature) => e.features.includes(feature);

/** The cheapest plan that includes the feature: what a 402 tells the customer to buy. */
export function cheapestWith(catalog: readonly Entitlements[], allows: (e: Entitlements) => boolean): Entitlements | null {
  return [...catalog].sort((a, b) => a.rank - b.rank).find(allows) ?? null;
}

/** The first instant of the UTC calendar month `at` falls in: monthly limits count from here. */
export function monthStart(at: Date): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
}

/** How many more new guest conversations the plan lets in this month (Infinity when unlimited). */
export function guestRoomLeft(e: Entitlements, usedThisMonth: number): number {
  return e.guestConversationsPerMonth === null ? Infinity : Math.max(0, e.guestConversationsPerMonth - usedThisMonth);
}
