/**
 * The test files a sharded run splits: the project's test files matching the `shard.files` globs, limited to the
 * chosen suite (critical: files under the critical paths or mentioning the critical tag; non-critical: the files not
 * under the critical paths). `backend-ci plan` and `run --shard` use the same list, so they plan the same shards.
 */
import { join } from 'node:path';
import type { Suite } from '../config/schema.js';

const TEST_FILE_RE = /\.(test|spec)\.[cm]?[jt]sx?$/;

export interface FileLister {
  glob(patterns: string[], cwd: string): Promise<string[]>;
  readText(path: string): Promise<string>;
}

export async function listShardFiles(globs: string[], projectDir: string, glob: FileLister['glob']): Promise<string[]> {
  const found = await glob(globs, projectDir);
  return [...new Set(found.map((f) => f.replace(/\\/g, '/')).filter((f) => TEST_FILE_RE.test(f)))].sort();
}

/** The files of `files` that belong to `suite`. */
export async function filesOfSuite(
  files: string[],
  suite: Suite,
  critical: { paths: string[]; tag: string | null },
  projectDir: string,
  io: FileLister,
): Promise<string[]> {
  if (suite === 'all') return files;
  const underCritical = new Set(critical.paths.length ? await io.glob(critical.paths, projectDir) : []);
  if (suite === 'non-critical') return files.filter((f) => !underCritical.has(f));
  const out: string[] = [];
  for (const f of files) {
    if (underCritical.has(f)) out.push(f);
    else if (critical.tag && (await io.readText(join(projectDir, f))).includes(critical.tag)) out.push(f);
  }
  return out;
}
