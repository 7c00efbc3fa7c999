/**
 * Hands a finished run to the report layer: every stage's JUnit and coverage files, the stage results and the load
 * gate become one RunReport, written as summary.md, comment.md, annotations.json, junit.xml and report.html, and
 * rendered for the terminal.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { buildRunReport, metaFromEnv, renderTerminal, writeReportFiles } from '../reports/index.js';
import type { JUnitSource } from '../reports/index.js';
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
      const coverage: string[] = [];
      for (const stage of input.stages) {
        // A cancelled or timed-out stage may have left half a file; its status already says what happened.
        const complete = stage.status === 'passed' || stage.status === 'failed';
        for (const path of stage.junitPaths ?? []) if (complete || existsSync(path)) junit.push({ path, stage: stage.id });
        // Each vitest run writes json-summary (all four metrics) and lcov; read the summary.
        for (const path of stage.coveragePaths ?? []) if (path.endsWith('.json') && existsSync(path)) coverage.push(path);
      }
      const report = await buildRunReport({
        junit,
        coverage,
        coverageThresholds: config.coverageThresholds,
        stages: input.stages,
        ...(input.gate ? { gate: input.gate } : {}),
        meta: { title: 'backend-ci', suite: config.suite, ...metaFromEnv(opts.env ?? process.env) },
        repoRoot: findRepoRoot(config.projectDir),
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
