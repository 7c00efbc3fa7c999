/**
 * The smoke gate: enforces the script's thresholds (k6's own verdicts where the summary records them), the pipeline's
 * inputs (`--p95-ms`, `--error-rate`) and two builtin thresholds, and folds in k6's exit code.
 *
 * Builtins (always reported, source `builtin`):
 * - `http_reqs count>0`: a run that made no request proves nothing (k6 exits 0 and reports p95 = 0 when every
 *   connection was refused, and omits http_reqs entirely when no request was sent);
 * - `http_req_failed rate<0.01` when no `--error-rate` is given: k6 counts status >= 400 and connection errors as
 *   failed; 1% tolerates one stray failure in a 100-request smoke run yet fails a run where a route is broken.
 *   Pass `--error-rate` to choose another limit (the builtin is then replaced by the input).
 */
import type { GateReport, ThresholdResult } from '../types.js';
import { describeK6ExitCode } from './exit-codes.js';
import type { NormalizedMetric, NormalizedSummary } from './summary.js';
import { evaluateExpression, parseThresholdExpression, ThresholdSyntaxError } from './threshold-expression.js';

/** The default error-rate limit when the user gives none (see the module comment). */
export const DEFAULT_MAX_ERROR_RATE = 0.01;

export interface GateInputs {
  /** Fail when http_req_duration p(95) is not below this many ms. */
  p95Ms?: number;
  /** Fail when http_req_failed rate is not below this ratio (0..1). */
  errorRate?: number;
}

/** Thresholds keyed by metric name, as in k6's `options.thresholds` (expressions only). */
export type ThresholdMap = Record<string, string[]>;

export interface EvaluateGateOptions {
  /** null when the run produced no summary (e.g. k6 failed before writing it). */
  summary: NormalizedSummary | null;
  /**
   * Script thresholds to evaluate here in addition to those the summary records (e.g. when the format carries none).
   * An expression the summary already records keeps k6's verdict.
   */
  scriptThresholds?: ThresholdMap;
  /** Thresholds from the config file (the local engine's `load.thresholds`), reported with source `input`. */
  configThresholds?: ThresholdMap;
  inputs: GateInputs;
  k6ExitCode?: number | null;
  engine: GateReport['engine'];
}

const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(6))));

function evaluateOn(
  metrics: Record<string, NormalizedMetric>,
  metric: string,
  expression: string,
  source: ThresholdResult['source'],
): ThresholdResult {
  let expr;
  try {
    expr = parseThresholdExpression(expression);
  } catch (err) {
    if (!(err instanceof ThresholdSyntaxError)) throw err;
    return { metric, expression, source, observed: null, passed: false, note: err.message };
  }
  const m = metrics[metric];
  if (!m) {
    const known = Object.keys(metrics).sort().join(', ') || 'none';
    return {
      metric,
      expression,
      source,
      observed: null,
      passed: false,
      note: `unknown metric "${metric}": not in the summary (it has: ${known})`,
    };
  }
  const ev = evaluateExpression(expr, m);
  const result: ThresholdResult = { metric, expression, source, observed: ev.observed, passed: ev.passed ?? false };
  if (ev.note) result.note = ev.note;
  return result;
}

function recordedThresholds(metrics: Record<string, NormalizedMetric>): ThresholdResult[] {
  const out: ThresholdResult[] = [];
  for (const m of Object.values(metrics)) {
    for (const t of m.thresholds) {
      const own = evaluateOn(metrics, m.name, t.expression, 'script');
      // k6 evaluated the threshold on every sample: its verdict is authoritative; ours only supplies the figure.
      const result: ThresholdResult = { metric: m.name, expression: t.expression, source: 'script', observed: own.observed, passed: t.ok };
      if (own.note) result.note = own.note;
      out.push(result);
    }
  }
  return out;
}

function requestsMetricName(metrics: Record<string, NormalizedMetric>): string {
  if (metrics.http_reqs) return 'http_reqs';
  if (metrics.grpc_reqs) return 'grpc_reqs';
  return 'http_reqs';
}

function builtinRequests(metrics: Record<string, NormalizedMetric>): ThresholdResult {
  const name = requestsMetricName(metrics);
  const count = metrics[name]?.values.count ?? 0;
  const result: ThresholdResult = { metric: name, expression: 'count>0', source: 'builtin', observed: count, passed: count > 0 };
  if (count === 0) result.note = 'no requests were made: the load never reached the service';
  return result;
}

