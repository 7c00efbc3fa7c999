/**
 * The merged run model of backend-ci's report layer: what every renderer (job summary, PR comment, annotations,
 * terminal, HTML, merged JUnit) reads. It holds counters and bounded lists, never every test case, so its size does
 * not grow with the number of tests.
 */
import type { GateReport, StageResult } from '../types.js';

/** Final status of one test after merging every attempt. */
export type TestStatus = 'passed' | 'failed' | 'errored' | 'skipped' | 'flaky';

/** Counters over every unique test (a test re-run in a later file is counted once). */
export interface TestTotals {
  passed: number;
  /** Assertion failures (`<failure>`). */
  failed: number;
  /** Errors outside assertions (`<error>`). */
  errored: number;
  skipped: number;
  /** Failed at least once, then passed on a retry: not counted as failed. */
  flaky: number;
  total: number;
  /** Sum of the test cases' `time` (ms). Shards run in parallel, so this is CPU-ish time, not wall time. */
  durationMs: number;
}

/** Where a test lives and which pipeline stage ran it. */
export interface TestIdentity {
  /** Pipeline stage the result came from (ingest option `stage`), e.g. `integration:critical`. */
  stage?: string;
  /** Innermost `<testsuite name>`. */
  suite: string;
  /** `classname` attribute (or the file when there is none). */
  classname: string;
  name: string;
}

/** A repository-relative source location. */
export interface SourceLocation {
  /** Repository-relative path, forward slashes. */
  file?: string;
  /** 1-based line; only set when known (never a made-up line). */
  line?: number;
}

export interface FailedTest extends TestIdentity, SourceLocation {
  status: 'failed' | 'errored';
  /** One-line-ish message (the `message` attribute, else the first line of the body), bounded. */
  message: string;
  /** Failure type, e.g. `AssertionError`. */
  type?: string;
  /** Body of `<failure>`/`<error>` (stack trace, diff), bounded (head kept). */
  details: string;
  /** Tail of the test's system-out/system-err, bounded; empty when none. */
  output: string;
  durationMs: number;
  /** Runs of this test that failed (1 + reruns recorded in the report). */
  attempts: number;
  /** The report file the final result came from. */
  source: string;
}

export interface FlakyTest extends TestIdentity, SourceLocation {
  /** Message of the (last) failed attempt. */
  message: string;
  /** Failed attempts before the pass. */
  failedAttempts: number;
  source: string;
}

export interface SlowTest extends TestIdentity {
  durationMs: number;
  file?: string;
  source: string;
}

export interface TestsReport {
  totals: TestTotals;
  /** Failed and errored tests, in the order they were read; at most `limits.maxFailed`. */
  failed: FailedTest[];
  /** Failed/errored tests counted in `totals` but not kept in `failed`. */
  failedOmitted: number;
  flaky: FlakyTest[];
  flakyOmitted: number;
  /** Slowest tests, slowest first; at most `limits.slowest`. */
  slowest: SlowTest[];
  /** JUnit files that contributed at least one test case (or parsed cleanly with none). */
  files: string[];
}

export type CoverageMetric = 'lines' | 'branches' | 'functions' | 'statements';
export const COVERAGE_METRICS: readonly CoverageMetric[] = ['lines', 'branches', 'functions', 'statements'];

/** covered/total for one metric; `null` when the format does not measure it (cobertura has no statements). */
export interface CoverageCounter {
  covered: number;
  total: number;
  /** 0..100, two decimals; 100 when total is 0. */
  pct: number;
}

export type CoverageCounters = Record<CoverageMetric, CoverageCounter | null>;

export interface CoverageFile extends CoverageCounters {
  /** Repository-relative path when it could be mapped, else as written in the report. */
  path: string;
}

export interface CoverageThresholdResult {
  metric: CoverageMetric;
  /** Minimum percentage required. */
  minPct: number;
  /** Observed percentage; null when the inputs do not measure the metric (not evaluated, see warnings). */
  actualPct: number | null;
  passed: boolean;
}

export interface CoverageReport {
  totals: CoverageCounters;
  /** Every file, sorted by path. Renderers show the least-covered ones first. */
  files: CoverageFile[];
  thresholds: CoverageThresholdResult[];
  /** False when any evaluated threshold is not met. */
  passed: boolean;
  /** Coverage files that were read. */
  sources: string[];
}

/** Minimum coverage percentage per metric; omitted metrics are not checked. */
export type CoverageThresholds = Partial<Record<CoverageMetric, number>>;

/** An input that could not be used (fully or partly): which file, what happened, what to do. */
export interface ReportWarning {
  /** The input file (as given), when the warning is about one. */
  file?: string;
  message: string;
  /** What the user should do about it. */
  hint: string;
}

export interface ReportMeta {
  /** Headline title, e.g. `backend-ci`. */
  title: string;
  /** Suite that ran (`critical` / `all`), shown next to the title. */
  suite?: string;
  ref?: string;
  sha?: string;
  /** Link to the workflow run. */
  runUrl?: string;
  /** Base for source links, e.g. `https://github.com/o/r/blob/SHA`; file:line become links when set. */
  blobUrl?: string;
}

export interface RunReport {
  meta: ReportMeta;
  tests: TestsReport;
  coverage?: CoverageReport;
  stages: StageResult[];
  gate?: GateReport;
  warnings: ReportWarning[];
  /**
   * Overall verdict: no failed/errored test, coverage thresholds met, every required stage passed or skipped,
   * and the gate (when present) passed.
   */
  passed: boolean;
}

/** Bounds that keep ingest memory and rendered output small whatever the input size. */
export interface ReportLimits {
  /** Failed/errored tests kept with details (default 1000). */
  maxFailed: number;
  /** Flaky tests kept (default 500). */
  maxFlaky: number;
  /** Slowest tests kept (default 10). */
  slowest: number;
  /** Max characters of a failure message (default 2000). */
  messageChars: number;
  /** Max characters of a failure body/stack trace, head kept (default 8000). */
  detailsChars: number;
  /** Max characters of system-out/err kept per failed test, tail kept (default 2000). */
  outputChars: number;
}

export const DEFAULT_LIMITS: ReportLimits = {
  maxFailed: 1000,
  maxFlaky: 500,
  slowest: 10,
  messageChars: 2000,
  detailsChars: 8000,
  outputChars: 2000,
};
