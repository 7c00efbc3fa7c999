import { defineConfig } from 'vitest/config';

// backend-ci's own tests. Unit tests are fast and deterministic; integration and end-to-end tests start real
// Postgres, Redis and processes, so they get longer timeouts. sample-service/ has its own vitest config.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'sample-service/**', '**/fixtures/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: ['default'],
    pool: 'forks',
  },
});
