/** The merge on hand-made shard folders (what `run --shard` writes), without running anything. */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeShards, stageOfJUnitFile } from '../../src/shard/merge.js';
import { selectShardOutputs, type ShardOutput } from '../../src/shard/outputs.js';

const root = mkdtempSync(join(tmpdir(), 'bci-merge-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

interface ShardFixture {
  index: number;
  total: number;
  attempt?: number;
  exitCode?: number;
  stages?: { id: string; status: string; durationMs?: number; reason?: string }[];
  junit?: Record<string, string>;
  lcov?: string;
  noResult?: boolean;
}

function shardDir(name: string, f: ShardFixture): string {
  const dir = join(root, name);
  mkdirSync(join(dir, 'junit'), { recursive: true });
  writeFileSync(
    join(dir, 'shard.json'),
    JSON.stringify({ version: 1, index: f.index, total: f.total, attempt: f.attempt ?? 1, startedAt: '2026-11-24T10:00:00Z', files: [], expectedMs: 0 }),
  );
  if (!f.noResult) writeFileSync(join(dir, 'result.json'), JSON.stringify({ exitCode: f.exitCode ?? 0, stages: f.stages ?? [] }));
  for (const [file, xml] of Object.entries(f.junit ?? {})) writeFileSync(join(dir, 'junit', file), xml);
  if (f.lcov) {
    mkdirSync(join(dir, 'coverage', 'integration-non-critical'), { recursive: true });
    writeFileSync(join(dir, 'coverage', 'integration-non-critical', 'lcov.info'), f.lcov);
  }
  return dir;
}

const junit = (file: string, cases: [string, 'pass' | 'fail'][]): string =>
  `<testsuites><testsuite name="${file}">${cases
    .map(([name, r]) => `<testcase classname="${file}" name="${name}" time="0.25">${r === 'fail' ? '<failure message="boom">boom</failure>' : ''}</testcase>`)
    .join('')}</testsuite></testsuites>`;

const lcov = (hitA: number, hitB: number): string => `SF:src/a.ts\nDA:1,${hitA}\nDA:2,${hitB}\nend_of_record\n`;

function base(): string {
  const d = mkdtempSync(join(root, 'case-'));
  writeFileSync(join(d, 'package.json'), '{}');
  return d;
}

describe('mergeShards', () => {
  it('reads the stage from engine JUnit file names', () => {
    expect(stageOfJUnitFile('integration-critical.shard-2-of-3.xml')).toBe('integration:critical');
    expect(stageOfJUnitFile('integration-critical.shard-2-of-3.critical-paths.xml')).toBe('integration:critical');
    expect(stageOfJUnitFile('integration-non-critical.shard-1-of-3.xml')).toBe('integration:non-critical');
    expect(stageOfJUnitFile('unit.xml')).toBe('unit');
    expect(stageOfJUnitFile('load-junit.xml')).toBe('load');
  });

  it('unions lcov line by line when the shards wrote no istanbul maps, and combines stage rows', async () => {
    const project = base();
    shardDir('lcov/backend-ci-shard-1-of-2-attempt-1', {
      index: 1,
      total: 2,
      stages: [
        { id: 'lint', status: 'passed', durationMs: 100 },
        { id: 'integration:non-critical', status: 'passed', durationMs: 900 },
      ],
      junit: { 'integration-non-critical.shard-1-of-2.xml': junit('test/a.test.ts', [['one', 'pass']]) },
      lcov: lcov(1, 0),
    });
    shardDir('lcov/backend-ci-shard-2-of-2-attempt-1', {
      index: 2,
      total: 2,
      exitCode: 1,
      stages: [
        { id: 'lint', status: 'skipped', reason: 'runs in shard 1/2' },
        { id: 'integration:non-critical', status: 'failed', durationMs: 1200, reason: '"npm run test:integration" exited with code 1' },
      ],
      junit: { 'integration-non-critical.shard-2-of-2.xml': junit('test/b.test.ts', [['two', 'fail']]) },
      lcov: lcov(0, 3),
    });
    const out = join(project, 'merged');
    const r = await mergeShards({ inputs: [join(root, 'lcov')], total: 2, outDir: out, projectDir: project, suite: 'all', env: {} });
    expect(r.exitCode).toBe(1);
    expect(r.result.tests).toMatchObject({ passed: 1, failed: 1, total: 2 });
    expect(r.result.coverage).toEqual({ lines: 100 });
    expect(readFileSync(join(out, 'coverage', 'lcov.info'), 'utf8')).toContain('DA:1,1\nDA:2,3\nLF:2\nLH:2');
    const stages = r.result.stages as { id: string; status: string; reason?: string; durationMs: number }[];
    expect(stages.find((s) => s.id === 'lint')).toMatchObject({ status: 'passed' });
    expect(stages.find((s) => s.id === 'integration:non-critical')).toMatchObject({
      status: 'failed',
      durationMs: 1200,
      reason: 'shard 2/2: "npm run test:integration" exited with code 1',
    });
    expect(stages.find((s) => s.id === 'shard:2/2')).toMatchObject({ status: 'failed', reason: 'failed: integration:non-critical failed' });
    expect(readFileSync(join(out, 'summary.md'), 'utf8')).toMatch(/test\/b\.test\.ts.*two/);
  });

  it('reports a shard that started but wrote no result.json as incomplete, and ignores folders of another shard count', async () => {
    const project = base();
    shardDir('incomplete/s1', { index: 1, total: 2, junit: { 'integration-non-critical.shard-1-of-2.xml': junit('test/a.test.ts', [['one', 'pass']]) } });
    shardDir('incomplete/s2', { index: 2, total: 2, noResult: true, junit: { 'integration-non-critical.shard-2-of-2.xml': '<testsuites><testsu' } });
    shardDir('incomplete/other', { index: 1, total: 3 });
    const r = await mergeShards({ inputs: [join(root, 'incomplete')], total: 2, outDir: join(project, 'm'), projectDir: project, suite: 'all', env: {} });
    expect(r.exitCode).toBe(1);
    expect((r.result.shards as { status: string }[]).map((s) => s.status)).toEqual(['passed', 'incomplete']);
    const row = (r.result.stages as { id: string; reason?: string }[]).find((s) => s.id === 'shard:2/2');
    expect(row?.reason).toMatch(/^incomplete: no result\.json/);
    // The half-written JUnit of the incomplete shard is not read.
    expect(r.result.tests).toMatchObject({ total: 1, passed: 1 });
    expect(r.notes.join('\n')).toContain('is not part of a 2-shard run; ignored');
  });

  it('reports the load gate shard 1 kept (load/gate.json) as an unsharded run would, and fails on it', async () => {
    const project = base();
    const s1 = shardDir('gate/s1', { index: 1, total: 2, exitCode: 1, stages: [{ id: 'load', status: 'failed', durationMs: 5000, reason: 'thresholds crossed' }] });
    shardDir('gate/s2', { index: 2, total: 2, stages: [{ id: 'load', status: 'skipped', reason: 'runs in shard 1/2' }] });
    mkdirSync(join(s1, 'load'), { recursive: true });
    const gate = {
      engine: 'local',
      passed: false,
      reason: 'thresholds crossed',
      thresholds: [{ metric: 'http_req_duration', expression: 'p(95)<300', source: 'input', observed: 512.4, passed: false }],
      requests: 1000,
      failedRate: 0,
      p95Ms: 512.4,
      p99Ms: 700,
    };
    writeFileSync(join(s1, 'load', 'gate.json'), JSON.stringify(gate));
    const r = await mergeShards({ inputs: [join(root, 'gate')], total: 2, outDir: join(project, 'm'), projectDir: project, suite: 'all', env: {} });
    expect(r.exitCode).toBe(1);
    expect(r.result.gate).toEqual({ passed: false, p95Ms: 512.4, engine: 'local' });
    expect(r.report.gate).toMatchObject({ passed: false, p95Ms: 512.4 });
    expect(readFileSync(join(project, 'm', 'summary.md'), 'utf8')).toContain('p(95)<300');
    const load = (r.result.stages as { id: string; status: string; reason?: string }[]).find((s) => s.id === 'load');
    expect(load).toMatchObject({ status: 'failed', reason: 'shard 1/2: thresholds crossed' });
  });

  it('refuses to write the merged report into one of the shard folders', async () => {
    const s1 = shardDir('self/s1', { index: 1, total: 1 });
    await expect(mergeShards({ inputs: [s1], total: 1, outDir: s1, projectDir: root, suite: 'all', env: {} })).rejects.toThrow(/is one of the shard folders/);
  });
});

describe('selectShardOutputs', () => {
  const out = (dir: string, index: number, attempt: number, startedAtMs = 0): ShardOutput => ({
    dir,
    index,
    total: 2,
    attempt,
    startedAtMs,
    manifest: null,
    result: { exitCode: 0, stages: [] },
  });

  it('keeps the highest attempt of each shard, then the latest start, whatever the input order', () => {
    const olds = [out('a1', 1, 1), out('b1', 2, 1, 10)];
    const news = [out('a2', 1, 2), out('b1-later', 2, 1, 20)];
    for (const list of [
      [...olds, ...news],
      [...news, ...olds],
    ]) {
      const sel = selectShardOutputs(list, 2);
      expect(sel.chosen.map((o) => o?.dir)).toEqual(['a2', 'b1-later']);
      expect(sel.replaced.map((o) => o.dir).sort()).toEqual(['a1', 'b1']);
    }
  });

  it('leaves a missing shard undefined', () => {
    expect(selectShardOutputs([out('a', 1, 1)], 2).chosen.map((o) => o?.dir)).toEqual(['a', undefined]);
  });
});
