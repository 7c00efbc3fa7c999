/**
 * Publishes a finished run from its report folder: action outputs, one sticky PR comment, failure annotations
 * (Checks API, else workflow commands) and the job summary. Reporting problems never fail the job: anything that
 * cannot be published (fork PRs and read-only tokens answer 403, the API may be down) is skipped with a notice or
 * warning saying what and why, and listed under "Reporting notes" in the job summary, which is written last.
 */
import type { ActionCore } from './action-core.js';
import { toRepoRelative } from './annotation-paths.js';
import { emitCommandAnnotations, publishCheckRun } from './annotations.js';
import type { GitHubApi } from './api.js';
import type { RunContext } from './context.js';
import { outputsFrom, readReportFolder, type ReadText, type ReportFolder } from './report-folder.js';
import { stickyBody, upsertStickyComment, type StickyResult } from './sticky-comment.js';
import { boundedSummary } from './summary.js';

export type AnnotationsMode = 'auto' | 'checks' | 'commands' | 'off';

export interface PublishOptions {
  outDir: string;
  core: ActionCore;
  context: RunContext;
  /** Absent when no token was given: only the summary, outputs and workflow-command annotations are possible. */
  api?: GitHubApi;
  comment: boolean;
  annotations: AnnotationsMode;
  commentKey: string;
  checkName: string;
  /** The check run's conclusion, matching whether the job is going to fail. */
  conclusion: 'success' | 'failure' | 'neutral';
  readText?: ReadText;
  /** The report folder, when the caller has already read it. */
  folder?: ReportFolder;
  /** Makes annotation paths repository-relative when the project is in a sub-folder of the workspace. */
  paths?: { workspace: string; projectDir: string };
}

export interface PublishOutcome {
  folder: ReportFolder;
  outputs: Record<string, string>;
  summaryWritten: boolean;
  comment?: StickyResult;
  checkRun?: { id: number; posted: number; leftOut: number; patches: number };
  commandAnnotations?: { emitted: number; leftOut: number };
  /** What was skipped and why (also in the job summary). */
  notes: string[];
}

interface ApiErrorLike {
  status?: number;
  message?: string;
}

/** A one-line, actionable reason for an API failure. */
export function describeApiFailure(error: unknown, permission: string, context: RunContext): string {
  const e = (error ?? {}) as ApiErrorLike;
  const message = (e.message ?? String(error)).split('\n')[0];
  if (e.status === 403 || e.status === 404) {
    const why = context.fromFork
      ? 'this pull request comes from a fork, whose GITHUB_TOKEN is read-only'
      : `the token lacks \`${permission}\` (add it under \`permissions:\` in the workflow)`;
    return `HTTP ${e.status}: ${why} — GitHub said "${message}"`;
  }
  return e.status ? `HTTP ${e.status}: ${message}` : message ?? 'unknown error';
}

