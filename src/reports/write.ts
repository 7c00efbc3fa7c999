/** Writes every rendering of a report into a directory. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RunReport } from './model.js';
import { buildAnnotations } from './render/annotations.js';
import { renderHtml } from './render/html.js';
import { renderJUnit } from './render/junit.js';
import { renderCommentMarkdown, renderSummaryMarkdown } from './render/markdown.js';

export interface ReportFiles {
  summary: string;
  comment: string;
  annotations: string;
  junit: string;
  html: string;
}

export interface WriteReportOptions {
  /** Hidden marker of the PR comment (default `<!-- backend-ci:report -->`). */
  commentMarker?: string;
}

/**
 * Writes `summary.md` (job summary, <= 1 MiB), `comment.md` (PR comment, <= 65,536 chars), `annotations.json`
 * (`Annotation[]`), `junit.xml` (merged JUnit) and `report.html` into `outDir` (created if needed).
 * Returns the paths written.
 */
export async function writeReportFiles(report: RunReport, outDir: string, opts: WriteReportOptions = {}): Promise<ReportFiles> {
  await mkdir(outDir, { recursive: true });
  const files: ReportFiles = {
    summary: join(outDir, 'summary.md'),
    comment: join(outDir, 'comment.md'),
    annotations: join(outDir, 'annotations.json'),
    junit: join(outDir, 'junit.xml'),
    html: join(outDir, 'report.html'),
  };
  await Promise.all([
    writeFile(files.summary, renderSummaryMarkdown(report)),
    writeFile(files.comment, renderCommentMarkdown(report, { marker: opts.commentMarker })),
    writeFile(files.annotations, `${JSON.stringify(buildAnnotations(report), null, 2)}\n`),
    writeFile(files.junit, renderJUnit(report)),
    writeFile(files.html, renderHtml(report)),
  ]);
  return files;
}
