/**
 * Types shared by the engine's modules (pipeline, services, reports, load, publish, cli).
 * Each module owns its internals; only what crosses a module boundary lives here.
 */

/** How a pipeline stage ended. */
export type StageStatus = 'passed' | 'failed' | 'skipped' | 'timed-out' | 'cancelled';

/** The outcome of one pipeline stage, as the engine hands it to the report layer. */
export interface StageResult {
  /** Stable id, e.g. `lint`, `integration:critical`. */
  id: string;
  /** Human title for tables, e.g. `Integration (critical)`. */
  title: string;
  status: StageStatus;
  /** Wall time of the stage in milliseconds (0 when skipped). */
  durationMs: number;
  /** Epoch ms when the stage started (absent when skipped). */
  startedAtMs?: number;
  /** Why the stage failed, timed out, was cancelled or skipped (one line, actionable). */
  reason?: string;
  /** Process exit code, when the stage ran a process. */
  exitCode?: number | null;
  /** Path of the stage's combined stdout/stderr log. */
  logPath?: string;
  /** JUnit XML files the stage wrote. */
  junitPaths?: string[];
  /** Coverage files the stage wrote (istanbul json-summary, lcov, cobertura). */
  coveragePaths?: string[];
  /** Whether the run's exit code depends on this stage. */
  required: boolean;
}

/** One threshold of the load (k6 / local) smoke gate. */
export interface ThresholdResult {
  /** Metric name as k6 spells it, e.g. `http_req_duration` or `http_req_duration{endpoint:index}`. */
  metric: string;
  /** The threshold expression, e.g. `p(95)<300`. */
  expression: string;
  /** Where the threshold came from. */
  source: 'script' | 'input' | 'builtin';
  /** The observed value the expression was evaluated on (ms for durations, 0..1 for rates); null when unknown. */
  observed: number | null;
  passed: boolean;
  /** Extra explanation, e.g. `p(99) not exported: add it to --summary-trend-stats`. */
  note?: string;
}

/** The load smoke gate's result, rendered by the report layer. */
export interface GateReport {
  /** Which load engine ran: the k6 binary or backend-ci's local engine. */
  engine: 'k6' | 'local';
  passed: boolean;
  /** One-line reason when the gate failed (e.g. `thresholds crossed`, `no requests were made`). */
  reason?: string;
  thresholds: ThresholdResult[];
  /** Totals observed. */
  requests: number;
  failedRate: number;
  p95Ms: number | null;
  p99Ms: number | null;
  durationMs?: number;
  /** Change against the base branch's last figures, when a baseline exists. */
  baseline?: { ref: string; p95Ms: number | null; errorRate: number | null; p95ChangePct: number | null };
}

/** A failure annotation at file:line, ready for the Checks API or workflow commands. */
export interface Annotation {
  /** Repository-relative path with forward slashes. */
  path: string;
  startLine: number;
  endLine: number;
  level: 'failure' | 'warning' | 'notice';
  title: string;
  message: string;
}

/** What a CLI sub-command gets instead of touching process globals directly. */
export interface CliIO {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: { write(chunk: string): unknown; isTTY?: boolean };
  stderr: { write(chunk: string): unknown; isTTY?: boolean };
  /** Called with every secret the run creates (e.g. generated service passwords), so a front end can mask it. */
  onSecret?: (value: string) => void;
}

/** A CLI sub-command: returns the process exit code. */
export type CliCommand = (argv: string[], io: CliIO) => Promise<number>;
