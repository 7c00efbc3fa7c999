/**
 * End to end: sample-service's integration suites (critical + non-critical) as 3 shards, each `backend-ci run
 * --shard I/3` with its own embedded Postgres and Redis, planned from the durations of an unsharded run, then
 * `backend-ci merge`. The merged report has the same tests with the same outcomes as the unsharded run, each once;
 * the load smoke gate runs in shard 1 only and is in the merged report.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import { durationsFromJUnit, updateDurations } from '../../src/shard/durations.js';
import type { CliIO } from '../../src/types.js';
import { copySampleService } from '../support/sample-copy.js';
import { junitCases } from './helpers/junit-cases.js';

let dir = '';

beforeAll(() => {
  // install is skipped in every run (see copySampleService).
  dir = copySampleService(mkdtempSync(join(tmpdir(), 'bci-sharded-sample-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[]): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', GITHUB_RUN_ATTEMPT: '' },
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (out += c) },
  };
  return { code: await main(argv, io), out };
}

interface Result {
  exitCode: number;
  gate: { passed: boolean; engine: string; p95Ms: number | null } | null;
  tests: Record<string, number>;
  coverage: { lines: number | null };
  stages: { id: string; status: string; reason?: string }[];
}
const result = (out: string): Result => JSON.parse(readFileSync(join(dir, out, 'result.json'), 'utf8')) as Result;

describe('sample-service integration suites in 3 shards (embedded Postgres + Redis per shard)', () => {
  it('merges into the same tests and outcomes as the unsharded run', async () => {
    const stages = ['--skip', 'install', '--stages', 'migrate,integration,load'];
    const whole = await cli(['run', ...stages, '--out', '.backend-ci/whole/report']);
    expect(whole.code, whole.out.slice(-3000)).toBe(0);

    // The duration history an earlier run leaves behind (what the merge job saves to the cache).
    const junitDir = join(dir, '.backend-ci/whole/report/junit');
    const measured = await Promise.all(readdirSync(junitDir).map((f) => durationsFromJUnit(join(junitDir, f))));
    mkdirSync(join(dir, '.backend-ci'), { recursive: true });
    writeFileSync(join(dir, '.backend-ci/durations.json'), JSON.stringify(updateDurations({ version: 1, files: {} }, measured)));

    const planned = await cli(['plan', '--shards', '3', '--json']);
    expect(planned.code, planned.out).toBe(0);
    const { plan } = JSON.parse(planned.out) as { plan: { shards: { files: string[] }[] } };
    expect(plan.shards.flatMap((s) => s.files).sort()).toEqual(
      readdirSync(join(dir, 'test/integration'), { recursive: true })
        .map((f) => `test/integration/${String(f)}`)
        .filter((f) => f.endsWith('.test.ts'))
        .sort(),
    );

    for (const i of [1, 2, 3]) {
      const r = await cli(['run', ...stages, '--shard', `${i}/3`, '--out', `.backend-ci/shard-${i}/report`]);
      expect(r.code, r.out.slice(-3000)).toBe(0);
      const shardStage = result(`.backend-ci/shard-${i}/report`).stages.find((s) => s.id === 'shard');
      expect(shardStage?.reason).toContain(`shard ${i}/3: ${plan.shards[i - 1]!.files.length} of 8 test file(s)`);
      expect(result(`.backend-ci/shard-${i}/report`).stages.find((s) => s.id === 'services')?.status).toBe('passed');
    }

    const sharded = [1, 2, 3].flatMap((i) => junitCases(join(dir, `.backend-ci/shard-${i}/report`))).sort();
    const unsharded = junitCases(join(dir, '.backend-ci/whole/report'));
    expect(sharded).toEqual(unsharded);
    expect(new Set(sharded).size).toBe(sharded.length);

    const merged = await cli(['merge', '--shards', '3', '.backend-ci/shard-1/report', '.backend-ci/shard-2/report', '.backend-ci/shard-3/report', '--out', '.backend-ci/merged']);
    expect(merged.code, merged.out.slice(-3000)).toBe(0);
    const m = result('.backend-ci/merged');
    const w = result('.backend-ci/whole/report');
    expect(m.tests).toEqual(w.tests);
    expect(m.tests.passed).toBeGreaterThan(40);
    expect(m.stages.filter((s) => s.id.startsWith('shard:')).map((s) => s.status)).toEqual(['passed', 'passed', 'passed']);
    expect(m.stages.find((s) => s.id === 'integration:critical')?.status).toBe('passed');
    // The load gate runs in shard 1 only, and the merged report carries it.
    expect(existsSync(join(dir, '.backend-ci/shard-1/report/load/gate.json'))).toBe(true);
    expect(result('.backend-ci/shard-2/report').stages.find((s) => s.id === 'load')).toMatchObject({ status: 'skipped', reason: 'runs in shard 1/3' });
    expect(m.gate).toMatchObject({ passed: true, engine: 'local' });
    expect(m.stages.find((s) => s.id === 'load')?.status).toBe('passed');
    expect(readFileSync(join(dir, '.backend-ci/merged/summary.md'), 'utf8')).toContain('p(95)');
    // Coverage of the three shards combined is the unsharded run's coverage.
    expect(m.coverage.lines).not.toBeNull();
    expect(Math.abs(m.coverage.lines! - w.coverage.lines!)).toBeLessThan(1);
  }, 300_000);
});
