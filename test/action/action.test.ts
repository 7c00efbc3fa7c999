import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliCommand, CliIO } from '../../src/types.js';
import { startFakeGitHub, type FakeGitHub } from '../github/helpers/fake-github.js';
import { REPORT_FIXTURE } from '../github/helpers/publish-setup.js';
import { runInProcess, type EventFixture } from './helpers/harness.js';

let fake: FakeGitHub;
let workspace: string;

beforeEach(async () => {
  fake = await startFakeGitHub();
  workspace = mkdtempSync(join(tmpdir(), 'backend-ci-ws-'));
});
afterEach(async () => {
  expect(fake.rejected).toEqual([]);
  await fake.close();
  rmSync(workspace, { recursive: true, force: true });
});

/** An engine double: records its argv and writes the fixture report (with the given result) into --out. */
function fixtureEngine(exitCode = 1, result?: object): CliCommand & { calls: { argv: string[]; io: CliIO }[] } {
  const calls: { argv: string[]; io: CliIO }[] = [];
  const engine = async (argv: string[], io: CliIO): Promise<number> => {
    calls.push({ argv, io });
    const out = argv[argv.indexOf('--out') + 1]!;
    cpSync(REPORT_FIXTURE, out, { recursive: true });
    if (result) writeFileSync(join(out, 'result.json'), JSON.stringify(result));
    return exitCode;
  };
  return Object.assign(engine, { calls });
}

const setup = (event: EventFixture, inputs: Record<string, string> = {}) => ({
  workspace,
  event,
  apiUrl: fake.url,
  inputs: { 'github-token': 'rw-token', ...inputs },
});

