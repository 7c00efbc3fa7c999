/**
 * `backend-ci report [FILES|GLOBS...] [--coverage FILE|GLOB ...] [--out DIR] [--repo-root DIR]`: merges JUnit XML
 * and coverage files into one report, writes DIR/summary.md, comment.md, annotations.json, junit.xml, report.html
 * and prints the report. Exit codes: 0 all good, 1 a test failed (or a coverage threshold was missed), 2 unusable
 * input (no usable file at all, or bad flags).
 */
import { parseArgs } from 'node:util';
import { isAbsolute, relative, resolve } from 'node:path';
import { glob, isDynamicPattern } from 'tinyglobby';
import type { CliCommand, CliIO } from '../types.js';
import { buildRunReport } from './build.js';
import type { CoverageThresholds, ReportMeta, ReportWarning } from './model.js';
import { renderTerminal } from './render/terminal.js';
import { writeReportFiles } from './write.js';

export const REPORT_USAGE = `Usage: backend-ci report [FILES|GLOBS...] [options]

Merges JUnit XML files (vitest, jest-junit, mocha, pytest, Surefire, go-junit-report...) and coverage files
(istanbul json-summary, lcov, cobertura) into one report.

Options:
  --coverage FILE|GLOB   coverage file (repeatable)
  --out DIR              output directory (default: .backend-ci/report)
  --repo-root DIR        repository root, to make failure paths relative (default: $GITHUB_WORKSPACE or cwd)
  --stage NAME           pipeline stage the JUnit files belong to (e.g. integration:critical)
  --title TEXT           report title (default: backend-ci)
  --blob-url URL         link file:line to e.g. https://github.com/o/r/blob/SHA (default from GITHUB_* env)
  --marker TEXT          hidden marker of the PR comment (default: <!-- backend-ci:report -->)
  --min-lines N, --min-branches N, --min-functions N, --min-statements N
                         coverage thresholds in percent
  -h, --help             show this help

Exit codes: 0 passed, 1 a test failed or a coverage threshold was missed, 2 unusable input or bad flags.
`;

/** Report metadata from GitHub Actions' environment variables (all optional). */
export function metaFromEnv(env: NodeJS.ProcessEnv): Partial<ReportMeta> {
  const meta: Partial<ReportMeta> = {};
  const server = env.GITHUB_SERVER_URL || 'https://github.com';
  if (env.GITHUB_REF_NAME) meta.ref = env.GITHUB_REF_NAME;
  if (env.GITHUB_SHA) meta.sha = env.GITHUB_SHA;
  if (env.GITHUB_REPOSITORY && env.GITHUB_RUN_ID) meta.runUrl = `${server}/${env.GITHUB_REPOSITORY}/actions/runs/${env.GITHUB_RUN_ID}`;
  if (env.GITHUB_REPOSITORY && env.GITHUB_SHA) meta.blobUrl = `${server}/${env.GITHUB_REPOSITORY}/blob/${env.GITHUB_SHA}`;
  return meta;
}

/** Expands file arguments: literal paths are kept (a missing one becomes a warning later), globs via tinyglobby. */
export async function expandInputs(
  patterns: readonly string[],
  cwd: string,
  kind: string,
): Promise<{ files: string[]; warnings: ReportWarning[] }> {
  const files: string[] = [];
  const warnings: ReportWarning[] = [];
  const seen = new Set<string>();
  for (const p of patterns) {
    if (!isDynamicPattern(p)) {
      if (!seen.has(p)) files.push(p);
      seen.add(p);
      continue;
    }
    const matches = (await glob(p, { cwd, onlyFiles: true, expandDirectories: false })).sort();
    if (matches.length === 0) {
      warnings.push({
        file: p,
        message: `${kind} pattern ${p} matched no file (in ${cwd})`,
        hint: 'Check the path and that the stage that writes these files ran; quote globs so the shell does not expand them.',
      });
    }
    for (const m of matches) {
      const shown = isAbsolute(p) ? resolve(cwd, m) : m;
      if (!seen.has(shown)) files.push(shown);
      seen.add(shown);
    }
  }
  return { files, warnings };
}

function fail(io: CliIO, message: string): number {
  io.stderr.write(`backend-ci report: ${message}\n\n${REPORT_USAGE}`);
  return 2;
}

export const reportCommand: CliCommand = async (argv, io) => {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        coverage: { type: 'string', multiple: true },
        out: { type: 'string' },
        'repo-root': { type: 'string' },
        stage: { type: 'string' },
        title: { type: 'string' },
        'blob-url': { type: 'string' },
        marker: { type: 'string' },
        'min-lines': { type: 'string' },
        'min-branches': { type: 'string' },
        'min-functions': { type: 'string' },
        'min-statements': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    return fail(io, (err as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    io.stdout.write(REPORT_USAGE);
    return 0;
  }
  const thresholds: CoverageThresholds = {};
  for (const metric of ['lines', 'branches', 'functions', 'statements'] as const) {
    const raw = v[`min-${metric}`];
    if (raw === undefined) continue;
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) return fail(io, `--min-${metric} must be a percentage 0-100, got "${raw}"`);
    thresholds[metric] = n;
  }
  if (parsed.positionals.length === 0 && !v.coverage?.length) {
    return fail(io, 'no input: give JUnit XML files or globs, and/or --coverage FILE');
  }
  const cwd = io.cwd;
  const junit = await expandInputs(parsed.positionals, cwd, 'JUnit');
  const cov = await expandInputs(v.coverage ?? [], cwd, 'coverage');
  const repoRoot = resolve(cwd, v['repo-root'] ?? io.env.GITHUB_WORKSPACE ?? cwd);
  const meta: Partial<ReportMeta> = { ...metaFromEnv(io.env) };
  if (v.title) meta.title = v.title;
  if (v['blob-url']) meta.blobUrl = v['blob-url'];
  const report = await buildRunReport({
    junit: junit.files.map((path) => ({ path, stage: v.stage })),
    coverage: cov.files,
    coverageThresholds: thresholds,
    meta,
    repoRoot,
    cwd,
    warnings: [...junit.warnings, ...cov.warnings],
  });
  const outDir = resolve(cwd, v.out ?? '.backend-ci/report');
  const color = Boolean(io.stdout.isTTY) && !io.env.NO_COLOR;
  io.stdout.write(renderTerminal(report, { color }));
  const usable = report.tests.files.length > 0 || report.coverage !== undefined;
  try {
    const files = await writeReportFiles(report, outDir, { commentMarker: v.marker });
    io.stdout.write(`\nReport written to ${relative(cwd, outDir) || '.'}/ (${Object.values(files).map((f) => f.slice(outDir.length + 1)).join(', ')})\n`);
  } catch (err) {
    io.stderr.write(`backend-ci report: cannot write the report to ${outDir}: ${(err as Error).message}\n`);
    return 2;
  }
  if (!usable) {
    io.stderr.write('backend-ci report: no usable report file (see the warnings above)\n');
    return 2;
  }
  return report.passed ? 0 : 1;
};
