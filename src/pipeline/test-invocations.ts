/**
 * How a vitest test stage is invoked: the reporter flags that make it write JUnit XML and coverage, and the
 * critical / non-critical split.
 *
 * A test is critical when its file matches one of `critical.paths` (globs) OR its full name (describe blocks + test
 * name) contains `critical.tag`. vitest cannot express that OR in one run, so the critical suite is up to two runs:
 *   1. the files under the critical paths, every test in them;
 *   2. the other test files that mention the tag, with `-t <tag>` (only the tagged tests).
 * The non-critical suite is one run: `--exclude <critical paths>` and `-t '^(?!.*<tag>)'` (tests without the tag).
 *
 * In a sharded run (`--shard i/N`) each run is limited to the shard's test files, given to vitest as file filters;
 * the critical runs get the shard's share of the critical files.
 */

export type SuitePart = 'critical' | 'non-critical' | 'all';

export interface CriticalMarking {
  paths: string[];
  tag: string | null;
}

export interface TestInvocation {
  /** Short label used in file names and logs: `critical-paths`, `critical-tagged`, `non-critical`, `all`. */
  label: string;
  /** vitest arguments for the split (file filters, --exclude, -t). */
  args: string[];
}

/** Escapes a literal for use inside a regular expression. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

/**
 * The runs that make up one suite part.
 * @param criticalFiles project-relative test files matching the critical paths
 * @param taggedFiles project-relative test files OUTSIDE the critical paths whose text contains the tag
 * @param shardFiles in a sharded run, the shard's test files (null: not sharded). criticalFiles and taggedFiles are
 *   limited to them here; a shard with no files has no runs.
 */
export function suiteInvocations(
  part: SuitePart,
  marking: CriticalMarking,
  criticalFiles: string[],
  taggedFiles: string[],
  shardFiles: readonly string[] | null = null,
): TestInvocation[] {
  const filters = shardFiles ? [...shardFiles] : [];
  if (shardFiles) {
    if (shardFiles.length === 0) return [];
    const inShard = new Set(shardFiles);
    criticalFiles = criticalFiles.filter((f) => inShard.has(f));
    taggedFiles = taggedFiles.filter((f) => inShard.has(f));
  }
  if (part === 'all') return [{ label: 'all', args: filters }];
  const excludes = marking.paths.flatMap((p) => ['--exclude', p]);
  if (part === 'non-critical') {
    const args = [...filters, ...excludes, '--passWithNoTests'];
    if (marking.tag) args.push('-t', `^(?!.*${escapeRegExp(marking.tag)})`);
    return [{ label: 'non-critical', args }];
  }
  const runs: TestInvocation[] = [];
  if (criticalFiles.length > 0) runs.push({ label: 'critical-paths', args: [...criticalFiles] });
  if (marking.tag && taggedFiles.length > 0) {
    runs.push({ label: 'critical-tagged', args: [...taggedFiles, ...excludes, '-t', escapeRegExp(marking.tag)] });
  }
  return runs;
}

export interface ReportPaths {
  junitPath: string;
  /** Coverage folder, or null when coverage is not collected. */
  coverageDir: string | null;
}

/**
 * vitest flags that add a JUnit file and coverage next to the normal console output: istanbul json (per statement,
 * so several stages can be merged exactly), json-summary and lcov (for tools downstream).
 */
export function vitestReportArgs(paths: ReportPaths): string[] {
  const args = ['--reporter=default', '--reporter=junit', `--outputFile.junit=${paths.junitPath}`];
  if (paths.coverageDir) {
    args.push(
      '--coverage.enabled=true',
      '--coverage.reporter=json',
      '--coverage.reporter=json-summary',
      '--coverage.reporter=lcov',
      `--coverage.reportsDirectory=${paths.coverageDir}`,
    );
  }
  return args;
}