function builtinErrorRate(metrics: Record<string, NormalizedMetric>): ThresholdResult {
  const expression = `rate<${DEFAULT_MAX_ERROR_RATE}`;
  if (metrics.http_req_failed) return { ...evaluateOn(metrics, 'http_req_failed', expression, 'builtin') };
  const base = { metric: 'http_req_failed', expression, source: 'builtin' as const, observed: null };
  if (!metrics.http_reqs && metrics.grpc_reqs) {
    return { ...base, passed: true, note: 'not applicable: a gRPC-only run has no http_req_failed; gate errors with a checks threshold' };
  }
  if ((metrics.http_reqs?.values.count ?? 0) === 0) return { ...base, passed: false, note: 'no requests were made' };
  return {
    ...base,
    passed: false,
    note: 'http_req_failed is not in the summary (k6 before v0.31 does not record it): upgrade k6 so the error rate can be checked',
  };
}

/** Evaluates the gate; never throws on bad data (each problem becomes a failed threshold with a note). */
export function evaluateGate(opts: EvaluateGateOptions): GateReport {
  const metrics = opts.summary?.metrics ?? {};
  const thresholds: ThresholdResult[] = recordedThresholds(metrics);
  const seen = new Set(thresholds.map((t) => `${t.metric}\u0000${t.expression}`));

  for (const [metric, expressions] of Object.entries(opts.scriptThresholds ?? {})) {
    for (const expression of expressions) {
      if (seen.has(`${metric}\u0000${expression}`)) continue;
      seen.add(`${metric}\u0000${expression}`);
      thresholds.push(evaluateOn(metrics, metric, expression, 'script'));
    }
  }
  for (const [metric, expressions] of Object.entries(opts.configThresholds ?? {})) {
    for (const expression of expressions) thresholds.push(evaluateOn(metrics, metric, expression, 'input'));
  }
  if (opts.inputs.p95Ms !== undefined) {
    thresholds.push(evaluateOn(metrics, 'http_req_duration', `p(95)<${fmt(opts.inputs.p95Ms)}`, 'input'));
  }
  if (opts.inputs.errorRate !== undefined) {
    thresholds.push(evaluateOn(metrics, 'http_req_failed', `rate<${fmt(opts.inputs.errorRate)}`, 'input'));
  }
  const requestsCheck = builtinRequests(metrics);
  thresholds.push(requestsCheck);
  if (opts.inputs.errorRate === undefined && !seen.has(`http_req_failed\u0000rate<${DEFAULT_MAX_ERROR_RATE}`)) {
    // (the same limit already set by the script is not repeated)
    thresholds.push(builtinErrorRate(metrics));
  }

  if (!opts.summary) {
    for (const t of thresholds) {
      if (t !== requestsCheck) t.note = 'not evaluated: the run produced no summary';
    }
  }

  const requests = requestsCheck.observed ?? 0;
  const failedRate = metrics.http_req_failed?.values.rate ?? 0;
  const duration = metrics.http_req_duration?.values ?? {};
  const report: GateReport = {
    engine: opts.engine,
    passed: true,
    thresholds,
    requests,
    failedRate,
    p95Ms: duration['p(95)'] ?? null,
    p99Ms: duration['p(99)'] ?? null,
  };
  if (opts.summary?.durationMs !== undefined) report.durationMs = opts.summary.durationMs;

  const crossed = thresholds.filter((t) => !t.passed && t !== requestsCheck);
  const code = opts.k6ExitCode;
  const reasons: string[] = [];
  if (code !== undefined && code !== null && code !== 0 && code !== 99) reasons.push(describeK6ExitCode(code).message);
  if (!opts.summary) reasons.push(opts.engine === 'k6' ? 'k6 wrote no summary' : 'the load run produced no summary');
  if (requests === 0) reasons.push('no requests were made');
  else if (failedRate >= 1) reasons.push('every request failed');
  if (crossed.length > 0 && opts.summary) {
    // `http_reqs count>0` is already said by "no requests were made".
    reasons.push(`thresholds crossed: ${crossed.map((t) => `${t.metric} ${t.expression}`).join(', ')}`);
  } else if (code === 99) {
    reasons.push(`${describeK6ExitCode(99).message}, but the summary records none (${opts.summary?.notes[0] ?? 'see the k6 log'})`);
  }
  if (reasons.length > 0) {
    report.passed = false;
    report.reason = reasons.join('; ');
  }
  return report;
}
