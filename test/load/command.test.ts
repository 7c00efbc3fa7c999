import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gateCommand } from '../../src/load/command.js';
import { toHandleSummaryJson } from '../../src/load/summary.js';
import type { CliIO } from '../../src/types.js';

const FIXTURES = '/work/shared/fixtures/k6';
const tmp = mkdtempSync(join(tmpdir(), 'gate-cmd-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = { cwd: FIXTURES, env: {}, stdout: { write: (c: string) => (out += c) }, stderr: { write: (c: string) => (err += c) } };
  const code = await gateCommand(argv, io);
  return { code, out, err };
}

describe('backend-ci gate', () => {
  it('exits 0 on a passing summary and prints the threshold table', async () => {
    const r = await run(['local-v2.2.0-summary-export-pass.json', '--p95-ms', '300']);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    expect(r.out).toMatch(/PASS\s+http_req_duration\{endpoint:index\}\s+p\(95\)<300\s+1\.75176\s+script/);
    expect(r.out).toMatch(/PASS\s+http_req_duration\s+p\(95\)<300\s+1\.75176\s+input/);
    expect(r.out).toMatch(/PASS\s+http_reqs\s+count>0\s+20\s+builtin/);
    expect(r.out).toContain('gate: PASSED');
  });

  it('exits 1 on a crossed threshold and says which', async () => {
    const r = await run(['local-v1.8.1-summary-export-fail.json']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+http_req_duration\s+p\(95\)<0\.001\s+1\.24627\s+script/);
    expect(r.out).toContain('gate: FAILED: thresholds crossed: http_req_duration p(95)<0.001');
  });

  it('exits 1 on an input threshold crossed by a passing k6 run', async () => {
    const r = await run(['local-v2.2.0-handleSummary-data.json', '--p95-ms', '0.5']);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/FAIL\s+http_req_duration\s+p\(95\)<0\.5\s+0\.813489\s+input/);
  });

  it('exits 1 on an empty run even with k6 exit code 0', async () => {
    const file = join(tmp, 'empty.json');
    writeFileSync(file, JSON.stringify({ root_group: {}, metrics: { iterations: { count: 0, rate: 0 } } }));
    const r = await run([file, '--k6-exit-code', '0']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('gate: FAILED: no requests were made');
  });

  it('exits 1 with the meaning of a k6 error exit code', async () => {
    const r = await run(['local-v2.2.0-summary-export-newmr.json', '--k6-exit-code', '108']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('note: the machine-readable summary');
    expect(r.out).toContain('gate: FAILED: k6 exited 108: the script called test.abort()');
  });

  it('writes the thresholds as JUnit on request', async () => {
    const junit = join(tmp, 'gate.xml');
    const r = await run(['local-v2.2.0-summary-export-fail.json', '--junit', junit]);
    expect(r.code).toBe(1);
    const xml = readFileSync(junit, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(4);
    expect(xml).toContain('<failure message="http_req_duration p(95)&lt;0.001 crossed: observed 0.742778" type="threshold"/>');
  });

  it("gates the local engine's summary file with the same code path", async () => {
    const file = join(tmp, 'local-summary.json');
    writeFileSync(
      file,
      JSON.stringify(
        toHandleSummaryJson({
          format: 'local',
          source: 'local engine',
          thresholdsRecorded: false,
          notes: ['40 requests over 2 connections: 200×40'],
          metrics: {
            http_reqs: { name: 'http_reqs', type: 'counter', values: { count: 40, rate: 20 }, thresholds: [] },
            http_req_failed: { name: 'http_req_failed', type: 'rate', values: { rate: 0, passes: 0, fails: 40 }, thresholds: [] },
            http_req_duration: { name: 'http_req_duration', type: 'trend', values: { avg: 3, 'p(95)': 7 }, thresholds: [] },
          },
        }),
      ),
    );
    const r = await run([file, '--p95-ms', '5']);
    expect(r.code).toBe(1);
    expect(r.out).toContain('note: 40 requests over 2 connections: 200×40');
    expect(r.out).toContain('engine: local  requests: 40');
    expect(r.out).toMatch(/FAIL\s+http_req_duration\s+p\(95\)<5\s+7\s+input/);
  });

  it.each([
    [[], /missing SUMMARY\.json/],
    [['a.json', 'b.json'], /expected one summary file, got 2/],
    [['x.json', '--p95-ms', 'fast'], /--p95-ms "fast": expected a positive number of milliseconds/],
    [['x.json', '--error-rate', '5'], /--error-rate "5": expected a ratio between 0 and 1/],
    [['x.json', '--k6-exit-code', '1.5'], /--k6-exit-code "1\.5": expected an integer 0\.\.255/],
    [['x.json', '--bogus'], /Unknown option '--bogus'/],
  ])('exits 2 on bad arguments %j with usage', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.err).toContain('usage: backend-ci gate SUMMARY.json');
  });

  it('exits 2 on a file that is not a k6 summary, naming it', async () => {
    const r = await run(['local-v2.2.0-out-json-fail.ndjson']);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${FIXTURES}/local-v2.2.0-out-json-fail.ndjson: this is k6 --out json NDJSON`);
    const missing = await run(['nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain(`${FIXTURES}/nope.json: no such file`);
  });
});
