/**
 * The action's sharding modes on a runner (in-process, fake GitHub API): plan (outputs the matrix and a plan file),
 * shard (runs one share, publishes nothing), merge (merges the shards' folders and publishes once).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
  workspace = mkdtempSync(join(tmpdir(), 'backend-ci-shard-ws-'));
  writeFileSync(join(workspace, 'package.json'), JSON.stringify({ name: 'p', private: true, scripts: { 'test:integration': 'vitest run' } }));
});
afterEach(async () => {
  expect(fake.rejected).toEqual([]);
  await fake.close();
  rmSync(workspace, { recursive: true, force: true });
});

const setup = (event: EventFixture, inputs: Record<string, string>, job = 'backend-ci-merge') => ({
  workspace,
  event,
  apiUrl: fake.url,
  job,
  inputs: { 'github-token': 'rw-token', ...inputs },
});

function write(path: string, text: string): void {
  mkdirSync(join(workspace, path, '..'), { recursive: true });
  writeFileSync(join(workspace, path), text);
}

/** A shard's report folder as `run --shard` writes it. */
function shardFolder(name: string, index: number, total: number, cases: [string, string, 'pass' | 'fail'][]): void {
  const dir = `shards/${name}`;
  write(`${dir}/shard.json`, JSON.stringify({ version: 1, index, total, attempt: 1, startedAt: '2026-11-24T10:00:00Z', files: [], expectedMs: 0 }));
  const failed = cases.some(([, , r]) => r === 'fail');
  write(`${dir}/result.json`, JSON.stringify({ exitCode: failed ? 1 : 0, stages: [{ id: 'integration:critical', status: failed ? 'failed' : 'passed', durationMs: 1000 }] }));
  const xml = `<testsuites>${cases
    .map(
      ([file, name, r]) =>
        `<testsuite name="${file}"><testcase classname="${file}" name="${name}" time="0.5">${
          r === 'fail' ? `<failure message="expected 201 to be 409">AssertionError: expected 201 to be 409\n at ${workspace}/${file}:3:7</failure>` : ''
        }</testcase></testsuite>`,
    )
    .join('')}</testsuites>`;
  write(`${dir}/junit/integration-critical.shard-${index}-of-${total}.critical-paths.xml`, xml);
}

describe('sharding modes of the action', () => {
  it('plan: splits the suite, writes the plan file and outputs the matrix, publishing nothing', async () => {
    for (const f of ['a', 'b', 'c', 'd']) write(`test/integration/critical/${f}.test.ts`, `it('${f}', () => {});\n`);
    write('.backend-ci/durations.json', JSON.stringify({ version: 1, files: { 'test/integration/critical/a.test.ts': 5000, 'test/integration/critical/b.test.ts': 1000, 'test/integration/critical/c.test.ts': 1500 } }));
    const step = await runInProcess(setup('pull_request', { mode: 'plan', shards: '2' }, 'backend-ci-plan'));
    expect(step.exitCode, step.stdout).toBe(0);
    expect(step.outputs.shards).toBe('[1,2]');
    const saved = JSON.parse(readFileSync(step.outputs['plan-path']!, 'utf8'));
    expect(saved.plan.shards.map((s: { files: string[] }) => s.files)).toEqual([
      ['test/integration/critical/a.test.ts'],
      ['test/integration/critical/b.test.ts', 'test/integration/critical/c.test.ts', 'test/integration/critical/d.test.ts'],
    ]);
    expect(step.summary).toContain('backend-ci plan (critical)');
    expect(fake.requests).toHaveLength(0);
  });

  it('shard: runs its share with --shard and the plan, sets outputs, and posts no comment or check run', async () => {
    const calls: string[][] = [];
    const engine: CliCommand = async (argv: string[], _io: CliIO) => {
      calls.push(argv);
      cpSync(REPORT_FIXTURE, argv[argv.indexOf('--out') + 1]!, { recursive: true });
      return 1;
    };
    const step = await runInProcess(setup('pull_request', { mode: 'shard', shards: '3', shard: '2', 'shard-plan': 'plan/plan.json' }, 'backend-ci-shard'), { runEngine: engine });
    expect(calls[0]!.slice(-4)).toEqual(['--shard', '2/3', '--shard-plan', join(workspace, 'plan/plan.json')]);
    expect(step.outputs.failed).toBe('1');
    expect(step.exitCode).toBe(1);
    expect(fake.requests).toHaveLength(0);
    expect(step.summary).toBe('');
    expect(step.commands.filter((c) => c.startsWith('::error file='))).toEqual([]);
  });

  it('merge: merges every shard into one report, publishes one comment and check run under the one-job key', async () => {
    write('test/integration/critical/users.test.ts', "import { it } from 'vitest';\nit('creates', () => {\n  expect(1).toBe(2);\n});\n");
    shardFolder('backend-ci-shard-1-of-2-attempt-1', 1, 2, [['test/integration/critical/users.test.ts', 'users > creates', 'fail']]);
    shardFolder('backend-ci-shard-2-of-2-attempt-1', 2, 2, [['test/integration/critical/health.test.ts', 'health > is up', 'pass']]);
    const step = await runInProcess(setup('pull_request', { mode: 'merge', shards: '2', 'merge-from': 'shards' }));
    expect(step.exitCode).toBe(1);
    expect(step.outputs).toMatchObject({ passed: '1', failed: '1' });
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]!.body).toContain('<!-- backend-ci:key=.github/workflows/ci.yml:backend-ci:critical -->');
    expect(fake.checkRuns).toHaveLength(1);
    expect(fake.checkRuns[0]).toMatchObject({ name: 'backend-ci (critical)', conclusion: 'failure' });
    expect(step.summary).toContain('Shard 2/2');
    // The duration history is updated for the next plan (the workflow saves it to the cache).
    expect(JSON.parse(readFileSync(join(workspace, '.backend-ci/durations.json'), 'utf8')).files).toEqual({
      'test/integration/critical/users.test.ts': 500,
      'test/integration/critical/health.test.ts': 500,
    });
  });

  it('merge: a missing shard fails the job and is named in the report', async () => {
    shardFolder('backend-ci-shard-1-of-2-attempt-1', 1, 2, [['test/integration/critical/health.test.ts', 'health > is up', 'pass']]);
    const step = await runInProcess(setup('push', { mode: 'merge', shards: '2', 'merge-from': 'shards', comment: 'false', annotations: 'off' }));
    expect(step.exitCode).toBe(1);
    expect(step.result?.failure).toContain('shard:2/2 (failed)');
    expect(step.summary).toContain('missing (no artifact)');
    expect(existsSync(join(workspace, '.backend-ci/report/result.json'))).toBe(true);
  });

  it('rejects a shard job without its index, naming the input', async () => {
    const step = await runInProcess(setup('push', { mode: 'shard', shards: '3' }));
    expect(step.commands).toContain('::error::Input "shard" is required with mode: shard; set it to the matrix index, e.g. shard: ${{ matrix.shard }}.');
    const bad = await runInProcess(setup('push', { mode: 'shard', shards: '3', shard: '4' }));
    expect(bad.commands).toContain('::error::Input "shard" is "4"; expected a whole number from 1 to 3.');
  });
});
