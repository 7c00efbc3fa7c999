import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { publishReport, type PublishOptions } from '../../src/github/publish.js';
import { REPORT_MARKER, commentKey, keyLine } from '../../src/github/sticky-comment.js';
import { startFakeGitHub, type FakeGitHub } from './helpers/fake-github.js';
import { apiFor, copyReport, manyAnnotations, prContext } from './helpers/publish-setup.js';
import { recordingCore } from './helpers/recording-core.js';

const LIST = 'GET /repos/{owner}/{repo}/issues/{issue_number}/comments';
const CREATE = 'POST /repos/{owner}/{repo}/issues/{issue_number}/comments';
const UPDATE = 'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}';
const DELETE = 'DELETE /repos/{owner}/{repo}/issues/comments/{comment_id}';
const CREATE_CHECK = 'POST /repos/{owner}/{repo}/check-runs';
const UPDATE_CHECK = 'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}';

let fake: FakeGitHub;
const cleanups: (() => void)[] = [];

afterEach(async () => {
  // Every request the publisher made must match GitHub's OpenAPI description, and so must every fake response.
  expect(fake.rejected).toEqual([]);
  expect(fake.responseProblems).toEqual([]);
  await fake.close();
  for (const c of cleanups.splice(0)) c();
});

function options(dir: string, token: string | null, extra: Partial<PublishOptions> = {}, sleeps: number[] = []): PublishOptions {
  const context = prContext(fake);
  return {
    outDir: dir,
    core: recordingCore(),
    context,
    ...(token ? { api: apiFor(fake, token, sleeps) } : {}),
    comment: true,
    annotations: 'auto',
    commentKey: commentKey({ workflow: context.workflow, job: context.job, suite: 'critical' }),
    checkName: 'backend-ci (critical)',
    conclusion: 'failure',
    ...extra,
  };
}

function report(overrides: Record<string, string> = {}): string {
  const r = copyReport(overrides);
  cleanups.push(r.cleanup);
  return r.dir;
}

describe('sticky PR comment', () => {
  beforeEach(async () => {
    fake = await startFakeGitHub();
  });

  it('posts one sticky comment and updates it on re-run', async () => {
    const first = await publishReport(options(report(), 'rw-token'));
    expect(first.comment?.action).toBe('created');
    expect(fake.comments).toHaveLength(1);
    const body = fake.comments[0]!.body;
    expect(body.split('\n').slice(0, 2)).toEqual([REPORT_MARKER, keyLine('.github/workflows/ci.yml:test:critical')]);
    expect(body).toContain('1 failed, 41 passed');
    expect(body.match(/backend-ci:report/g)).toHaveLength(1);

    const rerun = await publishReport(options(report({ 'comment.md': `${REPORT_MARKER}\n### backend-ci · ✅ 42 passed\n` }), 'rw-token'));
    expect(rerun.comment).toMatchObject({ action: 'updated', commentId: first.comment!.commentId, deletedIds: [] });
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]!.body).toContain('✅ 42 passed');
    expect(fake.calls(CREATE)).toHaveLength(1);
    expect(fake.calls(UPDATE)).toHaveLength(1);
  });

  it('keeps separate comments for different jobs and ignores quotes of the report', async () => {
    const quoted = fake.addComment(17, `> ${REPORT_MARKER}\n> ${keyLine('.github/workflows/ci.yml:test:critical')}\n> looks broken?`);
    await publishReport(options(report(), 'rw-token'));
    await publishReport(options(report(), 'rw-token', { commentKey: commentKey({ workflow: '.github/workflows/nightly.yml', job: 'test', suite: 'all' }) }));
    expect(fake.comments).toHaveLength(3);
    expect(fake.comments.find((c) => c.id === quoted.id)?.body).toContain('looks broken?');
    expect(fake.calls(UPDATE)).toHaveLength(0);
  });

  it('two racing jobs with the same key end with one comment', async () => {
    await fake.close();
    // Both jobs list (and see nothing) before either creates, and both create before either lists again.
    fake = await startFakeGitHub({ listBarrier: 2, createBarrier: 2 });
    const [a, b] = await Promise.all([
      publishReport(options(report(), 'rw-token')),
      publishReport(options(report({ 'comment.md': `${REPORT_MARKER}\nsecond job's body\n` }), 'rw-token')),
    ]);
    expect(fake.calls(CREATE)).toHaveLength(2);
    expect(fake.comments).toHaveLength(1);
    const survivor = fake.comments[0]!;
    expect(a.comment?.commentId).toBe(survivor.id);
    expect(b.comment?.commentId).toBe(survivor.id);
    expect(fake.calls(DELETE).length).toBeGreaterThanOrEqual(1);
  });

  it('pages through long comment threads to find its comment', async () => {
    for (let i = 0; i < 230; i++) fake.addComment(17, `review comment ${i}`);
    await publishReport(options(report(), 'rw-token'));
    for (let i = 0; i < 40; i++) fake.addComment(17, `later comment ${i}`);
    const rerun = await publishReport(options(report({ 'comment.md': `${REPORT_MARKER}\nupdated\n` }), 'rw-token'));
    expect(rerun.comment?.action).toBe('updated');
    expect(fake.comments.filter((c) => c.body.startsWith(REPORT_MARKER))).toHaveLength(1);
    // 271 comments at 100 per page: the re-run had to read page 3.
    expect(fake.calls(LIST).some((r) => r.query.page === '3')).toBe(true);
  });

  it('cleans up duplicates left by an earlier race, keeping the oldest', async () => {
    const key = commentKey({ workflow: '.github/workflows/ci.yml', job: 'test', suite: 'critical' });
    const oldest = fake.addComment(17, `${REPORT_MARKER}\n${keyLine(key)}\nold`);
    fake.addComment(17, `${REPORT_MARKER}\n${keyLine(key)}\nold duplicate`);
    const out = await publishReport(options(report(), 'rw-token'));
    expect(out.comment).toMatchObject({ action: 'updated', commentId: oldest.id });
    expect(fake.comments.map((c) => c.id)).toEqual([oldest.id]);
  });
});

