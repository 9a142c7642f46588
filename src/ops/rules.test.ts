import { describe, expect, it } from 'vitest';
import { acceptableRequestId, metricsAuthorized, readiness, type ReadinessObservation } from './rules.js';

const limits = { heartbeatStaleSeconds: 60, queueStuckSeconds: 300 };
const healthy: ReadinessObservation = { database: true, pendingMigrations: 0, heartbeatAgeSeconds: 5, oldestDueJobSeconds: null };

describe('readiness', () => {
  it('is ready when every check passes', () => {
    const r = readiness(healthy, limits);
    expect(r.ready).toBe(true);
    expect(Object.values(r.checks).map((c) => c.ok)).toEqual([true, true, true, true]);
  });
  it.each<[string, Partial<ReadinessObservation>, string]>([
    ['the database does not answer', { database: false }, 'database'],
    ['a migration is missing', { pendingMigrations: 2 }, 'migrations'],
    ['no worker ever beat', { heartbeatAgeSeconds: null }, 'worker'],
    ['the last heartbeat is stale', { heartbeatAgeSeconds: 61 }, 'worker'],
    ['a due job waited too long', { oldestDueJobSeconds: 301 }, 'queue'],
  ])('is not ready when %s', (_why, change, failing) => {
    const r = readiness({ ...healthy, ...change }, limits);
    expect(r.ready).toBe(false);
    expect(Object.entries(r.checks).filter(([, c]) => !c.ok).map(([name]) => name)).toContain(failing);
  });
  it('accepts a heartbeat exactly at the limit and a job exactly at the limit', () => {
    expect(readiness({ ...healthy, heartbeatAgeSeconds: 60, oldestDueJobSeconds: 300 }, limits).ready).toBe(true);
  });
});

describe('metrics token', () => {
  const equal = (a: string, b: string) => a === b;
  it('lets everyone in when no token is configured', () => expect(metricsAuthorized(null, undefined, equal)).toBe(true));
  it('needs the bearer token when one is configured', () => {
    expect(metricsAuthorized('s3cret', undefined, equal)).toBe(false);
    expect(metricsAuthorized('s3cret', 'Bearer wrong', equal)).toBe(false);
    expect(metricsAuthorized('s3cret', 'Basic s3cret', equal)).toBe(false);
    expect(metricsAuthorized('s3cret', 'Bearer s3cret', equal)).toBe(true);
  });
});

describe('request ids', () => {
  it('keeps a proxy token and refuses anything that could carry more', () => {
    expect(acceptableRequestId('req-7f3a.2:1')).toBe(true);
    expect(acceptableRequestId('')).toBe(false);
    expect(acceptableRequestId('a b')).toBe(false);
    expect(acceptableRequestId('x'.repeat(129))).toBe(false);
    expect(acceptableRequestId(['a'])).toBe(false);
  });
});
