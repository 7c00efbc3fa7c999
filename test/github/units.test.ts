import { afterEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_CAPS, emitCommandAnnotations } from '../../src/github/annotations.js';
import { readRunContext } from '../../src/github/context.js';
import { readReportFolder } from '../../src/github/report-folder.js';
import { retryDelayMs, withRetry } from '../../src/github/retry.js';
import { MAX_COMMENT_CHARS, REPORT_MARKER, commentKey, isStickyComment, stickyBody } from '../../src/github/sticky-comment.js';
import { MAX_SUMMARY_BYTES, boundedSummary } from '../../src/github/summary.js';
import { copyReport, manyAnnotations } from './helpers/publish-setup.js';
import { recordingCore } from './helpers/recording-core.js';

const httpError = (status: number, headers: Record<string, string> = {}, message = 'x') => Object.assign(new Error(message), { status, response: { headers } });

describe('retries', () => {
  afterEach(() => vi.useRealTimers());

  it('waits retry-after seconds on a secondary rate limit, with fake timers', async () => {
    vi.useFakeTimers();
    const fn = vi.fn().mockRejectedValueOnce(httpError(429, { 'retry-after': '30' })).mockResolvedValueOnce('ok');
    const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
    const result = withRetry('list comments', fn, { sleep });
    await vi.advanceTimersByTimeAsync(29_999);
    expect(fn).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toBe('ok');
    expect(fn).toHaveBeenCalledTimes(2);
  });

  it('waits for x-ratelimit-reset when the remaining quota is 0, and gives up when that is too far away', () => {
    const now = () => 1_000_000_000;
    expect(retryDelayMs(httpError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_000_000 + 20) }), 0, { now })).toBe(21_000);
    expect(retryDelayMs(httpError(403, { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(1_000_000 + 3600) }), 0, { now })).toBeNull();
  });

  it('backs off exponentially on 5xx and never retries a plain 403, 404 or 422', () => {
    expect([0, 1, 2].map((a) => retryDelayMs(httpError(502), a, {}))).toEqual([1000, 2000, 4000]);
    for (const status of [403, 404, 422]) expect(retryDelayMs(httpError(status), 0, {})).toBeNull();
    expect(retryDelayMs(httpError(403, {}, 'You have exceeded a secondary rate limit'), 0, {})).toBe(60_000);
    expect(retryDelayMs(new TypeError('bug'), 0, {})).toBeNull();
  });
});

describe('sticky comment body', () => {
  it('keeps markers first and stays within 65,536 characters', () => {
    const key = commentKey({ workflow: '.github/workflows/ci.yml', job: 'test', suite: 'critical' });
    const body = stickyBody(`${REPORT_MARKER}\n${'😀'.repeat(40_000)}`, key);
    expect(body.length).toBeLessThanOrEqual(MAX_COMMENT_CHARS);
    expect(isStickyComment(body, key)).toBe(true);
    expect(body).toMatch(/report truncated/);
    expect(() => encodeURIComponent(body)).not.toThrow();
  });

  it('makes keys safe inside an HTML comment and honours an explicit key', () => {
    expect(commentKey({ workflow: 'CI --> x', job: 'j', suite: 'all' })).toBe('CI_-__x:j:all');
    expect(commentKey({ workflow: 'w', job: 'j', override: 'matrix node 20' })).toBe('matrix_node_20');
  });
});

describe('job summary bound', () => {
  it('never exceeds 1 MiB and keeps the reporting notes', () => {
    const huge = `${'| a | b |\n'.repeat(150_000)}ü`;
    const out = boundedSummary(huge, ['PR comment skipped: HTTP 403']);
    expect(Buffer.byteLength(out)).toBeLessThanOrEqual(MAX_SUMMARY_BYTES);
    expect(out).toContain('summary truncated');
    expect(out).toContain('PR comment skipped: HTTP 403');
    expect(boundedSummary('small', [])).toBe('small');
  });
});

