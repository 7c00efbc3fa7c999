import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { isRunning } from '../support/processes.js';
import type { RunningProcess, RunProcessOptions } from '../../src/process/run-process.js';
import { createFileBaselineStore } from '../../src/load/baseline.js';
import { parseK6SummaryText } from '../../src/load/summary.js';
import { defaultSmokeStageDeps, runSmokeStage } from '../../src/load/stage.js';
import type { SmokeStageDeps, SmokeStageOptions } from '../../src/load/stage.js';

const here = dirname(fileURLToPath(import.meta.url));
const SERVICE = join(here, 'fixtures', 'service.mjs');
const FAKE_K6 = join(here, 'fixtures', 'fake-k6.mjs');
const root = mkdtempSync(join(tmpdir(), 'smoke-stage-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let n = 0;
function project(): string {
  const dir = join(root, `p${++n}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The real deps, recording every service process started so the test can prove none is left behind. */
function deps(overrides: Partial<SmokeStageDeps> = {}): SmokeStageDeps & { started: RunningProcess[] } {
  const real = defaultSmokeStageDeps();
  const started: RunningProcess[] = [];
  return {
    ...real,
    findK6: () => null,
    startProcess: (o: RunProcessOptions) => {
      const p = real.startProcess(o);
      started.push(p);
      return p;
    },
    ...overrides,
    started,
  };
}

const alive = isRunning;

/** Whether any process of the group is still running, waiting up to 2 s for SIGKILLed members to go. */
async function groupAlive(pgid: number | undefined): Promise<boolean> {
  if (!pgid) return false;
  const deadline = Date.now() + 2000;
  for (;;) {
    const members = readdirSync('/proc')
      .filter((e) => /^\d+$/.test(e))
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ')[2] === String(pgid);
        } catch {
          return false;
        }
      })
      .filter((pid) => alive(Number(pid)));
    if (members.length === 0) return false;
    if (Date.now() > deadline) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function options(cwd: string, env: Record<string, string> = {}, extra: Partial<SmokeStageOptions> = {}): SmokeStageOptions {
  return {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    // sh -> node: the service runs under a wrapper, like `npm run start`, so stopping must take the whole group.
    startCommand: { command: 'sh', args: ['-c', `exec node ${SERVICE}`] },
    healthPath: '/health',
    healthTimeoutMs: 10_000,
    thresholds: { p95Ms: 1000 },
    localLoad: { durationSec: 0.6, vus: 2, routes: [{ path: '/fast' }, { path: '/slow' }] },
    outDir: join(cwd, 'report'),
    timeoutMs: 30_000,
    ...extra,
  };
}

describe('runSmokeStage with the local engine against a real service process', () => {
  it('passes with a generous p95, writes the summary and one JUnit testcase per threshold, and stops the service', async () => {
    const cwd = project();
    const d = deps();
    const lines: string[] = [];
    const r = await runSmokeStage(options(cwd, { SPAWN_CHILD: '1' }, { log: (l) => lines.push(l) }), d);
    expect(r.reason).toBeUndefined();
    expect(r.status).toBe('passed');
    expect(r.gate).toMatchObject({ engine: 'local', passed: true });
    expect(r.gate.requests).toBeGreaterThan(10);
    expect(r.gate.p95Ms).toBeGreaterThan(0);
    expect(r.summaryPath).toBe(join(cwd, 'report', 'local-summary.json'));
    const saved = parseK6SummaryText(readFileSync(r.summaryPath ?? '', 'utf8'), 'local-summary.json');
    expect(saved.format).toBe('local');
    expect(saved.metrics.http_reqs?.values.count).toBe(r.gate.requests);
    expect(saved.metrics.http_req_duration?.values['p(95)']).toBe(r.gate.p95Ms);
    const xml = readFileSync(r.junitPath, 'utf8');
    expect(xml.match(/<testcase /g)).toHaveLength(r.gate.thresholds.length);
    expect(xml).not.toContain('<failure');
    expect(readFileSync(r.serviceLogPath, 'utf8')).toMatch(/listening on \d+ \(mode normal\)/);
    expect(lines.some((l) => /service healthy at http:\/\/127\.0\.0\.1:\d+\/health/.test(l))).toBe(true);
    expect(d.started).toHaveLength(1);
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
    const childPid = Number(/child pid (\d+)/.exec(readFileSync(r.serviceLogPath, 'utf8'))?.[1]);
    expect(childPid).toBeGreaterThan(0);
    expect(alive(childPid)).toBe(false);
  });

  it('fails with an impossible p95 and records the failure in JUnit', async () => {
    const cwd = project();
    const r = await runSmokeStage(options(cwd, {}, { thresholds: { p95Ms: 0.001 } }), deps());
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.gate.passed).toBe(false);
    expect(r.reason).toBe('thresholds crossed: http_req_duration p(95)<0.001');
    expect(readFileSync(r.junitPath, 'utf8')).toMatch(/<failure message="http_req_duration p\(95\)&lt;0\.001 crossed: observed [\d.]+" type="threshold"/);
  });

  it('fails when the service exits before it is healthy, with the tail of its log', async () => {
    const d = deps();
    const r = await runSmokeStage(options(project(), { SERVICE_MODE: 'exit-early' }), d);
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.reason).toMatch(
      /^the service exited with code 1 before http:\/\/127\.0\.0\.1:\d+\/health answered \(last output: "boom: cannot connect to the database at postgres:\/\/db:5432"\); log: \S+service\.log$/,
    );
    expect(r.details).toBe("the service's last log lines:\n  | boom: cannot connect to the database at postgres://db:5432");
    const xml = readFileSync(r.junitPath, 'utf8');
    expect(xml).toContain('<testcase classname="load.local" name="load run"');
    expect(xml).toMatch(/<system-err>.*boom: cannot connect to the database/s);
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
  });

  it('fails when the service never becomes healthy, and stops it', async () => {
    const d = deps();
    const r = await runSmokeStage(options(project(), { SERVICE_MODE: 'never-healthy' }, { healthTimeoutMs: 800 }), d);
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.reason).toMatch(/^the service did not become healthy: http:\/\/127\.0\.0\.1:\d+\/health did not answer 2xx within 800 ms \(last: HTTP 503\)/);
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
  });

  it('fails when the service crashes during the load, and stops the load early', async () => {
    const d = deps();
    const started = Date.now();
    const r = await runSmokeStage(
      options(project(), { SERVICE_MODE: 'crash-after', CRASH_AFTER_MS: '400' }, { localLoad: { durationSec: 20, vus: 2, routes: [{ path: '/fast' }] } }),
      d,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.reason).toMatch(/^the service exited during the load \(code 3\) \(last output: "fatal: out of memory \(simulated crash\)"\); log: /);
    expect(r.details).toMatch(/listening on \d+ \(mode crash-after\)\n {2}\| fatal: out of memory/);
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
  });

  it('times out a stage that runs too long, stopping the load and the service', async () => {
    const d = deps();
    const started = Date.now();
    const r = await runSmokeStage(options(project(), {}, { timeoutMs: 1500, localLoad: { durationSec: 30, vus: 1, routes: [{ path: '/fast' }] } }), d);
    expect(Date.now() - started).toBeLessThan(8000);
    expect(r.status).toBe('timed-out');
    expect(r.reason).toMatch(/^the load stage timed out after 1500 ms/);
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
  });

  it('is cancelled by its signal (Ctrl-C, fail-fast, job cancel) and stops the service', async () => {
    const d = deps();
    const controller = new AbortController();
    const lines: string[] = [];
    const run = runSmokeStage(
      options(project(), {}, {
        signal: controller.signal,
        localLoad: { durationSec: 30, vus: 1, routes: [{ path: '/fast' }] },
        log: (l) => {
          lines.push(l);
          if (l.startsWith('service healthy')) setTimeout(() => controller.abort(), 200);
        },
      }),
      d,
    );
    const r = await run;
    expect(r.status).toBe('cancelled');
    expect(r.gate.passed).toBe(false);
    expect(r.reason).toMatch(/^cancelled/);
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
  });

  it('fails before starting anything when the port is in use', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const d = deps();
      const r = await runSmokeStage(options(project(), {}, { port }), d);
      expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
      expect(r.reason).toBe(`port ${port} is already in use: stop what listens there or choose another port`);
      expect(d.started).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  it('fails a threshold on an unknown metric with the metrics that exist', async () => {
    const r = await runSmokeStage(
      options(project(), {}, { localLoad: { durationSec: 0.3, vus: 1, routes: [{ path: '/fast' }], thresholds: { http_req_durations: ['p(99)<500'] } } }),
      deps(),
    );
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.gate.thresholds[0]).toMatchObject({ metric: 'http_req_durations', passed: false });
    expect(r.gate.thresholds[0]?.note).toMatch(/^unknown metric "http_req_durations": not in the summary \(it has: http_req_duration, /);
  });

  it('rejects an invalid load config before starting the service', async () => {
    const d = deps();
    const r = await runSmokeStage(options(project(), {}, { localLoad: { vus: 0 } }), d);
    expect(r.reason).toMatch(/^invalid load config at load\.vus: /);
    expect(d.started).toHaveLength(0);
  });

  it('compares with the base branch and saves the passing figures per branch', async () => {
    const cwd = project();
    const store = createFileBaselineStore(join(cwd, '.backend-ci', 'baselines'));
    await store.save('main', { ref: 'main', engine: 'local', p95Ms: 0.01, errorRate: 0, requests: 10, recordedAt: '2026-11-24T00:00:00.000Z' });
    const r = await runSmokeStage(
      options(cwd, {}, { thresholds: { p95Ms: 1000, maxRegressionPct: 10, noiseFloorMs: 0 }, baseline: { branch: 'feature/x', baseBranch: 'main' } }),
      deps({ baselineStore: store }),
    );
    expect(r.gate.baseline).toMatchObject({ ref: 'main', p95Ms: 0.01 });
    expect(r.gate.baseline?.p95ChangePct).toBeGreaterThan(100);
    expect(r.gate.passed).toBe(false);
    expect(r.reason).toMatch(/p95 regressed [\d.]+% vs main \(limit 10%\)/);
    expect(await store.load('feature/x')).toBeNull();

    const ok = await runSmokeStage(options(cwd, {}, { baseline: { branch: 'feature/x', baseBranch: 'main' } }), deps({ baselineStore: store }));
    expect(ok.gate.passed).toBe(true);
    expect(await store.load('feature/x')).toMatchObject({ ref: 'feature/x', engine: 'local', requests: ok.gate.requests });
  });
});

describe('runSmokeStage with k6 (a stand-in binary at the process boundary: k6 is not installable here)', () => {
  const binDir = join(root, 'bin');
  mkdirSync(binDir, { recursive: true });
  symlinkSync(FAKE_K6, join(binDir, 'k6'));
  const k6Env = (mode: string, summary: string, argsFile: string): Record<string, string> => ({
    PATH: `${binDir}:${process.env.PATH ?? ''}`,
    FAKE_K6_MODE: mode,
    FAKE_K6_SUMMARY: `/work/shared/fixtures/k6/${summary}`,
    FAKE_K6_ARGS_FILE: argsFile,
  });
  const k6Deps = () => deps({ findK6: defaultSmokeStageDeps().findK6 });

  function scriptIn(cwd: string): string {
    const script = join(cwd, 'smoke.js');
    writeFileSync(script, "export const options = { thresholds: { http_req_duration: ['p(95)<300', 'p(99.9)<900'] } };\n");
    return script;
  }

  it('finds k6 on PATH, runs it with the summary export, trend stats and BASE_URL, and gates its summary', async () => {
    const cwd = project();
    const argsFile = join(cwd, 'k6-args.json');
    scriptIn(cwd);
    const r = await runSmokeStage(options(cwd, k6Env('pass', 'local-v2.2.0-summary-export-pass.json', argsFile), { k6Script: 'smoke.js' }), k6Deps());
    const seen = JSON.parse(readFileSync(argsFile, 'utf8')) as { args: string[]; env: { BASE_URL: string } };
    expect(r.reason).toBeUndefined();
    expect(r.gate).toMatchObject({ engine: 'k6', passed: true, requests: 20 });
    expect(seen.args).toEqual([
      'run',
      '--quiet',
      '--no-color',
      '--summary-export',
      join(cwd, 'report', 'k6-summary.json'),
      '--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99),p(99.9)',
      '-e',
      `BASE_URL=${seen.env.BASE_URL}`,
      join(cwd, 'smoke.js'),
    ]);
    expect(seen.env.BASE_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(r.summaryPath).toBe(join(cwd, 'report', 'k6-summary.json'));
    expect(readFileSync(join(cwd, 'report', 'k6.log'), 'utf8')).toContain('GET /health 200');
    expect(r.gate.thresholds.filter((t) => t.source === 'script')).toHaveLength(5);
  });

  it('fails with k6 exit 99 and the crossed script threshold', async () => {
    const cwd = project();
    scriptIn(cwd);
    const r = await runSmokeStage(options(cwd, k6Env('crossed', 'local-v2.2.0-summary-export-fail.json', join(cwd, 'a.json')), { k6Script: 'smoke.js' }), k6Deps());
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.reason).toBe('thresholds crossed: http_req_duration p(95)<0.001');
  });

  it('fails a script that throws (k6 107) with its meaning and the k6 output, and stops the service', async () => {
    const cwd = project();
    scriptIn(cwd);
    const d = k6Deps();
    const r = await runSmokeStage(options(cwd, k6Env('exception', 'x', join(cwd, 'a.json')), { k6Script: 'smoke.js' }), d);
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.reason).toMatch(
      /^k6 exited 107: the script threw an exception .*; k6 wrote no summary; no requests were made \(last output: "at default \(file:\/\/\/scripts\/smoke\.js:12:3\(14\)\)"\)$/,
    );
    expect(r.details).toContain('ReferenceError: usr is not defined');
    expect(r.gate.thresholds.find((t) => t.source === 'input')).toMatchObject({ passed: false, note: 'not evaluated: the run produced no summary' });
    expect(r.summaryPath).toBeNull();
    expect(await groupAlive(d.started[0]?.pid)).toBe(false);
  });

  it('fails an unknown metric in a script threshold (k6 104)', async () => {
    const cwd = project();
    scriptIn(cwd);
    const r = await runSmokeStage(options(cwd, k6Env('invalid', 'x', join(cwd, 'a.json')), { k6Script: 'smoke.js' }), k6Deps());
    expect(r.reason).toMatch(/^k6 exited 104: invalid configuration or threshold expression.*no metric name \\"http_req_durations\\" found/);
  });

  it('fails a missing script before starting the service', async () => {
    const cwd = project();
    const d = k6Deps();
    const r = await runSmokeStage(options(cwd, k6Env('pass', 'x', join(cwd, 'a.json')), { k6Script: 'tests/load/missing.ts' }), d);
    expect(r.status).toBe('failed');
    expect(r.reason ?? '').not.toContain('\n');
    expect(r.reason).toBe(`k6 script not found: ${join(cwd, 'tests/load/missing.ts')} (check the k6-script input / --k6-script path)`);
    expect(d.started).toHaveLength(0);
    expect(existsSync(r.junitPath)).toBe(true);
  });

  it('falls back to the local engine, saying so, when k6 is not on PATH', async () => {
    const cwd = project();
    scriptIn(cwd);
    const lines: string[] = [];
    const r = await runSmokeStage(options(cwd, {}, { k6Script: 'smoke.js', log: (l) => lines.push(l) }), deps());
    expect(r.gate.engine).toBe('local');
    expect(r.gate.passed).toBe(true);
    expect(lines[0]).toBe('k6 is not on PATH: running the local engine; the thresholds inside smoke.js are not applied (install k6 to use them)');
  });
});
