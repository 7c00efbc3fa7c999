/**
 * The GitHub REST calls the publisher makes, behind a small interface. `octokitApi` implements it over any Octokit
 * (from @actions/github `getOctokit(token, { baseUrl })` or @octokit/core) with retries and pagination.
 */
import { withRetry, type RetryOptions } from './retry.js';

export interface IssueComment {
  id: number;
  body: string;
  createdAt: string;
}

export interface CheckAnnotation {
  path: string;
  start_line: number;
  end_line: number;
  annotation_level: 'notice' | 'warning' | 'failure';
  message: string;
  title?: string;
}

export interface CheckOutput {
  title: string;
  summary: string;
  annotations?: CheckAnnotation[];
}

export interface CheckRunUpdate {
  status?: 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'neutral';
  output?: CheckOutput;
}

export interface GitHubApi {
  listIssueComments(issueNumber: number): Promise<IssueComment[]>;
  createIssueComment(issueNumber: number, body: string): Promise<IssueComment>;
  updateIssueComment(commentId: number, body: string): Promise<void>;
  /** Deleting a comment that is already gone is not an error. */
  deleteIssueComment(commentId: number): Promise<void>;
  createCheckRun(name: string, headSha: string, output: CheckOutput): Promise<{ id: number; htmlUrl?: string }>;
  updateCheckRun(checkRunId: number, update: CheckRunUpdate): Promise<void>;
}

/** What we need of an Octokit instance: its generic `request(route, params)`. */
export interface OctokitLike {
  request(route: string, params?: Record<string, unknown>): Promise<{ status: number; data: unknown }>;
}

const PER_PAGE = 100;
/** 100 pages × 100 comments: a pull request with more than 10,000 comments is not one we will page through. */
const MAX_PAGES = 100;

interface RawComment {
  id: number;
  body?: string | null;
  created_at: string;
}

export function octokitApi(octokit: OctokitLike, repo: { owner: string; repo: string }, retry: RetryOptions): GitHubApi {
  const call = <T>(what: string, route: string, params: Record<string, unknown>): Promise<T> =>
    withRetry(what, async () => (await octokit.request(route, { ...repo, ...params })).data as T, retry);
  const toComment = (c: RawComment): IssueComment => ({ id: c.id, body: c.body ?? '', createdAt: c.created_at });

  return {
    async listIssueComments(issueNumber) {
      const all: IssueComment[] = [];
      for (let page = 1; page <= MAX_PAGES; page++) {
        const batch = await call<RawComment[]>('list comments', 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments', {
          issue_number: issueNumber,
          per_page: PER_PAGE,
          page,
        });
        all.push(...batch.map(toComment));
        if (batch.length < PER_PAGE) break;
      }
      return all;
    },
    async createIssueComment(issueNumber, body) {
      const c = await call<RawComment>('create comment', 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments', {
        issue_number: issueNumber,
        body,
      });
      return toComment(c);
    },
    async updateIssueComment(commentId, body) {
      await call('update comment', 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}', { comment_id: commentId, body });
    },
    async deleteIssueComment(commentId) {
      try {
        await call('delete comment', 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}', { comment_id: commentId });
      } catch (error) {
        if ((error as { status?: number }).status !== 404) throw error;
      }
    },
    async createCheckRun(name, headSha, output) {
      const run = await call<{ id: number; html_url?: string | null }>('create check run', 'POST /repos/{owner}/{repo}/check-runs', {
        name,
        head_sha: headSha,
        status: 'in_progress',
        output,
      });
      return { id: run.id, ...(run.html_url ? { htmlUrl: run.html_url } : {}) };
    },
    async updateCheckRun(checkRunId, update) {
      await call('update check run', 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}', { check_run_id: checkRunId, ...update });
    },
  };
}