describe('workflow-command annotations', () => {
  it('emits at most 10 errors and says how many were left out', () => {
    const core = recordingCore();
    const result = emitCommandAnnotations(core, manyAnnotations(25));
    expect(core.of('error')).toHaveLength(COMMAND_CAPS.failure);
    expect(result).toEqual({ emitted: 10, leftOut: 15 });
    expect(core.of('info')[0]?.message).toMatch(/^15 of 25 annotation\(s\) were left out/);
  });
});

describe('report folder', () => {
  it('reports a broken file without losing the others', async () => {
    const { dir, cleanup } = copyReport({ 'result.json': '{"exitCode": "one"', 'annotations.json': '[{"path": 3}, {"path":"a.ts","startLine":1,"endLine":1,"level":"failure","title":"t","message":"m"}]' });
    try {
      const folder = await readReportFolder(dir);
      expect(folder.summary).toContain('Failed tests');
      expect(folder.annotations).toHaveLength(1);
      expect(folder.result).toBeUndefined();
      expect(folder.problems).toEqual([
        expect.stringMatching(/^annotations\.json: 1 entry is not/),
        expect.stringMatching(/^result\.json is not valid JSON/),
      ]);
    } finally {
      cleanup();
    }
  });
});

describe('run context', () => {
  it('uses the pull request head commit and detects forks', () => {
    const ctx = readRunContext(
      { GITHUB_REPOSITORY: 'acme/api', GITHUB_SHA: 'merge', GITHUB_EVENT_NAME: 'pull_request', GITHUB_WORKFLOW_REF: 'acme/api/.github/workflows/ci.yml@refs/pull/3/merge' },
      { pull_request: { number: 3, head: { sha: 'head', repo: { full_name: 'someone/api' } }, base: { repo: { full_name: 'acme/api' } } } },
    );
    expect(ctx).toMatchObject({ headSha: 'head', pullNumber: 3, fromFork: true, workflow: '.github/workflows/ci.yml' });
    expect(() => readRunContext({}, {})).toThrow(/GITHUB_REPOSITORY/);
  });
});

describe('annotation paths', () => {
  it('become repository-relative when the project is in a sub-folder', async () => {
    const { toRepoRelative } = await import('../../src/github/annotation-paths.js');
    const a = { startLine: 3, endLine: 3, level: 'failure' as const, title: 't', message: 'm' };
    const existing = new Set(['/ws/api/test/a.test.ts', '/ws/shared/b.ts']);
    const out = toRepoRelative(
      [{ ...a, path: 'test/a.test.ts' }, { ...a, path: 'shared/b.ts' }, { ...a, path: '/ws/api/src/c.ts' }, { ...a, path: 'gone.ts' }],
      '/ws',
      '/ws/api',
      (p) => existing.has(p),
    );
    expect(out.map((x) => x.path)).toEqual(['api/test/a.test.ts', 'shared/b.ts', 'api/src/c.ts', 'gone.ts']);
  });
});

describe('sticky comment upsert', () => {
  it('counts the comment it just created even when the list lags behind', async () => {
    const { upsertStickyComment, stickyBody } = await import('../../src/github/sticky-comment.js');
    const body = stickyBody(`${REPORT_MARKER}\nhi`, 'k');
    const calls: string[] = [];
    const api = {
      listIssueComments: async () => (calls.push('list'), []),
      createIssueComment: async (_n: number, b: string) => (calls.push('create'), { id: 9, body: b, createdAt: '' }),
      updateIssueComment: async () => void calls.push('update'),
      deleteIssueComment: async () => void calls.push('delete'),
      createCheckRun: async () => ({ id: 1 }),
      updateCheckRun: async () => {},
    };
    expect(await upsertStickyComment(api, 1, body, 'k')).toEqual({ action: 'created', commentId: 9, deletedIds: [] });
    expect(calls).toEqual(['list', 'create', 'list']);
  });
});
