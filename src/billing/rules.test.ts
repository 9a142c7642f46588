import { describe, expect, it } from 'vitest';
import { cheapestWith, guestRoomLeft, monthStart, planAllows, type Entitlements } from './rules.js';

const catalog: Entitlements[] = [
  { plan: 'accelerator', name: 'Accelerator', rank: 2, monthlyPriceCents: 9900, features: ['crm', 'two_way_sms'], guestConversationsPerMonth: null },
  { plan: 'free', name: 'Free', rank: 0, monthlyPriceCents: 0, features: [], guestConversationsPerMonth: 25 },
  { plan: 'pro', name: 'Pro', rank: 1, monthlyPriceCents: 4900, features: ['crm'], guestConversationsPerMonth: null },
];

describe('plans (P4)', () => {
  it('names the cheapest plan that unlocks a feature, whatever order the rows come in', () => {
    expect(cheapestWith(catalog, (e) => planAllows(e, 'crm'))?.plan).toBe('pro');
    expect(cheapestWith(catalog, (e) => planAllows(e, 'two_way_sms'))?.plan).toBe('accelerator');
    expect(cheapestWith(catalog, (e) => e.guestConversationsPerMonth === null)?.plan).toBe('pro');
    expect(cheapestWith([catalog[1]], (e) => planAllows(e, 'crm'))).toBeNull();
  });

  it('counts the guest conversations left this month', () => {
    expect(guestRoomLeft(catalog[1], 0)).toBe(25);
    expect(guestRoomLeft(catalog[1], 24)).toBe(1);
    expect(guestRoomLeft(catalog[1], 30)).toBe(0);
    expect(guestRoomLeft(catalog[2], 10_000)).toBe(Infinity);
  });

  it('starts the month at midnight UTC on the first', () => {
    expect(monthStart(new Date('2026-11-24T15:04:05Z')).toISOString()).toBe('2026-11-01T00:00:00.000Z');
    expect(monthStart(new Date('2026-01-01T00:00:00Z')).toISOString()).toBe('2026-01-01T00:00:00.000Z');
  });
});
