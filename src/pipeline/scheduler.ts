/**
 * Runs a graph of stages: every stage starts as soon as what it depends on has settled, independent stages run
 * concurrently, a failed stage does not stop independent ones, and its dependants are skipped with the reason.
 *
 * Two kinds of edge:
 * - `needs`: the stage runs only when each of these PASSED (else it is skipped, naming the one that did not pass).
 * - `after`: ordering only; the stage waits for these to settle whatever their outcome (e.g. the non-critical suite
 *   runs after the critical one, on the same database, even when a critical test failed).
 *
 * Every stage has a timeout; on timeout, fail-fast or an outer abort (Ctrl-C, job cancel) its AbortSignal fires and the
 * stage's run function must stop its processes (run-process.ts kills the whole process group).
 */
import type { StageResult, StageStatus } from '../types.js';

export interface StageRunContext {
  /** Fires on timeout, fail-fast or outer abort. */
  signal: AbortSignal;
}

/** What a stage's run function reports back (status passed/failed; timeouts and cancels are decided here). */
export interface StageOutcome {
  status: 'passed' | 'failed';
  reason?: string;
  exitCode?: number | null;
  logPath?: string;
  junitPaths?: string[];
  coveragePaths?: string[];
}

export interface StageDefinition {
  id: string;
  title: string;
  needs?: string[];
  after?: string[];
  /** Whether the run's exit code depends on this stage (default true). */
  required?: boolean;
  timeoutMs: number;
  run(ctx: StageRunContext): Promise<StageOutcome>;
}

export type SchedulerEvent =
  | { type: 'start'; id: string; title: string; atMs: number }
  | { type: 'end'; result: StageResult };

export interface RunGraphOptions {
  /** Cancel running stages and skip pending ones at the first failure of a required stage. */
  failFast?: boolean;
  /** Outer cancellation (Ctrl-C, job cancel). */
  signal?: AbortSignal;
  /** At most this many stages at once (default: no limit). */
  concurrency?: number;
  /** How long to wait for a stage's run function to return after its signal fired before giving up on it. */
  abortGraceMs?: number;
  onEvent?: (event: SchedulerEvent) => void;
}

export class GraphError extends Error {
  override name = 'GraphError';
}

