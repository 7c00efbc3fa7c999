/**
 * Live progress of a run in the terminal: a line when a stage starts and ends, and every `intervalMs` a line naming
 * the stages still running, their elapsed time and their latest output line.
 */
import { stripVTControlCharacters } from 'node:util';
import pc from 'picocolors';
import type { SchedulerEvent } from '../pipeline/scheduler.js';
import type { StageStatus } from '../types.js';

export interface ProgressOptions {
  write: (line: string) => void;
  color: boolean;
  /** Latest output line per running stage. */
  lastLine: Map<string, string>;
  intervalMs?: number;
  now?: () => number;
  mask?: (text: string) => string;
}

const ICON: Record<StageStatus, string> = { passed: '✔', failed: '✖', skipped: '○', 'timed-out': '⏱', cancelled: '■' };

export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms / 1000)}s`;
}

export function createProgress(opts: ProgressOptions): { onEvent: (e: SchedulerEvent) => void; stop: () => void } {
  const now = opts.now ?? Date.now;
  const mask = opts.mask ?? ((t: string) => t);
  const c = opts.color ? pc : pc.createColors(false);
  const running = new Map<string, number>();
  const paint = (status: StageStatus, text: string): string =>
    status === 'passed' ? c.green(text) : status === 'skipped' ? c.dim(text) : status === 'cancelled' ? c.yellow(text) : c.red(text);

  const timer = setInterval(() => {
    if (running.size === 0) return;
    const parts = [...running].map(([id, at]) => {
      const last = opts.lastLine.get(id);
      return `${id} ${formatSeconds(now() - at)}${last ? c.dim(` · ${stripVTControlCharacters(mask(last)).trim().slice(0, 80)}`) : ''}`;
    });
    opts.write(c.dim(`  … running: ${parts.join(' | ')}`));
  }, opts.intervalMs ?? 10_000);
  timer.unref();

  return {
    onEvent: (e) => {
      if (e.type === 'start') {
        running.set(e.id, e.atMs);
        opts.write(`${c.cyan('▶')} ${e.title}`);
        return;
      }
      running.delete(e.result.id);
      const r = e.result;
      const head = `${paint(r.status, ICON[r.status])} ${r.title} ${c.dim(`${r.status} ${r.status === 'skipped' ? '' : formatSeconds(r.durationMs)}`.trim())}`;
      opts.write(r.reason && r.status !== 'passed' ? `${head}${c.dim(' — ')}${mask(r.reason)}` : head);
    },
    stop: () => clearInterval(timer),
  };
}
