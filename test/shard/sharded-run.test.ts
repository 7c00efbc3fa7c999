/**
 * Sharding on a small throw-away project with real processes (npm scripts, vitest): three `run --shard I/3` runs,
 * then `merge`, compared with the unsharded run; a missing shard and a re-run shard. No services here (see
 * test/e2e/sharded-sample.test.ts for sample-service with embedded Postgres and Redis).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/app.js';
import type { CliIO } from '../../src/types.js';
import { junitCases } from './helpers/junit-cases.js';

const rootModules = resolve(import.meta.dirname, '../../node_modules');
let dir = '';

const math = 'export function add(a, b) {\n  return a + b;\n}\n\nexport function sub(a, b) {\n  return a - b;\n}\n';
const testFile = (name: string, body: string): string => `import { expect, it } from 'vitest';\nimport { add, sub } from '../../src/math.js';\n\n${body}\n// ${name}\n`;
const files: Record<string, string> = {
  'src/math.js': math,
  'test/integration/adds.test.js': testFile('adds', "it('adds', () => expect(add(1, 2)).toBe(3));\nit('adds zero', () => expect(add(0, 2)).toBe(2));"),
  'test/integration/subtracts.test.js': testFile('subtracts', "it('subtracts', () => expect(sub(3, 2)).toBe(1));"),
  'test/integration/mixed.test.js': testFile(
    'mixed',
    "it('adds then subtracts @critical', () => expect(sub(add(1, 1), 1)).toBe(1));\nit('is flaky on purpose when FAIL_MIXED is set', () => expect(process.env.FAIL_MIXED).toBeUndefined());",
  ),
  'test/integration/skips.test.js': testFile('skips', "it.skip('is skipped', () => {});\nit('runs', () => expect(add(2, 2)).toBe(4));"),
  'test/integration/critical/core.test.js': testFile('core', "it('adds in the core', () => expect(add(5, 5)).toBe(10));").replace('../../src', '../../../src'),
};
// Durations from "earlier runs", so the plan is known: adds alone, subtracts + critical/core, mixed + skips.
const durations = {
  version: 1,
  files: {
    'test/integration/adds.test.js': 900,
    'test/integration/subtracts.test.js': 500,
    'test/integration/critical/core.test.js': 300,
    'test/integration/mixed.test.js': 400,
    'test/integration/skips.test.js': 350,
  },
};

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'bci-shard-'));
  symlinkSync(rootModules, join(dir, 'node_modules'), 'dir');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({
      name: 'p',
      type: 'module',
      private: true,
      scripts: { lint: `node -e "console.log('lint clean')"`, 'test:integration': 'vitest run' },
      devDependencies: { vitest: '*', '@vitest/coverage-v8': '*' },
    }),
  );
  writeFileSync(join(dir, 'backend-ci.config.json'), JSON.stringify({ services: '', critical: { paths: ['test/integration/critical/**'], tag: '@critical' } }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  mkdirSync(join(dir, '.backend-ci'), { recursive: true });
  writeFileSync(join(dir, '.backend-ci/durations.json'), JSON.stringify(durations));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(argv: string[], env: Record<string, string> = {}): Promise<{ code: number; out: string }> {
  let out = '';
  const io: CliIO = {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', GITHUB_RUN_ATTEMPT: '', ...env },
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (out += c) },
  };
  const code = await main(argv, io);
  return { code, out };
}

interface ResultJson {
  tests: Record<string, number>;
  coverage: { lines: number | null };
  stages: { id: string; status: string; reason?: string }[];
  shards: { status: string; attempt?: number }[];
  files: Record<string, number>;
  index: number;
}
const readJson = (path: string): ResultJson => JSON.parse(readFileSync(join(dir, path), 'utf8')) as ResultJson;

describe('sharded run on a small project', () => {
  it('plans the same shards on the command line as the shard runs use', async () => {
    const { code, out } = await cli(['plan', '--shards', '3', '--json']);
    expect(code, out).toBe(0);
    const { plan, matrix } = JSON.parse(out);
    expect(plan.shards.map((s: { files: string[] }) => s.files)).toEqual([
      ['test/integration/adds.test.js'],
      ['test/integration/critical/core.test.js', 'test/integration/subtracts.test.js'],
      ['test/integration/mixed.test.js', 'test/integration/skips.test.js'],
    ]);
    expect(matrix.include).toEqual([1, 2, 3].map((shard) => ({ shard, total: 3 })));
  });

  it('runs three shards whose merge has the same tests and outcomes as the unsharded run, each counted once', async () => {
    const whole = await cli(['run', '--skip', 'install', '--out', 'out/whole']);
    expect(whole.code, whole.out).toBe(0);
    for (const i of [1, 2, 3]) {
      const r = await cli(['run', '--skip', 'install', '--shard', `${i}/3`, '--out', `shards/s${i}`]);
      expect(r.code, r.out).toBe(0);
      const manifest = readJson(`shards/s${i}/shard.json`);
      expect(manifest).toMatchObject({ index: i, total: 3, attempt: 1 });
    }
    // Lint runs in shard 1 only; the others say where it runs.
    expect(readJson('shards/s2/result.json').stages.find((s: { id: string }) => s.id === 'lint')).toMatchObject({ status: 'skipped', reason: 'runs in shard 1/3' });
    expect(readJson('shards/s1/result.json').stages.find((s: { id: string }) => s.id === 'lint')?.status).toBe('passed');
    // File names carry the shard, so artifacts never collide.
    expect(readFileSync(join(dir, 'shards/s2/logs/integration-critical.log'), 'utf8')).toContain('critical/core.test.js');
    const sharded = [1, 2, 3].flatMap((i) => junitCases(join(dir, `shards/s${i}`))).sort();
    expect(sharded).toEqual(junitCases(join(dir, 'out/whole')));
    // 7 tests; the file with an @critical test runs in both suites, each skipping the other suite's test.
    expect(sharded.length).toBe(10);

    const merged = await cli(['merge', '--shards', '3', 'shards', '--out', 'out/merged', '--durations', 'out/durations.json']);
    expect(merged.code, merged.out).toBe(0);
    const m = readJson('out/merged/result.json');
    expect(m.tests).toEqual(readJson('out/whole/result.json').tests);
    expect(m.tests).toMatchObject({ passed: 7, skipped: 3, failed: 0, total: 10 });
    expect(m.stages.filter((s: { id: string }) => s.id.startsWith('shard:')).map((s: { status: string }) => s.status)).toEqual(['passed', 'passed', 'passed']);
    expect(m.stages.find((s: { id: string }) => s.id === 'lint')).toMatchObject({ status: 'passed' });
    expect(m.stages.find((s: { id: string }) => s.id === 'integration:non-critical')).toMatchObject({ status: 'passed', reason: 'ran in shards 1, 2, 3' });
    // Coverage: add() and sub() are covered by tests in different shards; the line union covers both.
    expect(m.coverage.lines).toBe(100);
    expect(readFileSync(join(dir, 'out/merged/summary.md'), 'utf8')).toContain('Shard 2/3');
    // The duration history now has every test file.
    expect(Object.keys(readJson('out/durations.json').files).sort()).toEqual(Object.keys(durations.files).sort());
  }, 120_000);

  it('fails the merge with a "missing" row when a shard has no output', async () => {
    rmSync(join(dir, 'partial'), { recursive: true, force: true });
    cpSync(join(dir, 'shards/s1'), join(dir, 'partial/s1'), { recursive: true });
    cpSync(join(dir, 'shards/s3'), join(dir, 'partial/s3'), { recursive: true });
    const r = await cli(['merge', '--shards', '3', 'partial', '--out', 'out/partial', '--durations', '']);
    expect(r.code).toBe(1);
    const m = readJson('out/partial/result.json');
    expect(m.stages.find((s: { id: string }) => s.id === 'shard:2/3')).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^missing \(no artifact\)/) });
    expect(m.shards.map((s: { status: string }) => s.status)).toEqual(['passed', 'missing', 'passed']);
    // The tests of the shards that ran are still reported.
    expect(m.tests.total).toBe(10 - junitCases(join(dir, 'shards/s2')).length);
    expect(readFileSync(join(dir, 'out/partial/summary.md'), 'utf8')).toContain('missing (no artifact)');
  });

  it('lets a re-run shard replace its earlier attempt', async () => {
    // Attempt 1 of shard 3 fails (FAIL_MIXED), attempt 2 passes; both folders are given to the merge, named as the
    // workflow names the artifacts.
    rmSync(join(dir, 'rerun'), { recursive: true, force: true });
    const first = await cli(['run', '--skip', 'install', '--shard', '3/3', '--out', 'rerun/backend-ci-shard-3-of-3-attempt-1'], { FAIL_MIXED: '1', GITHUB_RUN_ATTEMPT: '1' });
    expect(first.code).toBe(1);
    const failing = await cli(['merge', '--shards', '3', 'shards/s1', 'shards/s2', 'rerun', '--out', 'out/rerun1', '--durations', '']);
    expect(failing.code).toBe(1);
    expect(readJson('out/rerun1/result.json').tests.failed).toBe(1);

    const second = await cli(['run', '--skip', 'install', '--shard', '3/3', '--out', 'rerun/backend-ci-shard-3-of-3-attempt-2'], { GITHUB_RUN_ATTEMPT: '2' });
    expect(second.code, second.out).toBe(0);
    const merged = await cli(['merge', '--shards', '3', 'shards/s1', 'shards/s2', 'rerun', '--out', 'out/rerun2', '--durations', '']);
    expect(merged.code, merged.out).toBe(0);
    const m = readJson('out/rerun2/result.json');
    expect(m.tests).toMatchObject({ failed: 0, passed: 7, total: 10 });
    expect(m.shards[2]).toMatchObject({ status: 'passed', attempt: 2 });
    expect(merged.out).toContain('attempt-1 (attempt 1) replaced by a later attempt');
  }, 120_000);
});
