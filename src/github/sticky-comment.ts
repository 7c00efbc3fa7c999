/**
 * One sticky PR comment per (workflow, job, suite): found by its hidden markers, updated in place on re-runs.
 *
 * The body starts with two hidden lines: the report marker `<!-- backend-ci:report -->` (written by the report
 * layer) and a key line `<!-- backend-ci:key=... -->` naming the workflow file, job and suite (or the
 * `comment-key` input), so two different jobs keep two comments while re-runs of one job reuse its comment.
 * Only comments whose FIRST lines are the markers count: quoting a report in a reply does not hijack it.
 *
 * Racing jobs with the same key: each job lists, creates if none, then lists again; whenever more than one comment
 * carries the key, the oldest (lowest id) is kept and updated, the newer ones are deleted (a 404 on delete means
 * the other job got there first). Every job ends up agreeing on the oldest, so one comment survives.
 */
import type { GitHubApi, IssueComment } from './api.js';

export const REPORT_MARKER = '<!-- backend-ci:report -->';
/** GitHub rejects issue comments longer than this many characters. */
export const MAX_COMMENT_CHARS = 65_536;

export function commentKey(parts: { workflow: string; job: string; suite?: string; override?: string }): string {
  const raw = parts.override?.trim() || [parts.workflow, parts.job, parts.suite].filter(Boolean).join(':');
  // Keep the marker a valid, unambiguous HTML comment: no `--`, no `>`, no line breaks.
  return raw.replace(/[^A-Za-z0-9._/:@+=-]/g, '_').replace(/-{2,}/g, '-');
}

export function keyLine(key: string): string {
  return `<!-- backend-ci:key=${key} -->`;
}

const TRUNCATED_NOTE = '\n\n_…report truncated to fit GitHub’s comment limit; the job summary has the full report._\n';

/** The comment body: markers first, then comment.md without its own marker line, within GitHub's size limit. */
export function stickyBody(commentMarkdown: string, key: string): string {
  const content = commentMarkdown.startsWith(REPORT_MARKER)
    ? commentMarkdown.slice(REPORT_MARKER.length).replace(/^\r?\n/, '')
    : commentMarkdown;
  const head = `${REPORT_MARKER}\n${keyLine(key)}\n`;
  const body = head + content;
  if (body.length <= MAX_COMMENT_CHARS) return body;
  let cut = MAX_COMMENT_CHARS - TRUNCATED_NOTE.length;
  // Do not split a surrogate pair.
  const code = body.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return body.slice(0, cut) + TRUNCATED_NOTE;
}

export function isStickyComment(body: string, key: string): boolean {
  const lines = body.split(/\r?\n/, 2);
  return lines[0] === REPORT_MARKER && lines[1] === keyLine(key);
}

export interface StickyResult {
  action: 'created' | 'updated';
  commentId: number;
  /** Duplicate comments removed (from a race or an earlier run). */
  deletedIds: number[];
}

function ours(comments: IssueComment[], key: string): IssueComment[] {
  return comments.filter((c) => isStickyComment(c.body, key)).sort((a, b) => a.id - b.id);
}

export async function upsertStickyComment(api: GitHubApi, issueNumber: number, body: string, key: string): Promise<StickyResult> {
  let mine = ours(await api.listIssueComments(issueNumber), key);
  let created: IssueComment | undefined;
  if (mine.length === 0) {
    created = await api.createIssueComment(issueNumber, body);
    // List again: another job with the same key may have created its comment at the same time.
    mine = ours(await api.listIssueComments(issueNumber), key);
    // The list may lag behind the create: the comment we just made still counts.
    if (!mine.some((c) => c.id === created?.id)) mine = [...mine, created].sort((a, b) => a.id - b.id);
  }
  const [keeper, ...extra] = mine as [IssueComment, ...IssueComment[]];
  if (keeper.id !== created?.id && keeper.body !== body) await api.updateIssueComment(keeper.id, body);
  for (const duplicate of extra) await api.deleteIssueComment(duplicate.id);
  return {
    action: keeper.id === created?.id ? 'created' : 'updated',
    commentId: keeper.id,
    deletedIds: extra.map((c) => c.id),
  };
}
