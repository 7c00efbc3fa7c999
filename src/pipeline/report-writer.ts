/**
 * Hands a finished run to the report layer: every stage's JUnit and coverage files, the stage results and the load
 * gate become one RunReport, written as summary.md, comment.md, annotations.json, junit.xml and report.html, and
 * rendered for the terminal.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { buildRunReport, mergeIstanbulCoverageFiles, metaFromEnv, renderTerminal, writeReportFiles } from '../reports/index.js';
import type { JUnitSource, ReportWarning } from '../reports/index.js';
import type { ReportInput, ReportOutcome, ReportWriter } from './run-pipeline.js';

/** The repository root (nearest folder with .git), so annotation paths are repository-relative; else the project. */
export function findRepoRoot(projectDir: string): string {
  let dir = projectDir;
  for (;;) {
    if (existsSync(join(dir, '.git'))) return dir;
    const up = dirname(dir);
    if (up === dir) return projectDir;
    dir = up;
  }
}

export function createReportWriter(opts: { color: boolean; env?: NodeJS.ProcessEnv }): ReportWriter {
  return {
    async write(input: ReportInput): Promise<ReportOutcome> {
      const { config } = input;
      const junit: JUnitSource[] = [];
      const finals: string[] = [];
      const summaries: string[] = [];
      for (const stage of input.stages) {
        // A cancelled or timed-out stage may have left half a file; its status already says what happened.
        const complete = stage.status === 'passed' || stage.status === 'failed';
        for (const path of stage.junitPaths ?? []) if (complete || existsSync(path)) junit.push({ path, stage: stage.id });
        for (const path of stage.coveragePaths ?? []) {
          if (!existsSync(path)) continue;
          if (path.endsWith('coverage-final.json')) finals.push(path);
          else if (path.endsWith('.json')) summaries.push(path);
        }
      }
      // Coverage of several stages (unit + integration) is merged exactly, statement by statement, from istanbul's
      // coverage-final.json; without those, the json-summary files are read (per file, the last one wins).
      let coverage = summaries;
      const warnings: ReportWarning[] = [];
      if (finals.length > 0) {
        const merged = mergeIstanbulCoverageFiles(finals);
        warnings.push(...merged.warnings);
        if (merged.summary) {
          const dir = join(config.outDir, 'coverage', 'merged');
          await mkdir(dir, { recursive: true });
          const summaryPath = join(dir, 'coverage-summary.json');
          await writeFile(summaryPath, JSON.stringify(merged.summary));
          await writeFile(join(dir, 'coverage-final.json'), JSON.stringify(merged.merged));
          coverage = [summaryPath];
        }
      }
      const report = await buildRunReport({
        junit,
        coverage,
        coverageThresholds: config.coverageThresholds,
        stages: input.stages,
        ...(input.gate ? { gate: input.gate } : {}),
        meta: { title: 'backend-ci', suite: config.suite, ...metaFromEnv(opts.env ?? process.env) },
        repoRoot: findRepoRoot(config.projectDir),
        warnings,
        cwd: config.projectDir,
      });
      await writeReportFiles(report, config.outDir);
      const t = report.tests.totals;
      return {
        tests: { passed: t.passed, failed: t.failed + t.errored, flaky: t.flaky, skipped: t.skipped, total: t.total },
        coverageLines: report.coverage?.totals.lines?.pct ?? null,
        coveragePassed: report.coverage ? report.coverage.passed : true,
        terminal: renderTerminal(report, { color: opts.color }),
      };
    },
  };
}
