/**
 * A shard of a sharded run: `i/N` (1-based), and the names its files and artifacts carry so the outputs of
 * different shards (and of re-runs of one shard) never collide and can be told apart by the merge.
 */

export interface ShardSpec {
  /** 1-based index of this shard. */
  index: number;
  /** Number of shards. */
  total: number;
}

export class ShardSpecError extends Error {
  override name = 'ShardSpecError';
}

/** Most shards a run may be split into (GitHub allows 256 jobs per matrix). */
export const MAX_SHARDS = 256;

/** Parses a shard count (`--shards N`). */
export function parseShardCount(text: string, flag = '--shards'): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(n) || n < 1 || n > MAX_SHARDS) {
    throw new ShardSpecError(`${flag}: "${text}" is not a shard count; use a whole number from 1 to ${MAX_SHARDS}, e.g. ${flag} 3`);
  }
  return n;
}

/** Parses `i/N`, e.g. `2/3`. */
export function parseShardSpec(text: string, flag = '--shard'): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new ShardSpecError(`${flag}: "${text}" is not a shard; use INDEX/COUNT, e.g. ${flag} 2/3 for the second of three shards`);
  const index = Number(m[1]);
  const total = parseShardCount(m[2] as string, flag);
  if (index < 1 || index > total) throw new ShardSpecError(`${flag}: index ${index} is outside 1..${total}; use INDEX/COUNT with 1 <= INDEX <= COUNT`);
  return { index, total };
}

/** `2/3` */
export function shardLabel(s: ShardSpec): string {
  return `${s.index}/${s.total}`;
}

/** `shard-2-of-3`: the suffix of a shard's JUnit and coverage file names. */
export function shardSlug(s: ShardSpec): string {
  return `shard-${s.index}-of-${s.total}`;
}

/** Artifact name of one shard's report folder in GitHub Actions: `backend-ci-shard-2-of-3-attempt-1`. */
export function shardArtifactName(s: ShardSpec, attempt: number, prefix = 'backend-ci'): string {
  return `${prefix}-${shardSlug(s)}-attempt-${attempt}`;
}

/** Reads index, total and attempt back from an artifact (folder) name made by shardArtifactName. */
export function parseShardArtifactName(name: string): (ShardSpec & { attempt: number }) | null {
  const m = /shard-(\d+)-of-(\d+)-attempt-(\d+)$/.exec(name);
  if (!m) return null;
  const index = Number(m[1]);
  const total = Number(m[2]);
  if (index < 1 || index > total) return null;
  return { index, total, attempt: Number(m[3]) };
}