describe('check-run annotations', () => {
  beforeEach(async () => {
    fake = await startFakeGitHub();
  });

  it('sends 120 annotations as one check run and three PATCHes of at most 50', async () => {
    const annotations = manyAnnotations(120);
    const out = await publishReport(options(report({ 'annotations.json': JSON.stringify(annotations) }), 'rw-token'));
    expect(fake.calls(CREATE_CHECK)).toHaveLength(1);
    const patches = fake.calls(UPDATE_CHECK);
    expect(patches.map((p) => ((p.body as { output: { annotations?: unknown[] } }).output.annotations ?? []).length)).toEqual([50, 50, 20]);
    expect(patches.map((p) => (p.body as { conclusion?: string }).conclusion)).toEqual([undefined, undefined, 'failure']);
    expect(fake.checkRuns[0]).toMatchObject({ status: 'completed', conclusion: 'failure', head_sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e' });
    expect(fake.checkRuns[0]!.annotations).toHaveLength(120);
    expect(fake.checkRuns[0]!.annotations[41]).toMatchObject({ path: 'test/suite-6.test.ts', start_line: 42, annotation_level: 'failure' });
    expect(out.checkRun).toMatchObject({ posted: 120, leftOut: 0, patches: 3 });
  });

  it('puts each annotation at its file and line', async () => {
    await publishReport(options(report(), 'rw-token'));
    expect(fake.checkRuns[0]!.annotations).toEqual([
      { path: 'test/users.test.ts', start_line: 42, end_line: 42, annotation_level: 'failure', title: 'users > rejects duplicate email', message: 'AssertionError: expected 201 to be 409' },
      { path: 'src/db/pool.ts', start_line: 7, end_line: 9, annotation_level: 'warning', title: 'flaky: users > lists users', message: 'Passed on retry 2 of 3' },
    ]);
  });
});

describe('read-only tokens and API failures', () => {
  beforeEach(async () => {
    fake = await startFakeGitHub();
  });

  it('with a read-only token (403) still writes the summary, says what was skipped, and does not fail', async () => {
    const opts = options(report(), 'ro-token', { context: { ...prContext(fake), fromFork: true } });
    const core = opts.core as ReturnType<typeof recordingCore>;
    const out = await publishReport(opts);
    expect(core.failed).toBeUndefined();
    expect(out.summaryWritten).toBe(true);
    expect(core.summary).toContain('Failed tests');
    expect(core.summary).toMatch(/Reporting notes[\s\S]*PR comment skipped: HTTP 403: this pull request comes from a fork/);
    expect(core.of('notice').map((n) => n.message).join('\n')).toMatch(/PR comment skipped[\s\S]*check-run annotations skipped/);
    // Annotations fell back to workflow commands, at the failing file and line.
    expect(core.of('error')).toEqual([
      { level: 'error', message: 'AssertionError: expected 201 to be 409', place: { file: 'test/users.test.ts', startLine: 42, endLine: 42, title: 'users > rejects duplicate email' } },
    ]);
    expect(fake.comments).toHaveLength(0);
    expect(core.outputs).toMatchObject({ passed: '41', failed: '1', flaky: '1', skipped: '2', 'coverage-lines': '87.5', 'p95-ms': '212' });
  });

  it('with annotations: checks does not fall back to workflow commands', async () => {
    const opts = options(report(), 'ro-token', { annotations: 'checks' });
    const out = await publishReport(opts);
    const core = opts.core as ReturnType<typeof recordingCore>;
    expect(out.commandAnnotations).toBeUndefined();
    expect(core.of('error')).toEqual([]);
    expect(core.summary).toContain('no annotations (annotations: checks)');
  });

  it('says which permission is missing when a same-repo token gets 403', async () => {
    const opts = options(report(), 'ro-token');
    await publishReport(opts);
    const core = opts.core as ReturnType<typeof recordingCore>;
    expect(core.summary).toContain('the token lacks `pull-requests: write`');
    expect(core.summary).toContain('the token lacks `checks: write`');
  });

  it('retries a 5xx and then succeeds', async () => {
    fake.faults.push({ operation: CREATE, status: 502, times: 1 }, { operation: CREATE_CHECK, status: 500, times: 2 });
    const sleeps: number[] = [];
    const out = await publishReport(options(report(), 'rw-token', {}, sleeps));
    expect(out.comment?.action).toBe('created');
    expect(fake.calls(CREATE).map((r) => r.status)).toEqual([502, 201]);
    expect(fake.calls(CREATE_CHECK).map((r) => r.status)).toEqual([500, 500, 201]);
    expect(sleeps).toEqual([1000, 1000, 2000]);
  });

  it('waits retry-after on a secondary rate limit', async () => {
    fake.faults.push({
      operation: LIST,
      status: 403,
      headers: { 'retry-after': '7' },
      body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'https://docs.github.com/rest' },
    });
    const sleeps: number[] = [];
    const out = await publishReport(options(report(), 'rw-token', {}, sleeps));
    expect(sleeps).toEqual([7000]);
    expect(out.comment?.action).toBe('created');
  });

  it('gives up after repeated 5xx without failing the job', async () => {
    fake.faults.push({ operation: LIST, status: 503, times: 10 });
    const opts = options(report(), 'rw-token');
    const out = await publishReport(opts);
    const core = opts.core as ReturnType<typeof recordingCore>;
    expect(fake.calls(LIST)).toHaveLength(4);
    expect(out.comment).toBeUndefined();
    expect(core.of('warning').some((w) => /PR comment skipped \(HTTP 503/.test(w.message))).toBe(true);
    expect(core.failed).toBeUndefined();
    expect(out.summaryWritten).toBe(true);
  });

  it('without a token writes summary, outputs and command annotations only', async () => {
    const opts = options(report(), null);
    const out = await publishReport(opts);
    const core = opts.core as ReturnType<typeof recordingCore>;
    expect(fake.requests).toHaveLength(0);
    expect(out.commandAnnotations).toEqual({ emitted: 2, leftOut: 0 });
    expect(core.summary).toContain('PR comment skipped: no `github-token` was given.');
  });
});
