/**
 * One run of the pipeline: builds the stage graph from the resolved config, runs it, ALWAYS stops the services,
 * then hands every stage's results to the report writer and decides the exit code.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ResolvedConfig } from '../config/resolve.js';
import type { GateReport, StageResult } from '../types.js';
import { criticalPathMs } from './critical-path.js';
import { runGraph, type SchedulerEvent } from './scheduler.js';
import { buildStages, type PipelineRuntime, type StageDeps } from './stages.js';

/** Stage ids in report order. */
export const STAGE_ORDER = ['shard', 'install', 'lint', 'typecheck', 'unit', 'services', 'migrate', 'integration:critical', 'integration:non-critical', 'load'];

export interface ReportInput {
  config: ResolvedConfig;
  stages: StageResult[];
  gate: GateReport | null;
  junitPaths: string[];
  coveragePaths: string[];
}

/** Totals the report writer found; the run fails when tests failed or a coverage threshold was missed. */
export interface ReportOutcome {
  tests: { passed: number; failed: number; flaky: number; skipped: number; total: number };
  coverageLines: number | null;
  coveragePassed: boolean;
  /** Text for the terminal. */
  terminal: string;
}

export interface ReportWriter {
  write(input: ReportInput): Promise<ReportOutcome>;
}

export interface PipelineDeps extends StageDeps {
  report: ReportWriter;
}

export interface PipelineOptions {
  signal?: AbortSignal;
  onEvent?: (event: SchedulerEvent) => void;
  /** Environment the stages inherit. */
  env: NodeJS.ProcessEnv;
  /** At most this many stages at once (default: as many as the graph allows; 1 = one after another). */
  concurrency?: number;
}

export interface PipelineResult {
  exitCode: 0 | 1;
  stages: StageResult[];
  gate: GateReport | null;
  report: ReportOutcome;
  wallMs: number;
  criticalPathMs: number;
  /** Exposed for live progress. */
  runtime: PipelineRuntime;
}

export function createRuntime(env: NodeJS.ProcessEnv): PipelineRuntime {
  return { env: { ...env }, services: null, secrets: [], gate: null, lastLine: new Map() };
}

export async function runPipeline(
  config: ResolvedConfig,
  deps: PipelineDeps,
  opts: PipelineOptions,
  runtime: PipelineRuntime = createRuntime(opts.env),
): Promise<PipelineResult> {
  const started = Date.now();
  // Results of an earlier run must not leak into this one.
  await Promise.all(['junit', 'coverage', 'logs', 'load'].map((d) => rm(join(config.outDir, d), { recursive: true, force: true })));
  await mkdir(join(config.outDir, 'logs'), { recursive: true });
  Object.assign(runtime.env, config.env);
  runtime.env.BACKEND_CI = '1';
  runtime.env.BACKEND_CI_SUITE = config.suite;
  runtime.env.BACKEND_CI_OUT = config.outDir;

  const { graph, disabled } = buildStages(config, deps, runtime);
  let ran: StageResult[] = [];
  try {
    ran = await runGraph(graph, {
      failFast: config.failFast,
      ...(opts.concurrency ? { concurrency: opts.concurrency } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      ...(opts.onEvent ? { onEvent: opts.onEvent } : {}),
    });
  } finally {
    if (runtime.services) {
      deps.log('stopping services');
      await runtime.services.stop();
    }
  }
  const wallGraphMs = Date.now() - started;
  const stages = [...ran, ...disabled].sort((a, b) => order(a.id) - order(b.id));

  const report = await deps.report.write({
    config,
    stages,
    gate: runtime.gate,
    junitPaths: stages.flatMap((s) => s.junitPaths ?? []),
    coveragePaths: stages.flatMap((s) => s.coveragePaths ?? []),
  });
  const stageFailed = stages.some((s) => s.required && (s.status === 'failed' || s.status === 'timed-out' || s.status === 'cancelled'));
  const exitCode: 0 | 1 = stageFailed || report.tests.failed > 0 || !report.coveragePassed ? 1 : 0;
  const result: PipelineResult = {
    exitCode,
    stages,
    gate: runtime.gate,
    report,
    wallMs: Date.now() - started,
    criticalPathMs: criticalPathMs(graph, ran),
    runtime,
  };
  await writeFile(join(config.outDir, 'result.json'), `${JSON.stringify(resultJson(result, wallGraphMs), null, 2)}\n`);
  return result;
}

function order(id: string): number {
  const i = STAGE_ORDER.indexOf(id);
  return i === -1 ? STAGE_ORDER.length : i;
}

/** The machine-readable outcome the GitHub front end turns into action outputs (see README). */
export function resultJson(r: PipelineResult, graphWallMs: number): Record<string, unknown> {
  return {
    exitCode: r.exitCode,
    tests: r.report.tests,
    coverage: { lines: r.report.coverageLines },
    gate: r.gate ? { passed: r.gate.passed, p95Ms: r.gate.p95Ms, engine: r.gate.engine } : null,
    stages: r.stages.map((s) => ({ id: s.id, status: s.status, durationMs: s.durationMs, ...(s.reason ? { reason: s.reason } : {}) })),
    timing: { wallMs: graphWallMs, criticalPathMs: r.criticalPathMs, overheadMs: Math.max(0, graphWallMs - r.criticalPathMs) },
  };
}
