import { describe, expect, it } from 'vitest';
import type { ProcessResult } from '../../src/process/run-process.js';
import { tailLines, waitForHealthy } from '../../src/load/health.js';
import type { Clock, FetchLike } from '../../src/load/health.js';

/** A manual clock: sleep() advances time instantly, so polling with a deadline runs without real waiting. */
function manualClock(): Clock & { slept: number[] } {
  let now = 1_000;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

const answers = (...statuses: (number | Error)[]): FetchLike & { calls: string[] } => {
  const calls: string[] = [];
  const fn = async (url: string) => {
    calls.push(url);
    const next = statuses.length > 1 ? statuses.shift() : statuses[0];
    if (next instanceof Error) throw next;
    return { ok: next !== undefined && next >= 200 && next < 300, status: next ?? 0, arrayBuffer: async () => new ArrayBuffer(0) };
  };
  return Object.assign(fn, { calls });
};

const never = new Promise<ProcessResult>(() => undefined);
const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });

describe('waitForHealthy', () => {
  it('polls until the endpoint answers 2xx', async () => {
    const clock = manualClock();
    const fetch = answers(refused, refused, 503, 200);
    const r = await waitForHealthy({ url: 'http://127.0.0.1:1/health', timeoutMs: 5000, intervalMs: 100, fetch, clock, exited: never });
    expect(r).toEqual({ healthy: true, afterMs: 300 });
    expect(fetch.calls).toHaveLength(4);
    expect(clock.slept).toEqual([100, 100, 100]);
  });

  it('gives up at the deadline and reports the last error', async () => {
    const clock = manualClock();
    const r = await waitForHealthy({ url: 'http://x/health', timeoutMs: 1000, intervalMs: 250, fetch: answers(refused), clock, exited: never });
    expect(r).toEqual({ healthy: false, why: 'timeout', lastError: 'ECONNREFUSED' });
    expect(clock.slept).toEqual([250, 250, 250, 250]);
  });

  it('reports HTTP statuses other than 2xx as the last error', async () => {
    const r = await waitForHealthy({ url: 'http://x/health', timeoutMs: 300, intervalMs: 100, fetch: answers(503), clock: manualClock(), exited: never });
    expect(r).toMatchObject({ why: 'timeout', lastError: 'HTTP 503' });
  });

  it('stops waiting as soon as the service process exits', async () => {
    const exit: ProcessResult = { exitCode: 1, signal: null, timedOut: false, cancelled: false, durationMs: 5, outputTail: 'boom' };
    const clock: Clock = { now: () => 0, sleep: () => new Promise(() => undefined) };
    const r = await waitForHealthy({ url: 'http://x/health', timeoutMs: 60_000, fetch: answers(refused), clock, exited: Promise.resolve(exit) });
    expect(r).toEqual({ healthy: false, why: 'exited', exit });
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const r = await waitForHealthy({ url: 'http://x/health', timeoutMs: 1000, fetch: answers(200), clock: manualClock(), exited: never, signal: controller.signal });
    expect(r).toEqual({ healthy: false, why: 'cancelled' });
  });
});

describe('tailLines', () => {
  it('keeps the last non-empty lines, indented', () => {
    expect(tailLines('a\n\nb\nc\n', 2)).toBe('  | b\n  | c');
  });
});
