/**
 * k6 threshold expressions (`p(95)<300`, `avg<200`, `rate<0.01`, `count>0`, `med <= 2`, `max`, `min`, `value`):
 * `<aggregation> <operator> <number>`, the syntax k6 accepts in `options.thresholds`.
 */
import type { MetricType, NormalizedMetric } from './summary.js';

export type ThresholdOperator = '<' | '<=' | '>' | '>=' | '==' | '===' | '!=';

export interface ThresholdExpression {
  /** The text as written, e.g. `p(95)<300`. */
  source: string;
  /** `avg`, `min`, `med`, `max`, `count`, `rate`, `value` or `p(N)` (normalized, e.g. `p(99.9)`). */
  stat: string;
  /** The percentile when `stat` is `p(N)`. */
  percentile?: number;
  operator: ThresholdOperator;
  limit: number;
}

export class ThresholdSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ThresholdSyntaxError';
  }
}

const EXPRESSION = /^\s*(avg|min|med|max|count|rate|value|p\(\s*(\d+(?:\.\d+)?)\s*\))\s*(===|==|!=|<=|>=|<|>)\s*(-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*$/i;

/** Parses one expression; throws ThresholdSyntaxError with what k6 accepts. */
export function parseThresholdExpression(text: string): ThresholdExpression {
  const m = EXPRESSION.exec(text);
  if (!m) {
    throw new ThresholdSyntaxError(
      `invalid threshold expression "${text}": expected <stat> <operator> <number>, where stat is one of ` +
        'avg, min, med, max, count, rate, value, p(N) and operator one of <, <=, >, >=, ==, ===, != (e.g. "p(95)<300")',
    );
  }
  const [, rawStat = '', pct, operator, limit] = m;
  if (pct !== undefined) {
    const percentile = Number(pct);
    if (percentile < 0 || percentile > 100) {
      throw new ThresholdSyntaxError(`invalid threshold expression "${text}": percentile ${pct} is outside 0..100`);
    }
    return { source: text, stat: `p(${percentile})`, percentile, operator: operator as ThresholdOperator, limit: Number(limit) };
  }
  return { source: text, stat: rawStat.toLowerCase(), operator: operator as ThresholdOperator, limit: Number(limit) };
}

/** The stats k6 allows on each metric type. */
export function statAllowed(type: MetricType, expr: ThresholdExpression): boolean {
  switch (type) {
    case 'trend':
      return expr.percentile !== undefined || ['avg', 'min', 'med', 'max', 'count'].includes(expr.stat);
    case 'counter':
      return expr.stat === 'count' || expr.stat === 'rate';
    case 'rate':
      return expr.stat === 'rate';
    case 'gauge':
      return expr.stat === 'value';
  }
}

export function compare(observed: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return observed < limit;
    case '<=':
      return observed <= limit;
    case '>':
      return observed > limit;
    case '>=':
      return observed >= limit;
    case '==':
    case '===':
      return observed === limit;
    case '!=':
      return observed !== limit;
  }
}

export interface ExpressionEvaluation {
  /** null when the metric lacks the stat (not exported) or the stat does not apply to the metric's type. */
  observed: number | null;
  /** null when it could not be evaluated. */
  passed: boolean | null;
  note?: string;
}

/** Evaluates an expression on one metric's exported values. */
export function evaluateExpression(expr: ThresholdExpression, metric: NormalizedMetric): ExpressionEvaluation {
  if (!statAllowed(metric.type, expr)) {
    return {
      observed: null,
      passed: null,
      note: `${expr.stat} does not apply to ${metric.name} (a ${metric.type} metric)`,
    };
  }
  const observed = metric.values[expr.stat];
  if (observed === undefined) {
    const note =
      metric.type === 'trend'
        ? `${expr.stat} not exported for ${metric.name}: add it to --summary-trend-stats`
        : `${expr.stat} missing from ${metric.name}`;
    return { observed: null, passed: null, note };
  }
  return { observed, passed: compare(observed, expr.operator, expr.limit) };
}
