import { describe, expect, it } from 'vitest';
import type { NormalizedMetric } from '../../src/load/summary.js';
import { evaluateExpression, parseThresholdExpression, ThresholdSyntaxError } from '../../src/load/threshold-expression.js';

const trend: NormalizedMetric = {
  name: 'http_req_duration',
  type: 'trend',
  values: { avg: 120, min: 3, med: 100, max: 900, 'p(90)': 250, 'p(95)': 300 },
  thresholds: [],
};
const rate: NormalizedMetric = { name: 'http_req_failed', type: 'rate', values: { rate: 0.02, passes: 2, fails: 98 }, thresholds: [] };
const counter: NormalizedMetric = { name: 'http_reqs', type: 'counter', values: { count: 100, rate: 50 }, thresholds: [] };
const gauge: NormalizedMetric = { name: 'vus', type: 'gauge', values: { value: 10, min: 1, max: 10 }, thresholds: [] };

describe('k6 threshold expressions', () => {
  it.each([
    ['p(95)<300', { stat: 'p(95)', percentile: 95, operator: '<', limit: 300 }],
    ['p(99.9) <= 1500', { stat: 'p(99.9)', percentile: 99.9, operator: '<=', limit: 1500 }],
    ['avg<200', { stat: 'avg', operator: '<', limit: 200 }],
    ['rate<0.01', { stat: 'rate', operator: '<', limit: 0.01 }],
    ['count>0', { stat: 'count', operator: '>', limit: 0 }],
    ['med <= 2', { stat: 'med', operator: '<=', limit: 2 }],
    ['rate >= 0.8', { stat: 'rate', operator: '>=', limit: 0.8 }],
    ['max==5', { stat: 'max', operator: '==', limit: 5 }],
    ['min===1', { stat: 'min', operator: '===', limit: 1 }],
    ['value!=3', { stat: 'value', operator: '!=', limit: 3 }],
  ])('parses %s', (text, expected) => {
    expect(parseThresholdExpression(text)).toMatchObject({ source: text, ...expected });
  });

  it.each(['p95<300', 'p(95)', 'avg < ', 'mean<3', 'p(95)=>3', 'p(101)<3', 'rate<abc', ''])('rejects %j with what k6 accepts', (text) => {
    expect(() => parseThresholdExpression(text)).toThrow(ThresholdSyntaxError);
    expect(() => parseThresholdExpression(text)).toThrow(/expected <stat> <operator> <number>|outside 0\.\.100/);
  });

  it.each([
    ['p(95)<300', trend, 300, false],
    ['p(95)<=300', trend, 300, true],
    ['avg<200', trend, 120, true],
    ['med>100', trend, 100, false],
    ['max<1000', trend, 900, true],
    ['min>=3', trend, 3, true],
    ['rate<0.01', rate, 0.02, false],
    ['rate<0.05', rate, 0.02, true],
    ['count>0', counter, 100, true],
    ['rate>=50', counter, 50, true],
    ['value<=10', gauge, 10, true],
    ['value==9', gauge, 10, false],
  ] as const)('evaluates %s on the observed value', (text, metric, observed, passed) => {
    expect(evaluateExpression(parseThresholdExpression(text), metric)).toEqual({ observed, passed });
  });

  it('gives no verdict and tells the user to export a percentile that is not in the summary', () => {
    expect(evaluateExpression(parseThresholdExpression('p(99)<1000'), trend)).toEqual({
      observed: null,
      passed: null,
      note: 'p(99) not exported for http_req_duration: add it to --summary-trend-stats',
    });
  });

  it('gives no verdict for a stat that does not apply to the metric type', () => {
    expect(evaluateExpression(parseThresholdExpression('p(95)<1'), rate)).toMatchObject({ passed: null, note: 'p(95) does not apply to http_req_failed (a rate metric)' });
    expect(evaluateExpression(parseThresholdExpression('avg<1'), counter).passed).toBeNull();
  });
});
