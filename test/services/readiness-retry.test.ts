import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  PermanentProbeError,
  ReadinessAbortedError,
  ReadinessTimeoutError,
  retryUntilReady,
  type ProbeContext,
} from '../../src/services/readiness.js';

function refused(): Error {
  return Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
}

beforeEach(() => {
  vi.useFakeTimers({ now: 0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('retryUntilReady (fake timers, injected probe)', () => {
  it('retries with doubling pauses capped at maxDelayMs until the probe succeeds', async () => {
    const calls: number[] = [];
    const probe = vi.fn(async (ctx: ProbeContext) => {
      calls.push(Date.now());
      if (ctx.attempt < 6) throw refused();
      return 'up';
    });
    const p = retryUntilReady(probe, { timeoutMs: 10_000, initialDelayMs: 100, maxDelayMs: 400 });
    await vi.runAllTimersAsync();
    const r = await p;
    expect(r.value).toBe('up');
    expect(r.attempts).toBe(6);
    // pauses 100, 200, 400, 400, 400
    expect(calls).toEqual([0, 100, 300, 700, 1100, 1500]);
    expect(r.elapsedMs).toBe(1500);
  });

  it('gives up at the deadline with the attempt count and the last error', async () => {
    const probe = vi.fn(async () => {
      throw refused();
    });
    const p = retryUntilReady(probe, { timeoutMs: 1000, initialDelayMs: 100, maxDelayMs: 1000 });
    const settled = p.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    const err = await settled;
    expect(err).toBeInstanceOf(ReadinessTimeoutError);
    const t = err as ReadinessTimeoutError;
    // attempts at 0, 100, 300, 700; the next pause (800) is cut to the deadline, where it gives up
    expect(probe).toHaveBeenCalledTimes(4);
    expect(t.attempts).toBe(4);
    expect(String((t.lastError as Error).message)).toContain('ECONNREFUSED');
    expect(Date.now()).toBe(1000);
  });

  it('stops at once on a permanent failure such as rejected credentials', async () => {
    const probe = vi.fn(async () => {
      throw new PermanentProbeError('rejected the credentials');
    });
    const p = retryUntilReady(probe, { timeoutMs: 10_000 });
    const settled = p.catch((e: unknown) => e);
    await vi.runAllTimersAsync();
    expect(await settled).toBeInstanceOf(PermanentProbeError);
    expect(probe).toHaveBeenCalledTimes(1);
    expect(Date.now()).toBe(0);
  });

  it('abandons a probe that hangs past the deadline and aborts its signal', async () => {
    let probeSignal: AbortSignal | undefined;
    const probe = vi.fn((ctx: ProbeContext) => {
      probeSignal = ctx.signal;
      expect(ctx.remainingMs).toBe(2000);
      return new Promise<never>(() => undefined);
    });
    const p = retryUntilReady(probe, { timeoutMs: 2000 });
    const settled = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(2000);
    const err = await settled;
    expect(err).toBeInstanceOf(ReadinessTimeoutError);
    expect((err as Error).message).toContain('no answer before the deadline');
    expect(probeSignal?.aborted).toBe(true);
  });

  it('stops waiting when the signal fires during a pause', async () => {
    const ctl = new AbortController();
    const probe = vi.fn(async () => {
      throw refused();
    });
    const p = retryUntilReady(probe, { timeoutMs: 60_000, signal: ctl.signal, initialDelayMs: 1000 });
    const settled = p.catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(500);
    ctl.abort();
    expect(await settled).toBeInstanceOf(ReadinessAbortedError);
    expect(probe).toHaveBeenCalledTimes(1);
  });

  it('does not probe at all when the signal has already fired', async () => {
    const ctl = new AbortController();
    ctl.abort();
    const probe = vi.fn(async () => 'up');
    await expect(retryUntilReady(probe, { timeoutMs: 1000, signal: ctl.signal })).rejects.toBeInstanceOf(
      ReadinessAbortedError,
    );
    expect(probe).not.toHaveBeenCalled();
  });
});
