/**
 * backend-ci's report layer (no GitHub dependency): ingest JUnit XML and coverage files, merge them with the
 * pipeline's stage results and the load gate into one `RunReport`, and render it (job summary, PR comment,
 * annotations, terminal, HTML, merged JUnit).
 *
 * Typical use (pipeline engine / publisher):
 *   const report = await buildRunReport({ junit: [{ path, stage: 'unit' }], coverage, stages, gate, meta, repoRoot });
 *   const summary = renderSummaryMarkdown(report);            // <= 1 MiB, for $GITHUB_STEP_SUMMARY
 *   const comment = renderCommentMarkdown(report, { marker }); // <= 65,536 chars, starts with the marker
 *   for (const batch of batchAnnotations(buildAnnotations(report))) await checks.update({ annotations: batch });
 *   await writeReportFiles(report, outDir);
 */
export type {
  CoverageCounter,
  CoverageCounters,
  CoverageFile,
  CoverageMetric,
  CoverageReport,
  CoverageThresholdResult,
  CoverageThresholds,
  FailedTest,
  FlakyTest,
  ReportLimits,
  ReportMeta,
  ReportWarning,
  RunReport,
  SlowTest,
  SourceLocation,
  TestIdentity,
  TestStatus,
  TestTotals,
  TestsReport,
} from './model.js';
export { COVERAGE_METRICS, DEFAULT_LIMITS } from './model.js';
export { buildRunReport, ingestJUnitFiles, verdict } from './build.js';
export type { BuildReportInput, JUnitSource } from './build.js';
export { TestCollector } from './collector.js';
export type { TestCaseRecord } from './collector.js';
export { ingestJUnitFile } from './junit.js';
export type { JUnitIngestOptions, JUnitIngestResult } from './junit.js';
export { buildCoverageReport, ingestCoverageFile } from './coverage/index.js';
export { mergeIstanbulCoverageFiles } from './coverage/merge-istanbul.js';
export type { IstanbulMergeResult } from './coverage/merge-istanbul.js';
export type { CoverageFormat, CoverageIngestResult, CoverageOptions } from './coverage/index.js';
export { locateFailure, toRepoPath } from './location.js';
export type { LocateOptions } from './location.js';
export {
  COMMENT_MAX_CHARS,
  DEFAULT_COMMENT_MARKER,
  SUMMARY_MAX_BYTES,
  renderCommentMarkdown,
  renderSummaryMarkdown,
  stageChart,
} from './render/markdown.js';
export type { CommentOptions, MarkdownOptions } from './render/markdown.js';
export {
  ANNOTATION_MESSAGE_MAX_BYTES,
  ANNOTATION_TITLE_MAX_CHARS,
  CHECKS_BATCH_SIZE,
  WORKFLOW_COMMANDS_PER_LEVEL,
  batchAnnotations,
  buildAnnotations,
  selectForWorkflowCommands,
  toWorkflowCommand,
} from './render/annotations.js';
export type { AnnotationOptions } from './render/annotations.js';
export { renderTerminal } from './render/terminal.js';
export type { TerminalOptions } from './render/terminal.js';
export { renderHtml } from './render/html.js';
export { renderJUnit } from './render/junit.js';
export { writeReportFiles } from './write.js';
export type { ReportFiles, WriteReportOptions } from './write.js';
export { REPORT_USAGE, expandInputs, metaFromEnv, reportCommand } from './command.js';
