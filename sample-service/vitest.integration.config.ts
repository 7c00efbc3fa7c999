import { defineConfig } from 'vitest/config';

// Integration tests against real Postgres and Redis (started by test/support/global-setup.ts unless DATABASE_URL and
// REDIS_URL are set), over real HTTP. The external CRM is the only thing mocked, with msw at the HTTP boundary.
// Critical tests: every file under test/integration/critical/, and any test whose full name contains "@critical".
export default defineConfig({
  test: {
    include: ['test/integration/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    pool: 'forks',
    maxWorkers: 2,
    coverage: { provider: 'v8', include: ['src/**/*.ts'] },
  },
});