describe('the action on a runner', () => {
  it('on pull_request runs the critical suite and reports everywhere', async () => {
    const engine = fixtureEngine();
    const step = await runInProcess(setup('pull_request'), { runEngine: engine });

    expect(engine.calls[0]!.argv).toEqual(['--cwd', workspace, '--suite', 'critical', '--out', join(workspace, '.backend-ci/report'), '--provider', 'containers']);
    expect(step.outputs).toMatchObject({ passed: '41', failed: '1', flaky: '1', skipped: '2', 'coverage-lines': '87.5', 'p95-ms': '212', 'report-path': join(workspace, '.backend-ci/report') });
    expect(step.summary).toContain('### Failed tests');
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]).toMatchObject({ issue: 17 });
    expect(fake.comments[0]!.body).toContain('<!-- backend-ci:key=.github/workflows/ci.yml:test:critical -->');
    // Annotations go on the pull request's head commit, not the merge commit in GITHUB_SHA.
    expect(fake.checkRuns[0]).toMatchObject({ name: 'backend-ci (critical)', head_sha: '6dcb09b5b57875f334f61aebed695e2e4193db5e', conclusion: 'failure' });
    expect(step.commands).toContain('::add-mask::rw-token');
    expect(step.commands.some((c) => c.startsWith('::error::backend-ci failed: unit (failed)'))).toBe(true);
    expect(step.exitCode).toBe(1);
  });

  it('on schedule runs everything and does not look for a pull request', async () => {
    const engine = fixtureEngine(0, { exitCode: 0, tests: { passed: 45, failed: 0, flaky: 0, skipped: 0, total: 45 }, coverage: { lines: 90 }, gate: null, stages: [] });
    const step = await runInProcess(setup('schedule'), { runEngine: engine });
    expect(engine.calls[0]!.argv).toContain('all');
    expect(fake.calls('GET /repos/{owner}/{repo}/issues/{issue_number}/comments')).toHaveLength(0);
    expect(fake.checkRuns[0]).toMatchObject({ head_sha: step.env.GITHUB_SHA, conclusion: 'success' });
    expect(step.exitCode).toBe(0);
    expect(step.outputs['p95-ms']).toBe('');
  });

  it('on push runs the critical suite; an explicit suite input wins over the event', async () => {
    const engine = fixtureEngine(0);
    await runInProcess(setup('push'), { runEngine: engine });
    await runInProcess(setup('push', { suite: 'non-critical' }), { runEngine: engine });
    expect(engine.calls.map((c) => c.argv[c.argv.indexOf('--suite') + 1])).toEqual(['critical', 'non-critical']);
  });

  it('passes every engine input through as a flag, with GitHub’s INPUT_ names', async () => {
    const engine = fixtureEngine(0);
    const step = await runInProcess(
      setup('push', {
        'working-directory': 'services/api',
        stages: 'lint,unit',
        services: 'postgres:16,redis:7',
        provider: 'external',
        config: 'ci.config.json',
        'k6-script': 'tests/load/smoke.ts',
        'p95-ms': '300',
        'error-rate': '0.01',
        'coverage-lines': '80',
        'coverage-branches': '70',
        'coverage-functions': '75',
        'coverage-statements': '80',
      }),
      { runEngine: engine },
    );
    expect(step.env['INPUT_WORKING-DIRECTORY']).toBe('services/api');
    expect(step.env['INPUT_K6-SCRIPT']).toBe('tests/load/smoke.ts');
    const project = join(workspace, 'services/api');
    expect(engine.calls[0]!.argv).toEqual([
      '--cwd', project, '--suite', 'critical', '--out', join(project, '.backend-ci/report'), '--provider', 'external',
      '--config', 'ci.config.json', '--stages', 'lint,unit', '--services', 'postgres:16,redis:7', '--k6-script', 'tests/load/smoke.ts',
      '--p95-ms', '300', '--error-rate', '0.01', '--coverage-lines', '80', '--coverage-branches', '70', '--coverage-functions', '75',
      '--coverage-statements', '80',
    ]);
  });

  it('sets the job result by fail-on', async () => {
    const gateFailed = { exitCode: 1, tests: { passed: 45, failed: 0, flaky: 0, skipped: 0, total: 45 }, coverage: { lines: 90 }, gate: { passed: false, p95Ms: 900, engine: 'k6' }, stages: [{ id: 'load', status: 'failed' }] };
    const outcome = async (failOn: string, exitCode: number, result?: object) =>
      (await runInProcess(setup('push', { 'fail-on': failOn, comment: 'false', annotations: 'off' }), { runEngine: fixtureEngine(exitCode, result) })).exitCode;
    expect(await outcome('never', 1)).toBe(0);
    expect(await outcome('tests', 1)).toBe(1); // the fixture has a failed test
    expect(await outcome('tests', 1, gateFailed)).toBe(0);
    expect(await outcome('gate', 1, gateFailed)).toBe(1);
    expect(await outcome('gate', 1)).toBe(0);
    expect(await outcome('any', 1, gateFailed)).toBe(1);
    expect(await outcome('never', 2)).toBe(1); // unusable config always fails: nothing was tested
  });

  it('rejects a bad input with its name and the allowed values, without running anything', async () => {
    const engine = fixtureEngine(0);
    const step = await runInProcess(setup('pull_request', { suite: 'fast' }), { runEngine: engine });
    expect(engine.calls).toHaveLength(0);
    expect(step.commands).toContain('::error::Input "suite" is "fast"; allowed values: auto, critical, non-critical, all.');
    expect(step.exitCode).toBe(1);
  });

  it('on a fork pull request with a read-only token reports in the summary and fails only for the tests', async () => {
    const step = await runInProcess({ ...setup('pull_request_fork'), inputs: { 'github-token': 'ro-token', 'fail-on': 'gate' } }, { runEngine: fixtureEngine(1) });
    expect(step.exitCode).toBe(0);
    expect(step.summary).toMatch(/PR comment skipped: HTTP 403: this pull request comes from a fork/);
    expect(step.commands.some((c) => c.startsWith('::notice::backend-ci: PR comment skipped'))).toBe(true);
    expect(step.commands).toContain('::error title=users > rejects duplicate email,file=test/users.test.ts,line=42,endLine=42::AssertionError: expected 201 to be 409');
    expect(fake.comments).toHaveLength(0);
  });

  it('hands the engine a hook that masks generated secrets as soon as they exist', async () => {
    const engine: CliCommand = async (argv, io) => {
      (io as CliIO & { onSecret: (v: string) => void }).onSecret('pg-pass-8f3a');
      return fixtureEngine(0)(argv, io);
    };
    const step = await runInProcess(setup('push'), { runEngine: engine });
    expect(step.commands).toContain('::add-mask::pg-pass-8f3a');
  });

  it('still publishes and fails clearly when the engine crashes, without reusing an earlier run’s report', async () => {
    cpSync(REPORT_FIXTURE, join(workspace, '.backend-ci/report'), { recursive: true });
    const step = await runInProcess(setup('pull_request'), {
      runEngine: async () => {
        throw new Error('boom');
      },
    });
    expect(step.exitCode).toBe(1);
    expect(step.commands).toContain('::error::backend-ci engine error: boom');
    expect(step.summary).toMatch(/summary\.md was not produced/);
    expect(step.summary).toContain('result.json was not written');
    expect(step.outputs.failed).toBe('');
    expect(fake.comments).toHaveLength(0);
  });
});
