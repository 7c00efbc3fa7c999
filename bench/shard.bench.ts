/**
 * Sharding: how long the slowest shard takes when a skewed suite is split by vitest's own `--shard` (by count) and
 * by backend-ci's planner (by recorded duration, longest first). The wall time of a sharded run is its slowest
 * shard, so that is the figure compared, against the ideal lower bound max(total / N, longest file).
 *
 * vitest 4.1's `--shard=i/N` (BaseSequencer.shard in node_modules/vitest): files are sorted by the sha1 of their path
 * relative to the root (with the leading slash), then cut into N contiguous ranges whose sizes differ by at most one.
 * That is simulated below, and the simulation is checked against REAL `vitest run --shard` runs on a generated
 * suite first (the files each real shard ran must be the simulated ones).
 *
 * Suites:
 *   - skewed: 40 files, 4 of them very slow (30-60 s), the rest 1-6 s (deterministic pseudo-random);
 *   - sample-service: the 8 integration files with the durations measured by a real run (embedded services).
 * Also: the planner's own time on 10,000 files in 16 shards.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { durationsFromJUnit, type Durations } from '../src/shard/durations.js';
import { planMakespanMs, planShards } from '../src/shard/plan.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');

/** vitest 4.1 BaseSequencer.calculateShardRange. */
function shardRange(count: number, index: number, shards: number): [number, number] {
  const base = Math.floor(count / shards);
  const rest = count % shards;
  if (rest >= index) return [(base + 1) * (index - 1), (base + 1) * index];
  const start = rest * (base + 1) + (index - rest - 1) * base;
  return [start, start + base];
}

/** vitest 4.1 BaseSequencer.shard: the files of shard `index`. */
function vitestShard(files: string[], index: number, shards: number): string[] {
  const hashed = files.map((f) => ({ f, hash: createHash('sha1').update(`/${f}`).digest('hex') })).sort((a, b) => (a.hash < b.hash ? -1 : a.hash > b.hash ? 1 : 0));
  const [start, end] = shardRange(files.length, index, shards);
  return hashed.slice(start, end).map((x) => x.f);
}

function vitestMakespan(durations: Record<string, number>, shards: number): number {
  const files = Object.keys(durations);
  let worst = 0;
  for (let i = 1; i <= shards; i++) worst = Math.max(worst, vitestShard(files, i, shards).reduce((a, f) => a + (durations[f] ?? 0), 0));
  return worst;
}

/** Real vitest runs with --shard on a generated suite: which files did each shard run? Compared with the simulation. */
function checkSimulationAgainstVitest(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bci-bench-vshard-'));
  try {
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
    writeFileSync(join(dir, 'package.json'), '{"type":"module","private":true}');
    const files: string[] = [];
    for (let i = 0; i < 13; i++) {
      const f = `test/integration/${['users', 'orders', 'auth', 'billing'][i % 4]}-${i}.test.ts`;
      mkdirSync(join(dir, 'test/integration'), { recursive: true });
      writeFileSync(join(dir, f), `import { it } from 'vitest';\nit('t${i}', () => {});\n`);
      files.push(f);
    }
    const mismatches: string[] = [];
    for (let i = 1; i <= 3; i++) {
      const out = join(dir, `junit-${i}.xml`);
      const r = spawnSync(process.execPath, [join(root, 'node_modules/vitest/vitest.mjs'), 'run', `--shard=${i}/3`, '--reporter=junit', `--outputFile=${out}`], {
        cwd: dir,
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`vitest --shard=${i}/3 failed: ${r.stderr.slice(-500)}`);
      const ran = [...readFileSync(out, 'utf8').matchAll(/<testsuite name="([^"]+)"/g)].map((m) => m[1]!).sort();
      const simulated = vitestShard(files, i, 3).sort();
      if (JSON.stringify(ran) !== JSON.stringify(simulated)) mismatches.push(`shard ${i}/3: vitest ran ${ran.join(',')}; simulated ${simulated.join(',')}`);
    }
    if (mismatches.length) throw new Error(`the vitest --shard simulation is not faithful:\n${mismatches.join('\n')}`);
    return `simulation of vitest --shard matches 3 real vitest runs on 13 files`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function skewedSuite(): Record<string, number> {
  const out: Record<string, number> = {};
  let seed = 20261124;
  const next = (): number => (seed = (seed * 48271) % 2147483647);
  const areas = ['users', 'orders', 'auth', 'billing', 'search', 'notifications', 'reports', 'admin'];
  for (let i = 0; i < 40; i++) {
    const slow = i % 10 === 3; // files 3, 13, 23, 33: very slow (end-to-end flows, migrations, big fixtures)
    out[`test/integration/${areas[i % areas.length]}/${String(i).padStart(2, '0')}-flow.test.ts`] = slow ? 30_000 + (next() % 30_000) : 1_000 + (next() % 5_000);
  }
  return out;
}

const fmt = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

function compare(name: string, durations: Record<string, number>, shardCounts: number[]): void {
  const history: Durations = { version: 1, files: durations };
  const total = Object.values(durations).reduce((a, b) => a + b, 0);
  const longest = Math.max(...Object.values(durations));
  console.log(`\n${name}: ${Object.keys(durations).length} files, ${fmt(total)} in one job, longest file ${fmt(longest)}`);
  console.log('shards | vitest --shard slowest | backend-ci plan slowest | ideal (max(total/N, longest)) | backend-ci vs vitest');
  for (const n of shardCounts) {
    const v = vitestMakespan(durations, n);
    const ours = planMakespanMs(planShards(Object.keys(durations), history, n));
    const ideal = Math.max(total / n, longest);
    console.log(`${String(n).padStart(6)} | ${fmt(v).padStart(22)} | ${fmt(ours).padStart(23)} | ${fmt(ideal).padStart(29)} | ${((ours / v) * 100).toFixed(0).padStart(3)}% of vitest's wall time`);
  }
}

console.log(checkSimulationAgainstVitest());
compare('skewed synthetic suite', skewedSuite(), [2, 3, 4, 8]);

// sample-service: measure its integration files (one real vitest run; its global setup starts embedded Postgres and
// Redis), then compare.
{
  const sample = join(root, 'sample-service');
  const junitDir = mkdtempSync(join(tmpdir(), 'bci-bench-sample-'));
  try {
    const junit = join(junitDir, 'junit.xml');
    const r = spawnSync(process.execPath, [join(sample, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'vitest.integration.config.ts', '--reporter=junit', `--outputFile=${junit}`], {
      cwd: sample,
      encoding: 'utf8',
    });
    if (r.status !== 0) throw new Error(`sample-service integration run failed: ${r.stderr.slice(-800)}`);
    const measured = await durationsFromJUnit(junit);
    compare('sample-service integration files (durations measured just now)', measured, [2, 3]);
  } finally {
    rmSync(junitDir, { recursive: true, force: true });
  }
}

// Planner speed on a large suite (includes the substring grouping that keeps vitest filters from overlapping).
{
  const files: Record<string, number> = {};
  for (let i = 0; i < 10_000; i++) files[`packages/p${i % 50}/test/integration/f${i}.test.ts`] = 100 + ((i * 7919) % 20_000);
  const names = Object.keys(files);
  const t0 = performance.now();
  const plan = planShards(names, { version: 1, files }, 16);
  const ms = performance.now() - t0;
  console.log(`\nplanner: 10,000 files into 16 shards in ${ms.toFixed(0)} ms (slowest shard ${fmt(planMakespanMs(plan))}, ideal ${fmt(Object.values(files).reduce((a, b) => a + b, 0) / 16)})`);
}
