import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { describeK6ExitCode } from '../../src/load/exit-codes.js';
import { evaluateGate } from '../../src/load/gate.js';
import { parseK6Summary } from '../../src/load/summary.js';
import type { NormalizedSummary } from '../../src/load/summary.js';

const fixture = (name: string): NormalizedSummary =>
  parseK6Summary(JSON.parse(readFileSync(`/work/shared/fixtures/k6/${name}`, 'utf8')), name);

function summary(metrics: Record<string, Record<string, number>>, thresholds: Record<string, Record<string, boolean>> = {}): NormalizedSummary {
  const doc: Record<string, unknown> = {};
  for (const [name, values] of Object.entries(metrics)) doc[name] = { ...values, ...(thresholds[name] ? { thresholds: thresholds[name] } : {}) };
  return parseK6Summary({ root_group: {}, metrics: doc }, 'test.json');
}

const healthy = summary({
  http_reqs: { count: 200, rate: 20 },
  http_req_failed: { passes: 0, fails: 200, value: 0 },
  http_req_duration: { avg: 20, min: 2, med: 15, max: 90, 'p(90)': 40, 'p(95)': 55, 'p(99)': 80 },
});

describe('evaluateGate', () => {
  it('passes a healthy run and reports every threshold with observed value and source', () => {
    const gate = evaluateGate({ summary: healthy, inputs: { p95Ms: 300 }, k6ExitCode: 0, engine: 'k6' });
    expect(gate).toMatchObject({ engine: 'k6', passed: true, requests: 200, failedRate: 0, p95Ms: 55, p99Ms: 80 });
    expect(gate.reason).toBeUndefined();
    expect(gate.thresholds).toEqual([
      { metric: 'http_req_duration', expression: 'p(95)<300', source: 'input', observed: 55, passed: true },
      { metric: 'http_reqs', expression: 'count>0', source: 'builtin', observed: 200, passed: true },
      { metric: 'http_req_failed', expression: 'rate<0.01', source: 'builtin', observed: 0, passed: true },
    ]);
  });

  it('fails on the p95 input and says which threshold was crossed', () => {
    const gate = evaluateGate({ summary: healthy, inputs: { p95Ms: 50 }, engine: 'local' });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toBe('thresholds crossed: http_req_duration p(95)<50');
  });

  it('enforces script thresholds and inputs together, with k6 as the authority on script verdicts', () => {
    const gate = evaluateGate({ summary: fixture('local-v2.2.0-summary-export-fail.json'), inputs: { p95Ms: 300, errorRate: 0.05 }, k6ExitCode: 99, engine: 'k6' });
    expect(gate.passed).toBe(false);
    expect(gate.thresholds.map((t) => [t.source, t.metric, t.expression, t.passed])).toEqual([
      ['script', 'http_req_duration', 'p(95)<0.001', false],
      ['script', 'http_req_duration', 'p(99)<1000', true],
      ['script', 'http_req_failed', 'rate<0.01', true],
      ['input', 'http_req_duration', 'p(95)<300', true],
      ['input', 'http_req_failed', 'rate<0.05', true],
      ['builtin', 'http_reqs', 'count>0', true],
    ]);
    const p99 = gate.thresholds.find((t) => t.expression === 'p(99)<1000');
    expect(p99).toMatchObject({ observed: null, note: 'p(99) not exported for http_req_duration: add it to --summary-trend-stats' });
    expect(gate.reason).toBe('thresholds crossed: http_req_duration p(95)<0.001');
  });

  it('fails a run with zero requests even when k6 exited 0', () => {
    const empty = summary({ iterations: { count: 0, rate: 0 }, data_sent: { count: 0, rate: 0 } });
    const gate = evaluateGate({ summary: empty, inputs: {}, k6ExitCode: 0, engine: 'k6' });
    expect(gate.passed).toBe(false);
    expect(gate.requests).toBe(0);
    expect(gate.reason).toMatch(/^no requests were made/);
    expect(gate.thresholds.find((t) => t.metric === 'http_reqs')).toMatchObject({ observed: 0, passed: false, source: 'builtin' });
  });

  it('fails a run where every request failed (connection refused: k6 exits 0 with p95 = 0)', () => {
    const refused = summary({
      http_reqs: { count: 50, rate: 10 },
      http_req_failed: { passes: 50, fails: 0, value: 1 },
      http_req_duration: { avg: 0, min: 0, med: 0, max: 0, 'p(90)': 0, 'p(95)': 0 },
    });
    const gate = evaluateGate({ summary: refused, inputs: { p95Ms: 300 }, k6ExitCode: 0, engine: 'k6' });
    expect(gate.passed).toBe(false);
    expect(gate.failedRate).toBe(1);
    expect(gate.reason).toBe('every request failed; thresholds crossed: http_req_failed rate<0.01');
  });

  it('uses the error-rate input instead of the builtin default', () => {
    const some = summary({ http_reqs: { count: 100, rate: 1 }, http_req_failed: { passes: 3, fails: 97, value: 0.03 } });
    expect(evaluateGate({ summary: some, inputs: {}, engine: 'local' }).passed).toBe(false);
    const lenient = evaluateGate({ summary: some, inputs: { errorRate: 0.05 }, engine: 'local' });
    expect(lenient.passed).toBe(true);
    expect(lenient.thresholds.filter((t) => t.metric === 'http_req_failed')).toEqual([
      { metric: 'http_req_failed', expression: 'rate<0.05', source: 'input', observed: 0.03, passed: true },
    ]);
  });

  it('fails the error-rate builtin of a public run where 40% of requests failed though its own thresholds passed', () => {
    const gate = evaluateGate({ summary: fixture('public-benc-uk-k6-reporter-simple.handleSummary.json'), inputs: {}, k6ExitCode: 0, engine: 'k6' });
    expect(gate.thresholds.filter((t) => t.source === 'script').every((t) => t.passed)).toBe(true);
    expect(gate.passed).toBe(false);
    expect(gate.reason).toBe('thresholds crossed: http_req_failed rate<0.01');
  });

  it('fails an input whose percentile was not exported, telling the user how to export it', () => {
    const gate = evaluateGate({
      summary: summary({ http_reqs: { count: 5, rate: 1 }, http_req_failed: { passes: 0, fails: 5, value: 0 }, http_req_duration: { avg: 1, 'p(90)': 2 } }),
      inputs: { p95Ms: 100 },
      engine: 'k6',
    });
    expect(gate.passed).toBe(false);
    expect(gate.thresholds[0]).toMatchObject({ observed: null, passed: false, note: 'p(95) not exported for http_req_duration: add it to --summary-trend-stats' });
  });

  it('fails a threshold on an unknown metric and lists the metrics the summary has', () => {
    const gate = evaluateGate({ summary: healthy, configThresholds: { http_req_durations: ['p(95)<100'] }, inputs: {}, engine: 'local' });
    expect(gate.passed).toBe(false);
    expect(gate.thresholds[0]).toMatchObject({
      metric: 'http_req_durations',
      source: 'input',
      passed: false,
      note: 'unknown metric "http_req_durations": not in the summary (it has: http_req_duration, http_req_failed, http_reqs)',
    });
  });

  it('fails an invalid threshold expression with the syntax k6 accepts', () => {
    const gate = evaluateGate({ summary: healthy, scriptThresholds: { http_req_duration: ['p95 < 100'] }, inputs: {}, engine: 'local' });
    expect(gate.passed).toBe(false);
    expect(gate.thresholds[0]?.note).toMatch(/invalid threshold expression "p95 < 100"/);
  });

  it('evaluates script thresholds itself when the summary format does not record them, keeping k6 verdicts otherwise', () => {
    const newmr = fixture('local-v2.2.0-summary-export-newmr.json');
    const gate = evaluateGate({ summary: newmr, scriptThresholds: { http_req_duration: ['p(95)<0.001'] }, inputs: {}, engine: 'k6' });
    expect(gate.thresholds[0]).toMatchObject({ metric: 'http_req_duration', expression: 'p(95)<0.001', source: 'script', passed: false });
    const recorded = fixture('local-v2.2.0-summary-export-fail.json');
    const again = evaluateGate({ summary: recorded, scriptThresholds: { http_req_duration: ['p(99)<1000'] }, inputs: {}, engine: 'k6' });
    expect(again.thresholds.filter((t) => t.expression === 'p(99)<1000')).toHaveLength(1);
    expect(again.thresholds.find((t) => t.expression === 'p(99)<1000')?.passed).toBe(true);
  });

  it('fails on k6 exit 99 even when the summary (machine-readable) records no thresholds', () => {
    const gate = evaluateGate({ summary: fixture('local-v2.2.0-summary-export-newmr.json'), inputs: {}, k6ExitCode: 99, engine: 'k6' });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toMatch(/^k6 exited 99: thresholds crossed .*but the summary records none \(the machine-readable summary/);
  });

  it.each([104, 107, 108, 109, 110, 255])('fails with the meaning of k6 exit code %i even when the figures look fine', (code) => {
    const gate = evaluateGate({ summary: healthy, inputs: { p95Ms: 300 }, k6ExitCode: code, engine: 'k6' });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toBe(describeK6ExitCode(code).message);
  });

  it('fails when k6 wrote no summary at all', () => {
    const gate = evaluateGate({ summary: null, inputs: { p95Ms: 300 }, k6ExitCode: 107, engine: 'k6' });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toMatch(/^k6 exited 107: the script threw an exception .*; k6 wrote no summary; no requests were made/);
  });

  it('counts gRPC requests in a gRPC-only run and marks the HTTP error-rate builtin not applicable', () => {
    const gate = evaluateGate({ summary: fixture('public-benc-uk-k6-reporter-grpc.handleSummary.json'), inputs: {}, engine: 'k6' });
    expect(gate.requests).toBe(9615);
    expect(gate.thresholds.find((t) => t.metric === 'http_req_failed')).toMatchObject({ passed: true, observed: null });
    expect(gate.reason).toBe('thresholds crossed: fake_rate rate >= 0.8');
  });

  it('fails an old k6 summary without http_req_failed: the error rate cannot be verified', () => {
    const gate = evaluateGate({ summary: fixture('public-szboynono-k6-html-reporter-perf-export.summary-export.json'), inputs: { p95Ms: 100 }, engine: 'k6' });
    expect(gate.p95Ms).toBeCloseTo(60.26172, 5);
    expect(gate.thresholds.find((t) => t.source === 'input')?.passed).toBe(true);
    expect(gate.thresholds.find((t) => t.metric === 'http_req_failed')?.note).toMatch(/k6 before v0\.31 does not record it/);
    expect(gate.passed).toBe(false);
  });
});

describe('describeK6ExitCode', () => {
  it.each([
    [0, 'ok'],
    [97, 'cloud-error'],
    [98, 'cloud-error'],
    [99, 'thresholds-crossed'],
    [100, 'timeout'],
    [101, 'timeout'],
    [102, 'timeout'],
    [103, 'stopped'],
    [104, 'invalid-config'],
    [105, 'interrupted'],
    [106, 'api-error'],
    [107, 'script-exception'],
    [108, 'aborted'],
    [109, 'crashed'],
    [110, 'failed'],
    [255, 'unknown'],
    [1, 'unknown'],
  ])('maps %i to %s with a message naming the code', (code, outcome) => {
    const d = describeK6ExitCode(code);
    expect(d.outcome).toBe(outcome);
    if (code !== 0) expect(d.message).toMatch(new RegExp(`^k6 exited ${code}: `));
  });

  it('explains the common failures in words', () => {
    expect(describeK6ExitCode(104).message).toMatch(/invalid configuration or threshold expression/);
    expect(describeK6ExitCode(107).message).toMatch(/script threw an exception/);
    expect(describeK6ExitCode(108).message).toMatch(/test\.abort\(\)/);
    expect(describeK6ExitCode(110).message).toMatch(/test\.fail\(\)/);
  });
});
