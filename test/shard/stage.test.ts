/** The `shard` stage of `run --shard I/N`: which files, from where, and what it records for the merge. */
import { describe, expect, it } from 'vitest';
import { resolveConfig, type ProjectFacts, type ResolvedConfig } from '../../src/config/resolve.js';
import { shardsOnlyInFirst, shardStageRun, type ShardStageInput } from '../../src/shard/stage.js';

const project: ProjectFacts = { scripts: { lint: 'eslint .', 'test:integration': 'vitest run' }, dependencies: [], hasLockfile: false };
const FILES = ['test/integration/a.test.ts', 'test/integration/b.test.ts', 'test/integration/critical/c.test.ts', 'test/unit/u.test.ts', 'test/integration/helper.ts'];

function config(shard: object, suite: 'all' | 'critical' = 'all'): ResolvedConfig {
  return resolveConfig({ projectDir: '/p', file: { critical: { paths: ['test/integration/critical/**'], tag: '@critical' } }, flags: { shard, suite, out: '/p/out' }, project });
}

function input(cfg: ResolvedConfig, files: Record<string, string>, env: NodeJS.ProcessEnv = {}): ShardStageInput & { written: Record<string, string> } {
  const written: Record<string, string> = {};
  return {
    config: cfg,
    sharding: cfg.sharding!,
    shard: cfg.sharding!.shard!,
    state: { files: null },
    env,
    // A tiny glob over FILES: `**/integration/**` and the critical folder, as tinyglobby would match them here.
    glob: async (patterns) =>
      FILES.filter((f) =>
        patterns.some((p) => (p.startsWith('**/integration/**') ? /\/integration\/.*\.test\.ts$/.test(`/${f}`) : p === 'test/integration/critical/**' && f.startsWith('test/integration/critical/'))),
      ),
    readText: async (path) => {
      if (path in files) return files[path]!;
      throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
    },
    writeText: async (path, text) => {
      written[path] = text;
    },
    now: () => Date.parse('2026-11-24T10:00:00Z'),
    written,
  };
}

describe('the shard stage', () => {
  it('plans from the duration history, hands the files on and records shard.json with the run attempt', async () => {
    const cfg = config({ index: 1, total: 2 });
    const i = input(cfg, { '/p/.backend-ci/durations.json': JSON.stringify({ version: 1, files: { 'test/integration/a.test.ts': 9000, 'test/integration/b.test.ts': 10 } }) }, { GITHUB_RUN_ATTEMPT: '3' });
    const outcome = await shardStageRun(i);
    expect(outcome.status).toBe('passed');
    expect(i.state.files).toEqual(['test/integration/a.test.ts']);
    expect(outcome.reason).toMatch(/^shard 1\/2: 1 of 3 test file\(s\), expected 9\.0 s \(test\/integration\/a\.test\.ts\); from 3 test file\(s\), 2 with a recorded duration/);
    expect(JSON.parse(i.written['/p/out/shard.json']!)).toEqual({
      version: 1,
      index: 1,
      total: 2,
      attempt: 3,
      startedAt: '2026-11-24T10:00:00.000Z',
      files: ['test/integration/a.test.ts'],
      expectedMs: 9000,
    });
  });

  it('plans only the chosen suite’s files', async () => {
    const i = input(config({ index: 1, total: 2 }, 'critical'), { '/p/test/integration/a.test.ts': "it('x @critical')", '/p/test/integration/b.test.ts': "it('y')" });
    await shardStageRun(i);
    const j = input(config({ index: 2, total: 2 }, 'critical'), { '/p/test/integration/a.test.ts': "it('x @critical')", '/p/test/integration/b.test.ts': "it('y')" });
    await shardStageRun(j);
    expect([...i.state.files!, ...j.state.files!].sort()).toEqual(['test/integration/a.test.ts', 'test/integration/critical/c.test.ts']);
  });

  it('takes the files from a plan file, and fails clearly when the plan is for another shard count', async () => {
    const plan = { version: 1, total: 2, shards: [{ index: 1, files: ['test/integration/b.test.ts'], expectedMs: 1 }, { index: 2, files: ['test/integration/a.test.ts'], expectedMs: 1 }] };
    const ok = input(config({ index: 2, total: 2, plan: 'plan.json' }), { '/p/plan.json': JSON.stringify(plan) });
    expect((await shardStageRun(ok)).status).toBe('passed');
    expect(ok.state.files).toEqual(['test/integration/a.test.ts']);
    const other = input(config({ index: 2, total: 3, plan: 'plan.json' }), { '/p/plan.json': JSON.stringify(plan) });
    expect(await shardStageRun(other)).toEqual({ status: 'failed', reason: '/p/plan.json: the plan is for 2 shard(s), this run is one of 3; plan again with --shards 3' });
  });

  it('fails with what to set when no test file matches, and names a broken history file', async () => {
    const cfg = resolveConfig({ projectDir: '/p', file: { shard: { files: ['e2e/**/*.test.ts'] } }, flags: { shard: { index: 1, total: 2 } }, project });
    expect((await shardStageRun(input(cfg, {}))).reason).toMatch(/no test files to shard: nothing matches e2e\/\*\*\/\*\.test\.ts; set "shard": \{"files": \[globs\]\}/);
    const broken = await shardStageRun(input(config({ index: 1, total: 2 }), { '/p/.backend-ci/durations.json': '{"version": 1, "files": []}' }));
    expect(broken.status).toBe('failed');
    expect(broken.reason).toMatch(/^\/p\/\.backend-ci\/durations\.json: files: /);
  });

  it('keeps lint-like stages in shard 1 and says so elsewhere', () => {
    const lint = config({ index: 1, total: 3 }).stages.lint;
    expect(shardsOnlyInFirst(lint, { index: 1, total: 3 })).toBe(lint);
    expect(shardsOnlyInFirst(lint, { index: 2, total: 3 })).toMatchObject({ enabled: false, disabledReason: 'runs in shard 1/3' });
    const off = { ...lint, enabled: false, disabledReason: 'no "lint" script in package.json' };
    expect(shardsOnlyInFirst(off, { index: 2, total: 3 }).disabledReason).toBe('no "lint" script in package.json');
  });
});
