/**
 * Check annotations for failed tests that have a file and a line (failures without a location are listed in the
 * summary instead: never annotated at a made-up line), flaky tests as warnings, plus the helpers the publisher
 * needs: batches of 50 for the Checks API, at most 10 per level for workflow commands, and the command text.
 */
import type { Annotation } from '../../types.js';
import type { RunReport } from '../model.js';
import { failureText, testTitle } from './common.js';

/** GitHub limits: annotation message 64 KiB, title 255 characters. */
export const ANNOTATION_MESSAGE_MAX_BYTES = 64 * 1024;
export const ANNOTATION_TITLE_MAX_CHARS = 255;
/** Checks API: at most 50 annotations per request. */
export const CHECKS_BATCH_SIZE = 50;
/** Workflow commands: GitHub shows at most 10 annotations per level per step. */
export const WORKFLOW_COMMANDS_PER_LEVEL = 10;

export interface AnnotationOptions {
  /** Also annotate flaky tests (level `warning`) when their location is known (default true). */
  flaky?: boolean;
}

function cutChars(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, max - 1)}…`;
}

/** Cuts `s` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function cutBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  const marker = '\n… [truncated]';
  const buf = Buffer.from(s, 'utf8');
  let end = maxBytes - Buffer.byteLength(marker);
  while (end > 0 && ((buf[end] as number) & 0xc0) === 0x80) end--; // do not split a multi-byte character
  return buf.subarray(0, end).toString('utf8') + marker;
}

export function buildAnnotations(r: RunReport, opts: AnnotationOptions = {}): Annotation[] {
  const out: Annotation[] = [];
  for (const f of r.tests.failed) {
    if (!f.file || !f.line) continue;
    const body = failureText(f.message, f.details);
    out.push({
      path: f.file,
      startLine: f.line,
      endLine: f.line,
      level: 'failure',
      title: cutChars(`${f.status === 'errored' ? 'Error' : 'Failed'}: ${testTitle(f)}`, ANNOTATION_TITLE_MAX_CHARS),
      message: cutBytes(body || '(no failure message)', ANNOTATION_MESSAGE_MAX_BYTES),
    });
  }
  if (opts.flaky ?? true) {
    for (const f of r.tests.flaky) {
      if (!f.file || !f.line) continue;
      out.push({
        path: f.file,
        startLine: f.line,
        endLine: f.line,
        level: 'warning',
        title: cutChars(`Flaky: ${testTitle(f)}`, ANNOTATION_TITLE_MAX_CHARS),
        message: cutBytes(
          `Failed ${f.failedAttempts} time(s), then passed on retry.${f.message ? `\n\n${f.message}` : ''}`,
          ANNOTATION_MESSAGE_MAX_BYTES,
        ),
      });
    }
  }
  return out;
}

/** Splits annotations into Checks API batches (50 per request by default). */
export function batchAnnotations(annotations: readonly Annotation[], size = CHECKS_BATCH_SIZE): Annotation[][] {
  const batches: Annotation[][] = [];
  for (let i = 0; i < annotations.length; i += size) batches.push(annotations.slice(i, i + size));
  return batches;
}

/** At most `perLevel` annotations of each level, in their original order (workflow commands show no more). */
export function selectForWorkflowCommands(annotations: readonly Annotation[], perLevel = WORKFLOW_COMMANDS_PER_LEVEL): Annotation[] {
  const counts = new Map<string, number>();
  return annotations.filter((a) => {
    const n = counts.get(a.level) ?? 0;
    if (n >= perLevel) return false;
    counts.set(a.level, n + 1);
    return true;
  });
}

function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** The `::error file=…,line=…::message` workflow command for one annotation. */
export function toWorkflowCommand(a: Annotation): string {
  const cmd = a.level === 'failure' ? 'error' : a.level;
  const props = `file=${escapeProperty(a.path)},line=${a.startLine},endLine=${a.endLine},title=${escapeProperty(a.title)}`;
  return `::${cmd} ${props}::${escapeData(a.message)}`;
}
