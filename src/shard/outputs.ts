/**
 * Finding the shards' report folders for the merge, and choosing one per shard: a re-run shard replaces its earlier
 * attempt. Which shard and attempt a folder holds comes from its shard.json (written by `run --shard`), else from
 * its name (the workflow's artifact name `backend-ci-shard-2-of-3-attempt-1`, which download-artifact uses as the
 * folder name). Between two folders of the same shard, the higher attempt wins, then the later start.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { SHARD_MANIFEST, shardManifestSchema, type ShardManifest } from './manifest.js';
import { parseShardArtifactName } from './spec.js';

const resultSchema = z.object({
  exitCode: z.number().int(),
  gate: z.object({ passed: z.boolean(), p95Ms: z.number().nullable().optional(), engine: z.string().optional() }).nullable().optional(),
  stages: z.array(z.object({ id: z.string(), status: z.string(), durationMs: z.number().optional(), reason: z.string().optional() })).default([]),
  timing: z.object({ wallMs: z.number().nonnegative() }).partial().optional(),
});
export type ShardRunResult = z.infer<typeof resultSchema>;

export interface ShardOutput {
  dir: string;
  index: number;
  total: number;
  attempt: number;
  /** Epoch ms the shard started (0 when unknown). */
  startedAtMs: number;
  manifest: ShardManifest | null;
  /** The shard's result.json; null when it is missing or unreadable (the shard did not finish). */
  result: ShardRunResult | null;
  /** Why result is null. */
  problem?: string;
}

async function readJson(path: string): Promise<{ json?: unknown; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    return { problem: (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (e as Error).message };
  }
  try {
    return { json: JSON.parse(text) };
  } catch (e) {
    return { problem: `not valid JSON (${(e as Error).message})` };
  }
}

async function isDir(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}

/** Reads one folder as a shard output; null when it is not one (no shard.json and no shard artifact name). */
export async function readShardOutput(dir: string): Promise<ShardOutput | null> {
  const m = await readJson(join(dir, SHARD_MANIFEST));
  const parsedManifest = m.json !== undefined ? shardManifestSchema.safeParse(m.json) : null;
  const manifest = parsedManifest?.success ? parsedManifest.data : null;
  const named = parseShardArtifactName(basename(dir));
  if (!manifest && !named) return null;
  const r = await readJson(join(dir, 'result.json'));
  const parsedResult = r.json !== undefined ? resultSchema.safeParse(r.json) : null;
  const out: ShardOutput = {
    dir,
    index: manifest?.index ?? (named as { index: number }).index,
    total: manifest?.total ?? (named as { total: number }).total,
    // The artifact name is what the workflow controls; prefer it for the attempt.
    attempt: named?.attempt ?? manifest?.attempt ?? 1,
    startedAtMs: manifest ? Date.parse(manifest.startedAt) || 0 : 0,
    manifest,
    result: parsedResult?.success ? parsedResult.data : null,
  };
  if (!out.result) {
    out.problem = r.problem === 'missing' ? 'no result.json (the shard was cancelled or stopped before the report)' : `result.json ${r.problem ?? 'is not a backend-ci result'}`;
  }
  return out;
}

/**
 * Expands the merge's inputs: a folder that is a shard output is taken as is; any other folder is searched one level
 * down (the folder download-artifact filled with one subfolder per artifact).
 */
export async function findShardOutputs(inputs: readonly string[]): Promise<{ outputs: ShardOutput[]; warnings: string[] }> {
  const outputs: ShardOutput[] = [];
  const warnings: string[] = [];
  for (const input of inputs) {
    if (!(await isDir(input))) {
      warnings.push(`${input}: not a folder; pass the shards' report folders (or the folder holding them)`);
      continue;
    }
    const direct = await readShardOutput(input);
    if (direct) {
      outputs.push(direct);
      continue;
    }
    const children = (await readdir(input, { withFileTypes: true })).filter((d) => d.isDirectory()).map((d) => join(input, d.name)).sort();
    let found = 0;
    for (const child of children) {
      const o = await readShardOutput(child);
      if (o) {
        outputs.push(o);
        found++;
      }
    }
    if (found === 0) warnings.push(`${input}: holds no shard output (no shard.json and no backend-ci-shard-I-of-N-attempt-A folder)`);
  }
  return { outputs, warnings };
}

export interface ShardSelection {
  /** The output used for each shard index 1..total (undefined: missing). */
  chosen: (ShardOutput | undefined)[];
  /** Earlier attempts that a later one replaced. */
  replaced: ShardOutput[];
  /** Outputs of a different shard count (another plan): ignored. */
  foreign: ShardOutput[];
}

/** One output per shard: the highest attempt, then the latest start, then the folder name (stable). */
export function selectShardOutputs(outputs: readonly ShardOutput[], total: number): ShardSelection {
  const chosen: (ShardOutput | undefined)[] = Array.from({ length: total }, () => undefined);
  const replaced: ShardOutput[] = [];
  const foreign: ShardOutput[] = [];
  const newer = (a: ShardOutput, b: ShardOutput): boolean =>
    a.attempt !== b.attempt ? a.attempt > b.attempt : a.startedAtMs !== b.startedAtMs ? a.startedAtMs > b.startedAtMs : a.dir > b.dir;
  for (const o of outputs) {
    if (o.total !== total || o.index > total) {
      foreign.push(o);
      continue;
    }
    const cur = chosen[o.index - 1];
    if (!cur) chosen[o.index - 1] = o;
    else if (newer(o, cur)) {
      replaced.push(cur);
      chosen[o.index - 1] = o;
    } else replaced.push(o);
  }
  return { chosen, replaced, foreign };
}
