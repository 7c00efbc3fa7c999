/**
 * The engine end to end on small throw-away projects: real processes (npm scripts, vitest), real files, the real
 * report writer. No services here (see test/e2e for the sample service with embedded Postgres and Redis).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createRunCommand } from '../../src/cli/run.js';
import type { CliIO } from '../../src/types.js';
import { waitUntilGone } from '../support/processes.js';

const rootModules = resolve(import.meta.dirname, '../../node_modules');
const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>, scripts: Record<string, string>, config?: object): string {
  const dir = mkdtempSync(join(tmpdir(), 'bci-proj-'));
  made.push(dir);
  symlinkSync(rootModules, join(dir, 'node_modules'), 'dir');
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: 'p', type: 'module', private: true, scripts, devDependencies: { vitest: '*', '@vitest/coverage-v8': '*' } }, null, 2),
  );
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  if (config) writeFileSync(join(dir, 'backend-ci.config.json'), JSON.stringify(config));
  return dir;
}

async function run(dir: string, argv: string[] = [], signal?: AbortSignal): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIO = {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1', CI: 'true' },
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (err += c) },
  };
  const code = await createRunCommand(signal ? { signal } : {})(argv, io);
  return { code, out, err };
}

const mathTest = `import { describe, expect, it } from 'vitest';
import { add } from '../src/math.js';

describe('add', () => {
  it('adds', () => {
    expect(add(1, 2)).toBe(3);
  });
  it('adds negatives', () => {
    expect(add(-1, -2)).toBe(-4);
  });
});
`;
const mathSrc = 'export function add(a, b) {\n  return a + b;\n}\n';

describe('backend-ci run on a project (real processes)', () => {
  it('runs independent stages, keeps every result when some fail, and names the failing test at file:line', async () => {
    const dir = project(
      { 'src/math.js': mathSrc, 'test/math.test.js': mathTest },
      {
        lint: `node -e "console.log('lint clean')"`,
        typecheck: `node -e "console.error('src/math.ts(3,1): error TS2322: Type string is not assignable'); process.exit(2)"`,
        'test:unit': 'vitest run',
      },
      { services: '' },
    );
    const { code, out } = await run(dir, ['--skip', 'install']);
    expect(code).toBe(1);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    const status = Object.fromEntries(result.stages.map((s: { id: string; status: string }) => [s.id, s.status]));
    expect(status).toMatchObject({ install: 'skipped', lint: 'passed', typecheck: 'failed', unit: 'failed', migrate: 'skipped' });
    expect(result.stages.find((s: { id: string }) => s.id === 'typecheck').reason).toContain('error TS2322');
    expect(result.tests).toMatchObject({ passed: 1, failed: 1, total: 2 });
    expect(out).toContain('test/math.test.js:9');
    expect(out).toContain('adds negatives');
    for (const f of ['summary.md', 'comment.md', 'annotations.json', 'junit.xml', 'report.html', 'logs/typecheck.log']) {
      expect(existsSync(join(dir, '.backend-ci/report', f)), f).toBe(true);
    }
    const annotations = JSON.parse(readFileSync(join(dir, '.backend-ci/report/annotations.json'), 'utf8'));
    expect(annotations).toEqual([expect.objectContaining({ path: 'test/math.test.js', startLine: 9, level: 'failure' })]);
  });

  it('fails a test stage whose command exits 0 although its JUnit report has failed tests', async () => {
    const dir = project({ 'src/math.js': mathSrc, 'test/math.test.js': mathTest }, { 'test:unit': `sh -c 'vitest run "$@"; exit 0' sh` }, { services: '' });
    const { code } = await run(dir, ['--skip', 'install']);
    expect(code).toBe(1);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    expect(result.stages.find((s: { id: string }) => s.id === 'unit')).toMatchObject({
      status: 'failed',
      reason: '"npm run test:unit" exited with code 0 but its JUnit report has 1 failed test(s)',
    });
  });

  it('exits 0 when every required stage passes, with coverage collected from vitest', async () => {
    const passing = mathTest.replace('toBe(-4)', 'toBe(-3)');
    const dir = project({ 'src/math.js': mathSrc, 'test/math.test.js': passing }, { 'test:unit': 'vitest run' }, { services: '' });
    const { code, out } = await run(dir, ['--skip', 'install']);
    expect(code, out).toBe(0);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    expect(result.tests).toMatchObject({ passed: 2, failed: 0 });
    expect(result.coverage.lines).toBe(100);
    expect(out).toContain('backend-ci: PASSED');
  });

  it('stops a hanging stage at its timeout, kills its processes, and keeps the other results', async () => {
    const pidFile = join(tmpdir(), `bci-hang-${process.pid}.pid`);
    const dir = project(
      {},
      { lint: `sh -c 'echo $$ > ${pidFile}; exec sleep 300'`, typecheck: `node -e "console.log('ok')"` },
      { services: '', stages: { lint: { timeoutSec: 1 } } },
    );
    const started = Date.now();
    const { code } = await run(dir, ['--skip', 'install']);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(code).toBe(1);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    const lint = result.stages.find((s: { id: string }) => s.id === 'lint');
    expect(lint).toMatchObject({ status: 'timed-out', reason: 'timed out after 1 s; its processes were stopped' });
    expect(result.stages.find((s: { id: string }) => s.id === 'typecheck').status).toBe('passed');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    rmSync(pidFile);
    expect(await waitUntilGone(pid)).toBe(true);
  });

  it('reports a configured script that does not exist as a failed stage naming the setting', async () => {
    const dir = project({}, { typecheck: `node -e "0"` }, { services: '', stages: { lint: { script: 'lint:ci' } } });
    const { code, out } = await run(dir, ['--skip', 'install']);
    expect(code).toBe(1);
    expect(out).toContain('package.json has no script "lint:ci" (named by stages.lint.script in backend-ci.config.json)');
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    expect(result.stages.find((s: { id: string }) => s.id === 'typecheck').status).toBe('passed');
  });

  it('cancels running stages on Ctrl-C (abort) and still writes the report', async () => {
    const dir = project({}, { lint: 'sleep 300', typecheck: 'sleep 300' }, { services: '' });
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 1500);
    const { code } = await run(dir, ['--skip', 'install'], ctl.signal);
    expect(code).toBe(1);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    expect(result.stages.filter((s: { status: string }) => s.status === 'cancelled').map((s: { id: string }) => s.id)).toEqual(['lint', 'typecheck']);
  });

  it('reports a database that never becomes ready as a failed services stage, skips what needs it, keeps the rest', async () => {
    const dir = project(
      {},
      { lint: `node -e "0"`, 'db:migrate': `node -e "0"`, 'test:integration': 'vitest run' },
      { services: 'postgres', provider: 'external', servicesReadyTimeoutSec: 1 },
    );
    // Port 9 (discard) is closed on loopback: nothing will ever answer there.
    let out = '';
    const io: CliIO = {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1', DATABASE_URL: 'postgres://app:s3cret-pw@127.0.0.1:9/app' },
      stdout: { write: (c: string) => (out += c) },
      stderr: { write: (c: string) => (out += c) },
    };
    const code = await createRunCommand()(['--skip', 'install'], io);
    expect(code).toBe(1);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    const byId = Object.fromEntries(result.stages.map((s: { id: string }) => [s.id, s]));
    expect(byId.services.status).toBe('failed');
    expect(byId.services.reason).toContain('127.0.0.1:9');
    expect(byId.services.reason).not.toContain('s3cret-pw');
    expect(byId.migrate).toMatchObject({ status: 'skipped', reason: 'skipped: needs "services", which failed' });
    expect(byId['integration:critical'].status).toBe('skipped');
    expect(byId.lint.status).toBe('passed');
    expect(out).not.toContain('s3cret-pw');
  });

  it('rejects a bad config with exit code 2 and the file:line of the problem, running nothing', async () => {
    const dir = project({}, { lint: 'exit 0' });
    writeFileSync(join(dir, 'backend-ci.config.json'), '{\n  "suite": "smoke"\n}\n');
    const { code, err } = await run(dir);
    expect(code).toBe(2);
    expect(err).toContain('backend-ci.config.json:2:3: suite: "smoke" is not allowed; allowed values: critical, non-critical, all');
    expect(existsSync(join(dir, '.backend-ci'))).toBe(false);
  });

  it('says where to run it when there is no package.json', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bci-empty-'));
    made.push(dir);
    const { code, err } = await run(dir);
    expect(code).toBe(2);
    expect(err).toContain(`${join(dir, 'package.json')}: not found; run backend-ci in your project's folder or pass --cwd DIR`);
  });
});
