/**
 * Failure annotations at file:line. Preferred: a check run through the Checks API, annotations added in PATCHes of
 * at most 50 (GitHub's per-request limit). Fallback when the token cannot create check runs: workflow commands,
 * which GitHub caps at 10 per type per step and 50 per job — we emit at most 10 errors, 5 warnings and 5 notices
 * and say how many were left out.
 */
import type { Annotation } from '../types.js';
import type { ActionCore } from './action-core.js';
import type { CheckAnnotation, CheckOutput, GitHubApi } from './api.js';

export const ANNOTATIONS_PER_REQUEST = 50;
/** At most this many annotations reach the Checks API (20 requests); the rest are counted as left out. */
export const MAX_CHECK_ANNOTATIONS = 1000;
const MAX_FIELD_CHARS = 64 * 1024 - 1;
const MAX_TITLE_CHARS = 255;
const MAX_SUMMARY_CHARS = 65_535;

/** Workflow-command caps per step: GitHub shows 10 per type; we leave room under the 50 per job. */
export const COMMAND_CAPS: Record<Annotation['level'], number> = { failure: 10, warning: 5, notice: 5 };

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Annotations GitHub would reject (no path, bad lines, empty message) are dropped and counted. */
export function toCheckAnnotations(annotations: Annotation[]): { valid: CheckAnnotation[]; invalid: number } {
  const valid: CheckAnnotation[] = [];
  let invalid = 0;
  for (const a of annotations) {
    const start = Math.trunc(Number(a.startLine));
    const end = Math.trunc(Number(a.endLine ?? a.startLine));
    if (!a.path || !Number.isFinite(start) || start < 1 || !a.message) {
      invalid++;
      continue;
    }
    valid.push({
      path: a.path.replace(/\\/g, '/').replace(/^\.\//, ''),
      start_line: start,
      end_line: Number.isFinite(end) && end >= start ? end : start,
      annotation_level: a.level === 'warning' || a.level === 'notice' ? a.level : 'failure',
      message: clip(a.message, MAX_FIELD_CHARS),
      ...(a.title ? { title: clip(a.title, MAX_TITLE_CHARS) } : {}),
    });
  }
  return { valid, invalid };
}

export interface CheckRunRequest {
  name: string;
  headSha: string;
  title: string;
  summary: string;
  conclusion: 'success' | 'failure' | 'neutral';
  annotations: Annotation[];
}

export interface CheckRunResult {
  checkRunId: number;
  htmlUrl?: string;
  posted: number;
  /** Annotations not posted: invalid ones and those over MAX_CHECK_ANNOTATIONS. */
  leftOut: number;
  patches: number;
}

export async function publishCheckRun(api: GitHubApi, request: CheckRunRequest): Promise<CheckRunResult> {
  const { valid, invalid } = toCheckAnnotations(request.annotations);
  const posting = valid.slice(0, MAX_CHECK_ANNOTATIONS);
  const leftOut = invalid + (valid.length - posting.length);
  const base: CheckOutput = {
    title: clip(request.title, MAX_TITLE_CHARS),
    summary: clip(
      leftOut > 0 ? `${request.summary}\n\n${leftOut} annotation(s) were left out (invalid or over the limit of ${MAX_CHECK_ANNOTATIONS}).` : request.summary,
      MAX_SUMMARY_CHARS,
    ),
  };
  const run = await api.createCheckRun(request.name, request.headSha, base);
  let patches = 0;
  const batches: CheckAnnotation[][] = [];
  for (let i = 0; i < posting.length; i += ANNOTATIONS_PER_REQUEST) batches.push(posting.slice(i, i + ANNOTATIONS_PER_REQUEST));
  if (batches.length === 0) batches.push([]);
  for (const [index, batch] of batches.entries()) {
    const last = index === batches.length - 1;
    await api.updateCheckRun(run.id, {
      ...(last ? { status: 'completed' as const, conclusion: request.conclusion } : {}),
      output: { ...base, ...(batch.length > 0 ? { annotations: batch } : {}) },
    });
    patches++;
  }
  return { checkRunId: run.id, ...(run.htmlUrl ? { htmlUrl: run.htmlUrl } : {}), posted: posting.length, leftOut, patches };
}

export interface CommandAnnotationsResult {
  emitted: number;
  leftOut: number;
}

/** Emits annotations as `::error file=..,line=..::` workflow commands, within GitHub's per-step caps. */
export function emitCommandAnnotations(core: ActionCore, annotations: Annotation[]): CommandAnnotationsResult {
  const { valid, invalid } = toCheckAnnotations(annotations);
  const used: Record<Annotation['level'], number> = { failure: 0, warning: 0, notice: 0 };
  let emitted = 0;
  for (const a of valid) {
    if (used[a.annotation_level] >= COMMAND_CAPS[a.annotation_level]) continue;
    used[a.annotation_level]++;
    emitted++;
    const place = { file: a.path, startLine: a.start_line, endLine: a.end_line, ...(a.title ? { title: a.title } : {}) };
    if (a.annotation_level === 'failure') core.error(a.message, place);
    else if (a.annotation_level === 'warning') core.warning(a.message, place);
    else core.notice(a.message, place);
  }
  const leftOut = valid.length - emitted + invalid;
  if (leftOut > 0) {
    core.info(
      `${leftOut} of ${annotations.length} annotation(s) were left out: workflow commands are capped per step ` +
        `(${COMMAND_CAPS.failure} errors, ${COMMAND_CAPS.warning} warnings, ${COMMAND_CAPS.notice} notices here). ` +
        'Grant `checks: write` to get all of them through the Checks API; the job summary lists every failure.',
    );
  }
  return { emitted, leftOut };
}