/** Checks ids are unique, every edge points at a known stage, and there is no cycle. */
export function validateGraph(stages: StageDefinition[]): void {
  const ids = new Set<string>();
  for (const s of stages) {
    if (ids.has(s.id)) throw new GraphError(`stage "${s.id}" is defined twice`);
    ids.add(s.id);
  }
  for (const s of stages) {
    for (const dep of [...(s.needs ?? []), ...(s.after ?? [])]) {
      if (!ids.has(dep)) {
        throw new GraphError(`stage "${s.id}" depends on unknown stage "${dep}"; known stages: ${[...ids].join(', ')}`);
      }
    }
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const byId = new Map(stages.map((s) => [s.id, s]));
  const visit = (id: string, path: string[]): void => {
    const st = state.get(id);
    if (st === 'done') return;
    if (st === 'visiting') throw new GraphError(`stages depend on each other in a cycle: ${[...path, id].join(' -> ')}`);
    state.set(id, 'visiting');
    const s = byId.get(id)!;
    for (const dep of [...(s.needs ?? []), ...(s.after ?? [])]) visit(dep, [...path, id]);
    state.set(id, 'done');
  };
  for (const s of stages) visit(s.id, []);
}

/** Runs the graph; resolves with one result per stage, in definition order. Never rejects for a stage's failure. */
export async function runGraph(stages: StageDefinition[], opts: RunGraphOptions = {}): Promise<StageResult[]> {
  validateGraph(stages);
  const concurrency = opts.concurrency ?? Number.POSITIVE_INFINITY;
  const abortGraceMs = opts.abortGraceMs ?? 10_000;
  const results = new Map<string, StageResult>();
  const running = new Map<string, AbortController>();
  let stopReason: string | undefined = opts.signal?.aborted ? 'run cancelled' : undefined;

  let wake: () => void = () => {};
  const settle = (result: StageResult): void => {
    results.set(result.id, result);
    opts.onEvent?.({ type: 'end', result });
    wake();
  };

  const abortAll = (reason: string): void => {
    if (!stopReason) stopReason = reason;
    for (const ctl of running.values()) ctl.abort();
    wake();
  };
  const onOuterAbort = (): void => abortAll('run cancelled');
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });

  const skip = (s: StageDefinition, reason: string): void =>
    settle({ id: s.id, title: s.title, status: 'skipped', durationMs: 0, reason, required: s.required ?? true });

  const launch = (s: StageDefinition): void => {
    const ctl = new AbortController();
    running.set(s.id, ctl);
    const startedAtMs = Date.now();
    opts.onEvent?.({ type: 'start', id: s.id, title: s.title, atMs: startedAtMs });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, s.timeoutMs);

    let graceTimer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<'gave-up'>((resolve) => {
      ctl.signal.addEventListener('abort', () => {
        graceTimer = setTimeout(() => resolve('gave-up'), abortGraceMs);
      });
    });

    const finish = (status: StageStatus, outcome: Partial<StageOutcome>): void => {
      clearTimeout(timer);
      if (graceTimer) clearTimeout(graceTimer);
      running.delete(s.id);
      const result: StageResult = {
        id: s.id,
        title: s.title,
        status,
        durationMs: Date.now() - startedAtMs,
        startedAtMs,
        required: s.required ?? true,
      };
      if (outcome.reason !== undefined) result.reason = outcome.reason;
      if (outcome.exitCode !== undefined) result.exitCode = outcome.exitCode;
      if (outcome.logPath !== undefined) result.logPath = outcome.logPath;
      if (outcome.junitPaths !== undefined) result.junitPaths = outcome.junitPaths;
      if (outcome.coveragePaths !== undefined) result.coveragePaths = outcome.coveragePaths;
      settle(result);
      if (status !== 'passed' && status !== 'cancelled' && result.required && opts.failFast) {
        abortAll(`fail-fast: "${s.id}" ${status}`);
      }
    };

    Promise.race([
      Promise.resolve()
        .then(() => s.run({ signal: ctl.signal }))
        .then(
          (outcome) => ({ kind: 'outcome' as const, outcome }),
          (err: unknown) => ({ kind: 'error' as const, err }),
        ),
      gaveUp.then(() => ({ kind: 'gave-up' as const })),
    ]).then((r) => {
      const secs = (s.timeoutMs / 1000).toFixed(s.timeoutMs % 1000 === 0 ? 0 : 1);
      if (timedOut) {
        const base = r.kind === 'outcome' ? r.outcome : {};
        finish('timed-out', { ...base, reason: `timed out after ${secs} s; its processes were stopped` });
      } else if (ctl.signal.aborted) {
        const base = r.kind === 'outcome' ? r.outcome : {};
        finish('cancelled', { ...base, reason: stopReason ?? 'cancelled' });
      } else if (r.kind === 'outcome') {
        finish(r.outcome.status, r.outcome);
      } else if (r.kind === 'error') {
        const msg = r.err instanceof Error ? r.err.message : String(r.err);
        finish('failed', { reason: msg });
      } else {
        finish('failed', { reason: 'stage did not stop after cancellation' });
      }
    });
  };

  try {
    for (;;) {
      let progressed = false;
      for (const s of stages) {
        if (results.has(s.id) || running.has(s.id)) continue;
        if (stopReason) {
          skip(s, stopReason.startsWith('fail-fast') ? stopReason : `not started: ${stopReason}`);
          progressed = true;
          continue;
        }
        const deps = [...(s.needs ?? []), ...(s.after ?? [])];
        if (!deps.every((d) => results.has(d))) continue;
        const blocker = (s.needs ?? []).map((d) => results.get(d)!).find((r) => r.status !== 'passed');
        if (blocker) {
          skip(s, `skipped: needs "${blocker.id}", which ${blocker.status === 'skipped' ? 'was skipped' : blocker.status}`);
          progressed = true;
          continue;
        }
        if (running.size >= concurrency) continue;
        launch(s);
        progressed = true;
      }
      if (results.size === stages.length) break;
      if (!progressed) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = () => {};
      }
    }
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  return stages.map((s) => results.get(s.id)!);
}
