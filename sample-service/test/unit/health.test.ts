import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runHealthChecks } from '../../src/health/health.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('runHealthChecks', () => {
  it('is ok when every check passes', async () => {
    const report = await runHealthChecks([
      { name: 'database', check: async () => {} },
      { name: 'redis', check: async () => {} },
    ]);

    expect(report).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
  });

  it('names the failing check and its error', async () => {
    const report = await runHealthChecks([
      { name: 'database', check: async () => {} },
      { name: 'redis', check: async () => Promise.reject(new Error('connect ECONNREFUSED')) },
    ]);

    expect(report).toEqual({ status: 'unavailable', checks: { database: 'ok', redis: 'connect ECONNREFUSED' } });
  });

  it('fails a check that does not answer within the deadline', async () => {
    const pending = runHealthChecks([{ name: 'database', check: () => new Promise(() => {}) }], 1000);

    await vi.advanceTimersByTimeAsync(1000);

    expect(await pending).toEqual({
      status: 'unavailable',
      checks: { database: 'database did not answer within 1000 ms' },
    });
  });
});
