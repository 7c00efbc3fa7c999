import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readK6SummaryFile } from '../../src/load/command.js';
import { parseK6Summary, parseK6SummaryText, SummaryParseError } from '../../src/load/summary.js';

const FIXTURES = '/work/shared/fixtures/k6';
const load = (name: string): unknown => JSON.parse(readFileSync(join(FIXTURES, name), 'utf8'));

/** What k6 itself decided for each threshold in each real summary (read from the files / k6's stdout). */
const EXPECTED: Record<string, { format: string; thresholds: Record<string, boolean>; requests: number | null }> = {
  'local-v1.8.1-summary-export-pass.json': {
    format: 'summary-export',
    requests: 20,
    thresholds: {
      'http_req_duration p(95)<300': true,
      'http_req_duration avg<200': true,
      'http_req_duration{endpoint:index} p(95)<300': true,
      'http_req_failed rate<0.01': true,
      'checks rate>0.99': true,
    },
  },
  'local-v2.2.0-summary-export-pass.json': {
    format: 'summary-export',
    requests: 20,
    thresholds: {
      'http_req_duration p(95)<300': true,
      'http_req_duration avg<200': true,
      'http_req_duration{endpoint:index} p(95)<300': true,
      'http_req_failed rate<0.01': true,
      'checks rate>0.99': true,
    },
  },
  'local-v1.8.1-summary-export-fail.json': {
    format: 'summary-export',
    requests: 10,
    thresholds: { 'http_req_duration p(95)<0.001': false, 'http_req_duration p(99)<1000': true, 'http_req_failed rate<0.01': true },
  },
  'local-v2.2.0-summary-export-fail.json': {
    format: 'summary-export',
    requests: 10,
    thresholds: { 'http_req_duration p(95)<0.001': false, 'http_req_duration p(99)<1000': true, 'http_req_failed rate<0.01': true },
  },
  'local-v1.8.1-summary-export-abort.json': { format: 'summary-export', requests: 2901, thresholds: { 'http_req_duration p(95)<0.001': false } },
  'local-v2.2.0-summary-export-abort.json': { format: 'summary-export', requests: 2964, thresholds: { 'http_req_duration p(95)<0.001': false } },
  'local-v1.8.1-summary-export-ts.json': { format: 'summary-export', requests: 5, thresholds: { 'http_req_duration p(95)<300': true } },
  'local-v2.2.0-summary-export-ts.json': { format: 'summary-export', requests: 5, thresholds: { 'http_req_duration p(95)<300': true } },
  'local-v1.8.1-handleSummary-data.json': { format: 'handle-summary', requests: 5, thresholds: { 'http_req_duration p(95)<300': true } },
  'local-v2.2.0-handleSummary-data.json': { format: 'handle-summary', requests: 5, thresholds: { 'http_req_duration p(95)<300': true } },
  'local-v1.8.1-summary-export-newmr.json': { format: 'machine-readable', requests: 10, thresholds: {} },
  'local-v2.2.0-summary-export-newmr.json': { format: 'machine-readable', requests: 10, thresholds: {} },
  'public-szboynono-k6-html-reporter-perf-export.summary-export.json': { format: 'summary-export', requests: 29, thresholds: {} },
  'public-benc-uk-k6-reporter-simple.handleSummary.json': {
    format: 'handle-summary',
    requests: 878,
    thresholds: { 'http_req_duration p(95)<1000': true, 'iteration_duration max<4000': true },
  },
  'public-benc-uk-k6-reporter-grpc.handleSummary.json': {
    format: 'handle-summary',
    requests: null,
    thresholds: { 'fake_rate rate >= 0.8': false, 'grpc_req_duration med <= 2': true },
  },
};

/** Files that are not end-of-test summaries, and what the reader says about them. */
const REJECTED: Record<string, RegExp> = {
  'local-v1.8.1-out-json-pass.ndjson': /--out json NDJSON.*--summary-export/,
  'local-v1.8.1-out-json-fail.ndjson': /--out json NDJSON.*--summary-export/,
  'local-v2.2.0-out-json-fail.ndjson': /--out json NDJSON.*--summary-export/,
  'local-v1.8.1-out-json-abort.ndjson.gz': /--out json NDJSON.*--summary-export/,
  'public-Mattihew-k6-to-junit-exampleResults.out-json.ndjson': /--out json NDJSON.*--summary-export/,
  'local-v1.8.1-stdout-fail.txt': /not valid JSON/,
  'local-v2.2.0-stdout-fail.txt': /not valid JSON/,
  'public-Mattihew-k6-to-junit-out.stdout.txt': /not valid JSON/,
};

