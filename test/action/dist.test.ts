import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAll } from '../../scripts/build.js';
import { startFakeGitHub, type FakeGitHub } from '../github/helpers/fake-github.js';
import { runChild } from './helpers/harness.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let fresh: string;

beforeAll(async () => {
  fresh = mkdtempSync(join(tmpdir(), 'backend-ci-dist-'));
  await buildAll(fresh);
}, 120_000);
afterAll(() => rmSync(fresh, { recursive: true, force: true }));

describe('dist/', () => {
  it('matches a fresh build of the sources', () => {
    const committed = join(root, 'dist');
    const names = readdirSync(fresh).sort();
    const stale = names.filter((name) => {
      const path = join(committed, name);
      return !existsSync(path) || !readFileSync(path).equals(readFileSync(join(fresh, name)));
    });
    const extra = existsSync(committed) ? readdirSync(committed).filter((n) => !names.includes(n)) : [];
    const problems = [...stale.map((n) => `dist/${n} is missing or stale`), ...extra.map((n) => `dist/${n} is not produced by the build`)];
    expect(problems, `${problems.join('; ')}: run npm run build and commit dist/`).toEqual([]);
  });

  it('starts the CLI with a node shebang, and the CLI runs from the package (its dependencies stay external)', () => {
    expect(readFileSync(join(fresh, 'cli.js'), 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    // Next to the package's node_modules, as after `npm install backend-ci`.
    const help = spawnSync(process.execPath, [join(root, 'dist', 'cli.js'), 'run', '--help'], { encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.stdout).toMatch(/^Usage: backend-ci run/);
  });
});

describe('node dist/index.js, as the composite action runs it', () => {
  let fake: FakeGitHub;
  let workspace: string;
  beforeAll(async () => {
    fake = await startFakeGitHub();
    workspace = mkdtempSync(join(tmpdir(), 'backend-ci-ws-'));
    mkdirSync(join(workspace, 'app'));
    writeFileSync(
      join(workspace, 'app', 'package.json'),
      JSON.stringify({ name: 'app', version: '1.0.0', private: true, scripts: { lint: 'node -e "console.error(\'src/a.ts: no-unused-vars\'); process.exit(1)"' } }),
    );
  });
  afterAll(async () => {
    await fake.close();
    rmSync(workspace, { recursive: true, force: true });
  });

  it('runs the engine, comments on the pull request, sets outputs and fails the step for the failed stage', async () => {
    const step = await runChild(
      { workspace, event: 'pull_request', apiUrl: fake.url, inputs: { 'working-directory': 'app', stages: 'lint', 'github-token': 'rw-token' } },
      fresh,
    );
    expect(step.exitCode, step.stdout).toBe(1);
    expect(step.commands).toContain('::error::backend-ci failed: lint (failed).');
    expect(step.outputs).toMatchObject({ passed: '0', failed: '0', 'exit-code': '1', 'report-path': join(workspace, 'app', '.backend-ci', 'report') });
    expect(step.summary).toMatch(/Lint/);
    expect(fake.comments).toHaveLength(1);
    expect(fake.comments[0]!.body).toMatch(/^<!-- backend-ci:report -->\n<!-- backend-ci:key=\.github\/workflows\/ci\.yml:test:critical -->\n/);
    expect(fake.rejected).toEqual([]);
  });
});
