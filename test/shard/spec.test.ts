import { describe, expect, it } from 'vitest';
import { parsePlan } from '../../src/shard/plan-file.js';
import { parseShardArtifactName, parseShardCount, parseShardSpec, shardArtifactName, shardSlug } from '../../src/shard/spec.js';

describe('shard specs and names', () => {
  it('parses I/N and explains bad input', () => {
    expect(parseShardSpec('2/3')).toEqual({ index: 2, total: 3 });
    expect(() => parseShardSpec('3')).toThrow('--shard: "3" is not a shard; use INDEX/COUNT, e.g. --shard 2/3');
    expect(() => parseShardSpec('4/3')).toThrow('--shard: index 4 is outside 1..3');
    expect(() => parseShardSpec('0/3')).toThrow('outside 1..3');
    expect(() => parseShardCount('0')).toThrow('--shards: "0" is not a shard count');
    expect(() => parseShardCount('1.5')).toThrow('whole number');
  });

  it('names artifacts with shard and attempt, and reads them back', () => {
    expect(shardSlug({ index: 2, total: 3 })).toBe('shard-2-of-3');
    const name = shardArtifactName({ index: 2, total: 3 }, 4);
    expect(name).toBe('backend-ci-shard-2-of-3-attempt-4');
    expect(parseShardArtifactName(name)).toEqual({ index: 2, total: 3, attempt: 4 });
    expect(parseShardArtifactName('coverage-report')).toBeNull();
    expect(parseShardArtifactName('backend-ci-shard-5-of-3-attempt-1')).toBeNull();
  });

  it('accepts the plan --json output or a bare plan, and rejects a plan that loses or doubles a file', () => {
    const plan = { version: 1, total: 2, shards: [{ index: 1, files: ['a.test.ts'], expectedMs: 1 }, { index: 2, files: [], expectedMs: 0 }], unknown: [], unknownMs: 0 };
    expect(parsePlan(JSON.stringify({ plan, shards: [1, 2] }), 'p.json').shards[0]!.files).toEqual(['a.test.ts']);
    expect(parsePlan(JSON.stringify(plan), 'p.json').total).toBe(2);
    const doubled = { ...plan, shards: [plan.shards[0], { index: 2, files: ['a.test.ts'], expectedMs: 1 }] };
    expect(() => parsePlan(JSON.stringify(doubled), 'p.json')).toThrow('p.json: "a.test.ts" is in more than one shard');
    expect(() => parsePlan(JSON.stringify({ ...plan, total: 3 }), 'p.json')).toThrow('p.json: the plan has shards [1, 2] but total 3');
    expect(() => parsePlan('{', 'p.json')).toThrow(/p\.json: not valid JSON/);
  });
});