describe('parseK6Summary on the real k6 outputs', () => {
  it('has an expectation for every fixture file (a new sample cannot go untested)', () => {
    const files = readdirSync(FIXTURES).filter((f) => f !== 'SOURCES.md' && f !== 'scripts');
    expect(files.sort()).toEqual([...Object.keys(EXPECTED), ...Object.keys(REJECTED)].sort());
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    it(`reads ${file}: format, request count and k6's verdict on each threshold`, () => {
      const summary = parseK6Summary(load(file), file);
      expect(summary.format).toBe(expected.format);
      expect(summary.source).toBe(file);
      if (expected.requests !== null) expect(summary.metrics.http_reqs?.values.count).toBe(expected.requests);
      const verdicts = Object.fromEntries(
        Object.values(summary.metrics).flatMap((m) => m.thresholds.map((t) => [`${m.name} ${t.expression}`, t.ok])),
      );
      expect(verdicts).toEqual(expected.thresholds);
    });
  }

  for (const [file, message] of Object.entries(REJECTED)) {
    it(`rejects ${file} with a message naming the file and what to pass instead`, async () => {
      const err = await readK6SummaryFile(join(FIXTURES, file)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SummaryParseError);
      expect((err as Error).message).toContain(join(FIXTURES, file));
      expect((err as Error).message).toMatch(message);
    });
  }

  it("reads summary-export's inverted flag right: `true` means the threshold FAILED", () => {
    const s = parseK6Summary(
      { root_group: {}, metrics: { http_req_duration: { avg: 5, 'p(95)': 9, thresholds: { 'p(95)<1': true, 'avg<100': false } } } },
      'x.json',
    );
    expect(s.metrics.http_req_duration?.thresholds).toEqual([
      { expression: 'p(95)<1', ok: false },
      { expression: 'avg<100', ok: true },
    ]);
  });

  it('keeps a sub-metric as its own metric with its own values and thresholds', () => {
    const s = parseK6Summary(load('local-v2.2.0-summary-export-pass.json'), 'pass.json');
    const sub = s.metrics['http_req_duration{endpoint:index}'];
    expect(sub?.type).toBe('trend');
    expect(sub?.values['p(95)']).toBeCloseTo(1.7517602, 6);
    expect(sub?.thresholds).toEqual([{ expression: 'p(95)<300', ok: true }]);
  });

  it('infers metric types in summary-export files and completes rate metrics (passes = failed requests)', () => {
    const s = parseK6Summary(load('local-v1.8.1-summary-export-abort.json'), 'abort.json');
    expect(s.metrics.http_reqs?.type).toBe('counter');
    expect(s.metrics.vus?.type).toBe('gauge');
    expect(s.metrics.http_req_duration?.type).toBe('trend');
    expect(s.metrics.http_req_duration?.values['p(99)']).toBeCloseTo(1.151243, 6);
    expect(s.metrics.http_req_failed).toMatchObject({ type: 'rate', values: { rate: 0, passes: 0, fails: 2901 } });
  });

  it('normalizes the machine-readable summary: p95 → p(95), matches/total → rate/passes/fails, no thresholds', () => {
    const s = parseK6Summary(load('local-v2.2.0-summary-export-newmr.json'), 'newmr.json');
    expect(s.thresholdsRecorded).toBe(false);
    expect(s.notes.join(' ')).toMatch(/carries no thresholds/);
    expect(s.k6Version).toBe('2.2.0');
    expect(s.metrics.http_req_duration?.values['p(95)']).toBeCloseTo(0.72707625, 8);
    expect(s.metrics.http_req_duration?.values.p95).toBeUndefined();
    expect(s.metrics.http_req_failed?.values).toMatchObject({ rate: 0, passes: 0, fails: 10 });
    expect(s.metrics.checks_succeeded?.values.rate).toBe(1);
  });

  it('reads handleSummary data: trend stats and run duration', () => {
    const s = parseK6Summary(load('public-benc-uk-k6-reporter-grpc.handleSummary.json'), 'grpc.json');
    expect(s.trendStats).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)']);
    expect(s.durationMs).toBeCloseTo(3393.269634, 5);
    expect(s.metrics.fake_rate?.values.rate).toBeCloseTo(0.4998439937597504, 10);
  });

  it.each([
    [null, /not an object/],
    [[1, 2], /an array, not an object/],
    [{ hello: 'world' }, /no "metrics" object \(top-level keys: hello\)/],
    [{ metrics: { http_reqs: 'x' } }, /metric "http_reqs" is not an object/],
    [{ metrics: { weird: { foo: 'bar' } } }, /metric "weird" has no recognizable stats/],
    [{ metrics: { http_req_duration: { avg: 1, thresholds: { 'p(95)<1': 'yes' } } } }, /threshold "p\(95\)<1" of "http_req_duration" is not a boolean/],
    [{ metrics: { m: { type: 'trend', values: { avg: 1 }, thresholds: { 'avg<1': true } } } }, /threshold "avg<1" of "m" has no boolean "ok"/],
    [{ version: '1.0.0', results: {} }, /machine-readable summary has no metrics/],
  ])('rejects garbage %j with a clear error naming the file', (json, message) => {
    expect(() => parseK6Summary(json, 'results/k6.json')).toThrow(SummaryParseError);
    expect(() => parseK6Summary(json, 'results/k6.json')).toThrow(message);
    expect(() => parseK6Summary(json, 'results/k6.json')).toThrow(/^results\/k6\.json: .*Expected a k6 end-of-test summary/s);
  });

  it('rejects empty and non-JSON text', () => {
    expect(() => parseK6SummaryText('  \n', 'k6.json')).toThrow('k6.json: the file is empty');
    expect(() => parseK6SummaryText('{"metrics": ', 'k6.json')).toThrow(/k6\.json: not valid JSON/);
  });
});
