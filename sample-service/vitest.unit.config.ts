import { defineConfig } from 'vitest/config';

// Fast, deterministic tests of the service's modules: no database, no Redis, no network, fake timers for backoff.
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts'],
    testTimeout: 5_000,
    coverage: { provider: 'v8', include: ['src/**/*.ts'] },
  },
});