export async function publishReport(options: PublishOptions): Promise<PublishOutcome> {
  const { core, context, api } = options;
  const folder = options.folder ?? (await readReportFolder(options.outDir, options.readText));
  const notes: string[] = folder.problems.map((p) => `Report file problem: ${p}`);
  for (const p of folder.problems) core.warning(`backend-ci report: ${p}`);
  const outcome: PublishOutcome = { folder, outputs: outputsFrom(folder), summaryWritten: false, notes };

  for (const [name, value] of Object.entries(outcome.outputs)) core.setOutput(name, value);

  // The sticky PR comment.
  if (options.comment) {
    if (context.pullNumber === undefined) {
      core.info(`backend-ci: no PR comment — the ${context.eventName || 'current'} event does not belong to a pull request.`);
    } else if (!api) {
      notes.push('PR comment skipped: no `github-token` was given.');
      core.notice('backend-ci: PR comment skipped because no github-token was given; the report is in the job summary.');
    } else if (folder.comment === undefined) {
      notes.push('PR comment skipped: comment.md is missing from the report folder.');
    } else {
      try {
        outcome.comment = await upsertStickyComment(api, context.pullNumber, stickyBody(folder.comment, options.commentKey), options.commentKey);
        core.info(`backend-ci: PR comment ${outcome.comment.action} (id ${outcome.comment.commentId}).`);
      } catch (error) {
        const reason = describeApiFailure(error, 'pull-requests: write', context);
        notes.push(`PR comment skipped: ${reason}.`);
        core[isPermission(error) ? 'notice' : 'warning'](`backend-ci: PR comment skipped (${reason}); the report is in the job summary.`);
      }
    }
  }

  // Failure annotations.
  const annotations = options.paths ? toRepoRelative(folder.annotations, options.paths.workspace, options.paths.projectDir) : folder.annotations;
  if (options.annotations !== 'off' && annotations.length > 0) {
    let useCommands = options.annotations === 'commands' || !api;
    if (!useCommands && api) {
      try {
        const run = await publishCheckRun(api, {
          name: options.checkName,
          headSha: context.headSha,
          title: checkTitle(folder),
          summary: `${annotations.length} annotation(s) from backend-ci. The full report is in the job summary.`,
          conclusion: options.conclusion,
          annotations,
        });
        outcome.checkRun = { id: run.checkRunId, posted: run.posted, leftOut: run.leftOut, patches: run.patches };
        if (run.leftOut > 0) notes.push(`${run.leftOut} annotation(s) were left out of the check run (invalid or over the limit).`);
      } catch (error) {
        const reason = describeApiFailure(error, 'checks: write', context);
        // `auto` falls back to workflow commands; `checks` means the Checks API or nothing.
        useCommands = options.annotations === 'auto';
        const instead = useCommands ? 'used workflow-command annotations instead' : 'no annotations (annotations: checks)';
        notes.push(`Check-run annotations skipped: ${reason}; ${instead}.`);
        core[isPermission(error) ? 'notice' : 'warning'](`backend-ci: check-run annotations skipped (${reason}); ${instead}.`);
      }
    }
    if (useCommands) {
      outcome.commandAnnotations = emitCommandAnnotations(core, annotations);
      if (outcome.commandAnnotations.leftOut > 0) {
        notes.push(
          `${outcome.commandAnnotations.leftOut} of ${annotations.length} annotation(s) were left out: workflow commands are capped per step ` +
            '(grant `checks: write` to get all of them as a check run).',
        );
      }
    }
  }

  // The job summary, last, so it carries every note.
  const markdown = folder.summary ?? fallbackSummary(folder);
  try {
    outcome.summaryWritten = await core.appendSummary(boundedSummary(markdown, notes));
    if (!outcome.summaryWritten) core.info('backend-ci: GITHUB_STEP_SUMMARY is not set; no job summary written.');
  } catch (error) {
    core.warning(`backend-ci: the job summary could not be written (${(error as Error).message}).`);
  }
  return outcome;
}

function isPermission(error: unknown): boolean {
  const status = (error as ApiErrorLike | undefined)?.status;
  return status === 403 || status === 404;
}

function checkTitle(folder: ReportFolder): string {
  const t = folder.result?.tests;
  if (!t) return 'backend-ci report';
  return `${t.failed ?? 0} failed, ${t.passed ?? 0} passed, ${t.flaky ?? 0} flaky, ${t.skipped ?? 0} skipped`;
}

function fallbackSummary(folder: ReportFolder): string {
  const lines = ['## backend-ci', '', 'summary.md was not produced, so this is what is known from the report folder:', ''];
  const r = folder.result;
  if (r) {
    lines.push(`- exit code: ${r.exitCode}`);
    lines.push(`- tests: ${r.tests.passed ?? 0} passed, ${r.tests.failed ?? 0} failed, ${r.tests.flaky ?? 0} flaky, ${r.tests.skipped ?? 0} skipped`);
    for (const s of r.stages) lines.push(`- stage ${s.id}: ${s.status}${s.reason ? ` — ${s.reason}` : ''}`);
  } else {
    lines.push(`- no result.json in ${folder.dir}`);
  }
  return `${lines.join('\n')}\n`;
}
