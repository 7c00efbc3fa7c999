import { readFileSync } from 'node:fs';

/**
 * Whether a process is still running. A killed process whose parent died is re-parented to PID 1, which in some
 * containers never reaps it: it stays a zombie (state Z) that kill(pid, 0) still finds, so zombies count as gone.
 */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** Polls until `pid` is no longer running (see isRunning); false when it still runs after `ms`. */
export async function waitUntilGone(pid: number, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (isRunning(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
