import { TestCollector } from '../../src/reports/collector.js';
import type { TestCaseRecord } from '../../src/reports/collector.js';
import type { ReportLimits, RunReport } from '../../src/reports/model.js';
import type { GateReport, StageResult } from '../../src/types.js';

export const STAGES: StageResult[] = [
  { id: 'lint', title: 'Lint', status: 'passed', durationMs: 4200, startedAtMs: 1_000_000, required: true },
  { id: 'unit', title: 'Unit tests', status: 'failed', durationMs: 12_500, startedAtMs: 1_000_100, reason: '3 tests failed', required: true },
  {
    id: 'integration:critical',
    title: 'Integration (critical)',
    status: 'timed-out',
    durationMs: 600_000,
    startedAtMs: 1_013_000,
    reason: 'timed out after 10 min: raise stages.integration.timeout',
    required: true,
  },
  { id: 'integration:non-critical', title: 'Integration (non-critical)', status: 'skipped', durationMs: 0, reason: 'pull request: critical suite only', required: false },
];

export const GATE: GateReport = {
  engine: 'k6',
  passed: false,
  reason: 'thresholds crossed',
  thresholds: [
    { metric: 'http_req_duration', expression: 'p(95)<300', source: 'input', observed: 412.3, passed: false },
    { metric: 'http_req_failed', expression: 'rate<0.01', source: 'builtin', observed: 0.002, passed: true },
  ],
  requests: 5230,
  failedRate: 0.002,
  p95Ms: 412.3,
  p99Ms: 801.1,
  durationMs: 30_000,
  baseline: { ref: 'main', p95Ms: 250, errorRate: 0.001, p95ChangePct: 64.9 },
};

/** A report with `failures` failed tests (every one kept when `keepAll`), big stack traces, stages and gate. */
export function bigReport(failures: number, opts: { keepAll?: boolean; limits?: Partial<ReportLimits> } = {}): RunReport {
  const c = new TestCollector({ ...(opts.keepAll ? { maxFailed: failures, maxFlaky: failures } : {}), ...opts.limits });
  const details = `AssertionError: expected 1 to be 2\n${'    at Object.<anonymous> (/repo/src/some/deep/path/file.test.ts:10:5)\n'.repeat(60)}`;
  const rec: TestCaseRecord = {
    suite: 'src/a.test.ts',
    classname: 'src/a.test.ts',
    name: '',
    durationMs: 3,
    status: 'failed',
    message: 'expected 1 to be 2 with <html> & | pipes `ticks`',
    details,
    output: 'log line\n'.repeat(50),
    file: 'src/a.test.ts',
    line: 10,
    failedAttempts: 1,
    source: 'junit.xml',
  };
  c.beginFile('junit.xml', false);
  for (let i = 0; i < failures; i++) {
    rec.name = `suite > case ${i} fails`;
    rec.status = 'failed';
    c.add(rec);
  }
  for (let i = 0; i < 1000; i++) {
    rec.name = `flaky ${i}`;
    rec.status = 'flaky';
    c.add(rec);
  }
  c.endFile();
  return {
    meta: { title: 'backend-ci', suite: 'critical', ref: 'feat/x', sha: 'a'.repeat(40), blobUrl: 'https://github.com/o/r/blob/SHA' },
    tests: c.finish(),
    coverage: undefined,
    stages: STAGES,
    gate: GATE,
    warnings: Array.from({ length: 300 }, (_, i) => ({ file: `f${i}.xml`, message: `f${i}.xml: empty file`, hint: 'check the stage log' })),
    passed: false,
  };
}
