/**
 * Builds the merged `RunReport` from report files: JUnit XML (any number, streamed, merged, deduplicated across
 * files), coverage files, the pipeline's stage results and the load gate's result.
 */
import type { GateReport, StageResult } from '../types.js';
import { TestCollector } from './collector.js';
import { buildCoverageReport } from './coverage/index.js';
import { ingestJUnitFile } from './junit.js';
import type { CoverageReport, CoverageThresholds, ReportLimits, ReportMeta, ReportWarning, RunReport, TestsReport } from './model.js';

/** A JUnit file, optionally tagged with the pipeline stage that wrote it. */
export type JUnitSource = string | { path: string; stage?: string };

export interface BuildReportInput {
  /**
   * JUnit XML files, ingested in this order (a later file's result replaces an earlier one for the same test).
   * Default: every stage's `junitPaths`, tagged with the stage id, in stage order.
   */
  junit?: readonly JUnitSource[];
  /** Coverage files: istanbul json-summary, lcov or cobertura (detected from content). Default: stages' `coveragePaths`. */
  coverage?: readonly string[];
  coverageThresholds?: CoverageThresholds;
  stages?: readonly StageResult[];
  gate?: GateReport;
  meta?: Partial<ReportMeta>;
  /** Absolute path of the repository checkout, to make failure locations and coverage paths repository-relative. */
  repoRoot?: string;
  limits?: Partial<ReportLimits>;
  /** Directory relative input paths are resolved against (default: the process's cwd). */
  cwd?: string;
  /** Warnings found before ingest (e.g. a glob that matched nothing); they come first in the report. */
  warnings?: readonly ReportWarning[];
}

/** Ingests the JUnit files into one `TestsReport`. */
export async function ingestJUnitFiles(
  sources: readonly JUnitSource[],
  opts: { repoRoot?: string; limits?: Partial<ReportLimits>; cwd?: string } = {},
): Promise<{ tests: TestsReport; warnings: ReportWarning[] }> {
  const collector = new TestCollector(opts.limits);
  const warnings: ReportWarning[] = [];
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i] as JUnitSource;
    const path = typeof s === 'string' ? s : s.path;
    const stage = typeof s === 'string' ? undefined : s.stage;
    const r = await ingestJUnitFile(path, collector, {
      stage,
      repoRoot: opts.repoRoot,
      limits: opts.limits,
      cwd: opts.cwd,
      moreFilesFollow: i < sources.length - 1,
    });
    warnings.push(...r.warnings);
  }
  return { tests: collector.finish(), warnings };
}

/** Whether the run passed: no failed test, coverage met, required stages fine, gate passed. */
export function verdict(r: Pick<RunReport, 'tests' | 'coverage' | 'stages' | 'gate'>): boolean {
  const t = r.tests.totals;
  if (t.failed + t.errored > 0) return false;
  if (r.coverage && !r.coverage.passed) return false;
  if (r.stages.some((s) => s.required && s.status !== 'passed' && s.status !== 'skipped')) return false;
  if (r.gate && !r.gate.passed) return false;
  return true;
}

/** Reads every input and returns the merged report. Never throws for bad input files: see `report.warnings`. */
export async function buildRunReport(input: BuildReportInput): Promise<RunReport> {
  const warnings: ReportWarning[] = [...(input.warnings ?? [])];
  const stageList = input.stages ?? [];
  const junit = input.junit ?? stageList.flatMap((s) => (s.junitPaths ?? []).map((path) => ({ path, stage: s.id })));
  const coveragePaths = input.coverage ?? stageList.flatMap((s) => s.coveragePaths ?? []);
  const { tests, warnings: junitWarnings } = await ingestJUnitFiles(junit, {
    repoRoot: input.repoRoot,
    limits: input.limits,
    cwd: input.cwd,
  });
  warnings.push(...junitWarnings);
  let coverage: CoverageReport | undefined;
  if (coveragePaths.length > 0) {
    const c = buildCoverageReport(coveragePaths, {
      repoRoot: input.repoRoot,
      thresholds: input.coverageThresholds,
      cwd: input.cwd,
    });
    coverage = c.coverage;
    warnings.push(...c.warnings);
  }
  const stages = [...stageList];
  const meta: ReportMeta = { title: 'backend-ci', ...input.meta };
  const report: RunReport = { meta, tests, coverage, stages, gate: input.gate, warnings, passed: true };
  report.passed = verdict(report);
  return report;
}
