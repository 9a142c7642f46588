import { defineConfig } from 'vitest/config';

/**
 * Three projects: pure unit tests; the HTTP API suite against the machine's PostgreSQL server
 * (TEST_DATABASE_URL); and the same suite against the embedded PostgreSQL that `npm start` uses.
 */
export default defineConfig({
  test: {
    reporters: ['default', './test/summary-reporter.ts'],
    projects: [
      { test: { name: 'unit', include: ['src/**/*.test.ts', 'web/src/**/*.test.ts', 'test/setup/**/*.test.ts'] } },
      {
        test: {
          name: 'api:server',
          include: ['test/api/**/*.test.ts'],
          globalSetup: ['test/setup/server-db.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
      {
        test: {
          name: 'api:embedded',
          include: ['test/api/**/*.test.ts'],
          globalSetup: ['test/setup/embedded-db.ts'],
          testTimeout: 30_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'browser',
          include: ['test/browser/**/*.test.ts'],
          globalSetup: ['test/setup/chromium.ts', 'test/setup/server-db.ts', 'test/setup/web-build.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      { test: { name: 'smoke', include: ['test/smoke/**/*.test.ts'], globalSetup: ['test/setup/postgres.ts'], testTimeout: 180_000, hookTimeout: 180_000 } },
    ],
  },
});
