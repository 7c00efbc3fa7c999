/**
 * End to end: the action, in-process exactly as on a runner, runs the real engine on a copy of the sample service
 * with one failing test planted, and publishes to the fake GitHub API.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../github/helpers/fake-github.js';
import { copySampleService } from '../support/sample-copy.js';
import { runInProcess, type StepRun } from './helpers/harness.js';

const PLANTED_FILE = 'test/unit/cursor.test.ts';

let fake: FakeGitHub;
let workspace: string;
let plantedLine: number;

beforeAll(async () => {
  fake = await startFakeGitHub();
  workspace = mkdtempSync(join(tmpdir(), 'backend-ci-e2e-'));
  const project = join(workspace, 'sample-service');
  copySampleService(project);
  const file = join(project, PLANTED_FILE);
  const original = readFileSync(file, 'utf8');
  const planted = `${original.trimEnd()}\n\ndescribe('planted', () => {\n  it('fails on purpose', () => {\n    expect(1 + 1).toBe(3);\n  });\n});\n`;
  writeFileSync(file, planted);
  plantedLine = planted.split('\n').findIndex((l) => l.includes('expect(1 + 1).toBe(3)')) + 1;
});
afterAll(async () => {
  await fake.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** The first run is the whole pipeline (embedded Postgres and Redis: no Docker here); re-runs only the unit stage. */
const runOnSample = (token: string, inputs: Record<string, string> = { stages: 'unit' }): Promise<StepRun> =>
  runInProcess({
    workspace,
    event: 'pull_request',
    apiUrl: fake.url,
    inputs: { 'working-directory': 'sample-service', 'github-token': token, ...inputs },
  });

describe('the action on the sample service with one failing test', () => {
  it('reports the failure in the summary, one sticky comment (created, then updated), annotations and outputs', async () => {
    const first = await runOnSample('rw-token', {
      // every stage but install: node_modules is a link to the real sample-service's, which npm ci must not touch
      stages: 'lint,typecheck,unit,migrate,integration,load',
      provider: 'embedded',
      services: 'postgres,redis',
      'p95-ms': '300',
    });
    expect(first.exitCode, first.stdout.slice(-3000)).toBe(1);
    expect(Number(first.outputs['coverage-lines'])).toBeGreaterThan(0);
    expect(Number(first.outputs['p95-ms'])).toBeGreaterThan(0);
    expect(first.result?.failure).toMatch(/unit \(failed\)/);
    expect(Number(first.outputs.passed)).toBeGreaterThan(10);
    expect(first.outputs).toMatchObject({ failed: '1', 'exit-code': '1', 'report-path': join(workspace, 'sample-service', '.backend-ci', 'report') });
    expect(first.summary).toContain('fails on purpose');
    expect(fake.comments).toHaveLength(1);
    const comment = fake.comments[0]!;
    expect(comment.body).toContain('<!-- backend-ci:key=.github/workflows/ci.yml:test:critical -->');
    expect(comment.body).toContain('fails on purpose');
    // Repository-relative path (the project is in sample-service/) and the line of the failing expect.
    expect(fake.checkRuns[0]!.annotations).toContainEqual(
      expect.objectContaining({ path: `sample-service/${PLANTED_FILE}`, start_line: plantedLine, annotation_level: 'failure' }),
    );
    expect(first.result?.publish?.comment?.action).toBe('created');

    const second = await runOnSample('rw-token');
    expect(second.result?.publish?.comment).toMatchObject({ action: 'updated', commentId: comment.id });
    expect(fake.comments).toHaveLength(1);
    expect(fake.calls('POST /repos/{owner}/{repo}/issues/{issue_number}/comments')).toHaveLength(1);
    expect(fake.rejected).toEqual([]);
    expect(fake.responseProblems).toEqual([]);
  }, 240_000);

  it('with a read-only token still writes the summary, annotates through workflow commands and fails only for the test', async () => {
    const before = fake.comments.map((c) => ({ ...c }));
    const step = await runOnSample('ro-token');
    expect(step.exitCode).toBe(1);
    expect(step.result?.failure).toMatch(/unit \(failed\)/);
    expect(step.summary).toContain('fails on purpose');
    expect(step.summary).toMatch(/PR comment skipped: HTTP 403: the token lacks `pull-requests: write`/);
    expect(step.commands.some((c) => c.startsWith('::notice::backend-ci: PR comment skipped'))).toBe(true);
    expect(step.commands.some((c) => c.startsWith('::error ') && c.includes(`file=sample-service/${PLANTED_FILE},line=${plantedLine},`))).toBe(true);
    expect(fake.comments).toEqual(before);
    expect(step.outputs.failed).toBe('1');
  }, 240_000);
});
