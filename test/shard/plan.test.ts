import { describe, expect, it } from 'vitest';
import type { Durations } from '../../src/shard/durations.js';
import { DEFAULT_UNKNOWN_MS, planMakespanMs, planShards, type ShardPlan } from '../../src/shard/plan.js';

const history = (files: Record<string, number>): Durations => ({ version: 1, files });

function shardOf(plan: ShardPlan): Map<string, number> {
  const m = new Map<string, number>();
  for (const s of plan.shards) for (const f of s.files) m.set(f, s.index);
  return m;
}

function allFiles(plan: ShardPlan): string[] {
  return plan.shards.flatMap((s) => s.files).sort();
}

/** A skewed suite: 3 slow files and many fast ones, with deterministic pseudo-random durations. */
function skewed(n: number): Record<string, number> {
  const files: Record<string, number> = {};
  let seed = 7;
  for (let i = 0; i < n; i++) {
    seed = (seed * 48271) % 2147483647;
    const ms = i < 3 ? 30_000 + (seed % 10_000) : 500 + (seed % 4_000);
    files[`test/integration/f${String(i).padStart(2, '0')}.test.ts`] = ms;
  }
  return files;
}

describe('planShards', () => {
  it('puts every file in exactly one shard', () => {
    const d = skewed(40);
    const files = Object.keys(d);
    const plan = planShards([...files, files[0]!], history(d), 4);
    expect(allFiles(plan)).toEqual([...files].sort());
    expect(new Set(allFiles(plan)).size).toBe(40);
    expect(plan.shards.map((s) => s.index)).toEqual([1, 2, 3, 4]);
  });

  it('balances a skewed suite: the slowest shard is within the longest file of the ideal', () => {
    const d = skewed(40);
    const plan = planShards(Object.keys(d), history(d), 4);
    const total = Object.values(d).reduce((a, b) => a + b, 0);
    const longest = Math.max(...Object.values(d));
    expect(planMakespanMs(plan)).toBeLessThanOrEqual(Math.max(total / 4 + longest, longest));
    // Each slow file gets a shard of its own.
    const slow = Object.keys(d).slice(0, 3).map((f) => shardOf(plan).get(f));
    expect(new Set(slow).size).toBe(3);
    // Expected times add up to the files' durations.
    expect(plan.shards.reduce((a, s) => a + s.expectedMs, 0)).toBe(total);
  });

  it('places longest first on the lightest shard (LPT) with ties broken by path', () => {
    const plan = planShards(['a.test.ts', 'b.test.ts', 'c.test.ts', 'd.test.ts', 'e.test.ts'], history({ 'a.test.ts': 5, 'b.test.ts': 4, 'c.test.ts': 3, 'd.test.ts': 3, 'e.test.ts': 2 }), 2);
    // a(5) -> 1 [5,0]; b(4) -> 2 [5,4]; c(3) -> 2 [5,7]; d(3) -> 1 [8,7]; e(2) -> 2 [8,9]. c before d: same time, path order.
    expect(plan.shards.map((s) => s.files)).toEqual([
      ['a.test.ts', 'd.test.ts'],
      ['b.test.ts', 'c.test.ts', 'e.test.ts'],
    ]);
    expect(plan.shards.map((s) => s.expectedMs)).toEqual([8, 9]);
  });

  it('is deterministic: the same files and durations give the same plan whatever the input order', () => {
    const d = skewed(25);
    const files = Object.keys(d);
    const a = planShards(files, history(d), 3);
    const b = planShards([...files].reverse(), history({ ...d }), 3);
    expect(b).toEqual(a);
  });

  it('spreads files by count when there is no history at all', () => {
    const files = Array.from({ length: 10 }, (_, i) => `t/f${i}.test.ts`);
    const plan = planShards(files, history({}), 3);
    expect(plan.shards.map((s) => s.files.length)).toEqual([4, 3, 3]);
    expect(plan.unknown).toHaveLength(10);
    expect(plan.unknownMs).toBe(DEFAULT_UNKNOWN_MS);
  });

  it('counts files without history at the median of the known durations', () => {
    const plan = planShards(['a.test.ts', 'b.test.ts', 'c.test.ts', 'new.test.ts'], history({ 'a.test.ts': 100, 'b.test.ts': 300, 'c.test.ts': 9000 }), 2);
    expect(plan.unknownMs).toBe(300);
    expect(plan.unknown).toEqual(['new.test.ts']);
    // c alone on one shard (9000); a, b and the new file (100 + 300 + 300) on the other.
    expect(plan.shards.map((s) => s.files)).toEqual([['c.test.ts'], ['a.test.ts', 'b.test.ts', 'new.test.ts']]);
  });

  it('stays stable when a new test file is added: no other file moves', () => {
    const d = skewed(40);
    const files = Object.keys(d);
    const before = shardOf(planShards(files, history(d), 4));
    for (const added of ['test/integration/aaa-first.test.ts', 'test/integration/f19b.test.ts', 'test/integration/zzz-last.test.ts']) {
      const after = shardOf(planShards([...files, added], history(d), 4));
      const moved = files.filter((f) => before.get(f) !== after.get(f));
      expect(moved, added).toEqual([]);
      expect(after.has(added)).toBe(true);
    }
  });

  it('moves few files when a file with a recorded duration is added', () => {
    const d = skewed(40);
    const files = Object.keys(d);
    const before = shardOf(planShards(files, history(d), 4));
    const added = 'test/integration/known-new.test.ts';
    const after = shardOf(planShards([...files, added], history({ ...d, [added]: 1200 }), 4));
    const moved = files.filter((f) => before.get(f) !== after.get(f));
    expect(moved.length).toBeLessThan(files.length / 2);
  });

  it('keeps a file together with files whose path contains it (vitest filters by substring)', () => {
    const plan = planShards(['a.test.ts', 'x/a.test.ts', 'b.test.ts', 'c.test.ts'], history({ 'a.test.ts': 10, 'x/a.test.ts': 10, 'b.test.ts': 10, 'c.test.ts': 10 }), 4);
    const where = shardOf(plan);
    expect(where.get('a.test.ts')).toBe(where.get('x/a.test.ts'));
    expect(allFiles(plan)).toEqual(['a.test.ts', 'b.test.ts', 'c.test.ts', 'x/a.test.ts']);
  });

  it('leaves shards empty when there are fewer files than shards, and rejects a bad count', () => {
    const plan = planShards(['a.test.ts'], history({}), 3);
    expect(plan.shards.map((s) => s.files.length)).toEqual([1, 0, 0]);
    expect(() => planShards(['a.test.ts'], history({}), 0)).toThrow(/shard count/);
  });
});
