/** Shared helpers of the service-provider integration tests (real processes, real sockets). */
import { readdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import type { ProviderContext } from '../../src/services/types.js';

export { isRunning as alive } from '../support/processes.js';

/** Resolves true if something accepts a TCP connection on 127.0.0.1:port. */
export function portAnswers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Pids of processes whose command line mentions `text` (e.g. a data dir passed as `-D`). */
export function pidsMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

export function context(workDir: string, overrides: Partial<ProviderContext> = {}): ProviderContext & { lines: string[] } {
  const lines: string[] = [];
  return {
    signal: new AbortController().signal,
    readyTimeoutMs: 30_000,
    log: (line) => lines.push(line),
    workDir,
    lines,
    ...overrides,
  };
}

/** Runs `fn` and returns what it threw (fails the test if it did not throw). */
export async function thrown(fn: () => Promise<unknown>): Promise<Error> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a rejection');
}
