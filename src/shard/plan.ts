/**
 * The shard planner: assigns test files to N shards so the slowest shard finishes as early as possible.
 *
 * 1. Files with a recorded duration are placed longest first, each on the shard with the least expected time so far
 *    (LPT, "longest processing time first"). Ties: longer first, then by path; the lightest shard with the lowest index.
 *    The same files and durations always give the same plan.
 * 2. Files with no history (new files) are placed afterwards, in path order, each on the currently lightest shard,
 *    counted at the median duration of the known files (1 s when nothing is known). Placing them after the known
 *    files is what keeps the plan stable: adding a new test file moves no other file.
 *    With no history at all every file weighs the same, so files are spread evenly by count.
 * vitest selects files by substring (`vitest run a.test.ts` also runs `b/a.test.ts`): files whose path contains
 * another file's path are kept together on one shard, so no file can run in two shards.
 */
import type { Durations } from './durations.js';
import { durationKey } from './durations.js';

/** Weight of a file with no history when no file has one. */
export const DEFAULT_UNKNOWN_MS = 1000;
export const PLAN_VERSION = 1;

export interface PlannedShard {
  /** 1-based. */
  index: number;
  /** Project-relative test files, sorted. */
  files: string[];
  /** Sum of the files' expected durations (ms). */
  expectedMs: number;
}

export interface ShardPlan {
  version: typeof PLAN_VERSION;
  total: number;
  shards: PlannedShard[];
  /** Files that had no recorded duration (counted at `unknownMs`). */
  unknown: string[];
  /** Expected duration used for each file without history. */
  unknownMs: number;
}

interface Unit {
  files: string[];
  ms: number;
  key: string;
  known: boolean;
}

function median(values: number[]): number {
  if (values.length === 0) return DEFAULT_UNKNOWN_MS;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return Math.round(s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2);
}

/** Groups files whose (lower-cased) path contains another file's path: vitest's filter would run both. */
function groupOverlapping(files: string[]): string[][] {
  const lower = files.map((f) => f.toLowerCase());
  const parent = files.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i] as number)));
  // Sorting by length lets each file look only at longer ones.
  const byLength = files.map((_, i) => i).sort((a, b) => (lower[a] as string).length - (lower[b] as string).length);
  for (let x = 0; x < byLength.length; x++) {
    const i = byLength[x] as number;
    for (let y = x + 1; y < byLength.length; y++) {
      const j = byLength[y] as number;
      if ((lower[j] as string).includes(lower[i] as string)) parent[find(j)] = find(i);
    }
  }
  const groups = new Map<number, string[]>();
  files.forEach((f, i) => {
    const root = find(i);
    groups.set(root, [...(groups.get(root) ?? []), f]);
  });
  return [...groups.values()].map((g) => g.sort());
}

/**
 * Plans `total` shards over `files` (project-relative paths; duplicates are ignored).
 * @param durations history; keys are project-relative paths with forward slashes
 */
export function planShards(files: readonly string[], durations: Durations, total: number): ShardPlan {
  if (!Number.isInteger(total) || total < 1) throw new RangeError(`shard count must be a whole number >= 1, got ${total}`);
  const unique = [...new Set(files.map(durationKey))].sort();
  const knownMs = unique.map((f) => durations.files[f]).filter((ms): ms is number => ms !== undefined);
  const unknownMs = median(knownMs);

  const units: Unit[] = groupOverlapping(unique).map((group) => {
    const known = group.every((f) => durations.files[f] !== undefined);
    const ms = group.reduce((sum, f) => sum + (durations.files[f] ?? unknownMs), 0);
    return { files: group, ms, key: group[0] as string, known };
  });
  const byPath = (a: Unit, b: Unit): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  const known = units.filter((u) => u.known).sort((a, b) => b.ms - a.ms || byPath(a, b));
  const unknown = units.filter((u) => !u.known).sort(byPath);

  const shards: PlannedShard[] = Array.from({ length: total }, (_, i) => ({ index: i + 1, files: [], expectedMs: 0 }));
  const place = (u: Unit): void => {
    let best = shards[0] as PlannedShard;
    for (const s of shards) {
      if (s.expectedMs < best.expectedMs || (s.expectedMs === best.expectedMs && s.files.length < best.files.length)) best = s;
    }
    best.files.push(...u.files);
    best.expectedMs += u.ms;
  };
  for (const u of known) place(u);
  for (const u of unknown) place(u);
  for (const s of shards) s.files.sort();
  return {
    version: PLAN_VERSION,
    total,
    shards,
    unknown: unique.filter((f) => durations.files[f] === undefined),
    unknownMs,
  };
}

/** The slowest shard's expected time: what the wall time of the sharded suite will be. */
export function planMakespanMs(plan: ShardPlan): number {
  return Math.max(0, ...plan.shards.map((s) => s.expectedMs));
}
