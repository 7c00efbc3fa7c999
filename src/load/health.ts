/** Waits for a started service's health endpoint, watching for the process exiting first. */
import type { ProcessResult } from '../process/run-process.js';

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export type FetchLike = (url: string, init?: { signal?: AbortSignal }) => Promise<{ ok: boolean; status: number; arrayBuffer(): Promise<ArrayBuffer> }>;

export interface WaitForHealthyOptions {
  url: string;
  timeoutMs: number;
  /** Poll interval (default 100 ms). */
  intervalMs?: number;
  fetch: FetchLike;
  clock: Clock;
  /** Resolves when the service process exits. */
  exited: Promise<ProcessResult>;
  signal?: AbortSignal;
}

export type HealthOutcome =
  | { healthy: true; afterMs: number }
  | { healthy: false; why: 'exited'; exit: ProcessResult }
  | { healthy: false; why: 'timeout'; lastError: string }
  | { healthy: false; why: 'cancelled' };

/** Polls `url` until it answers 2xx, the deadline passes, the process exits or `signal` aborts. */
export async function waitForHealthy(opts: WaitForHealthyOptions): Promise<HealthOutcome> {
  const start = opts.clock.now();
  const deadline = start + opts.timeoutMs;
  let exit: ProcessResult | undefined;
  const exited = opts.exited.then((r) => {
    exit = r;
    return r;
  });
  let lastError = 'no answer yet';
  for (;;) {
    if (opts.signal?.aborted) return { healthy: false, why: 'cancelled' };
    if (exit) return { healthy: false, why: 'exited', exit };
    const remaining = deadline - opts.clock.now();
    if (remaining <= 0) return { healthy: false, why: 'timeout', lastError };
    try {
      const timeout = AbortSignal.timeout(Math.max(50, Math.min(2000, remaining)));
      const res = await opts.fetch(opts.url, { signal: opts.signal ? AbortSignal.any([opts.signal, timeout]) : timeout });
      await res.arrayBuffer().catch(() => undefined);
      if (res.ok) return { healthy: true, afterMs: opts.clock.now() - start };
      lastError = `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      lastError = cause?.code ?? cause?.message ?? (err as Error).message;
    }
    await Promise.race([opts.clock.sleep(opts.intervalMs ?? 100), exited]);
  }
}

/** The last `n` non-empty lines of a process's output, indented for a message. */
export function tailLines(text: string, n = 20): string {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return lines.slice(-n).map((l) => `  | ${l}`).join('\n');
}
