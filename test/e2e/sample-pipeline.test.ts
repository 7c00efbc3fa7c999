/**
 * The main job end to end: `backend-ci run` on a copy of sample-service, with embedded Postgres and Redis, real
 * vitest runs, real migrations and the local load engine against the started service. Then the same with a test
 * broken on purpose: the run fails and the report names that test at file:line.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRunCommand } from '../../src/cli/run.js';
import type { CliIO } from '../../src/types.js';
import { copySampleService } from '../support/sample-copy.js';

let dir = '';

beforeAll(() => {
  dir = copySampleService(mkdtempSync(join(tmpdir(), 'bci-sample-')));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; out: string; secrets: string[] }> {
  let out = '';
  const secrets: string[] = [];
  const io: CliIO = {
    onSecret: (s) => secrets.push(s),
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdout: { write: (c: string) => (out += c) },
    stderr: { write: (c: string) => (out += c) },
  };
  // install is skipped: node_modules is a link to the real sample-service's, which npm ci must not touch.
  const code = await createRunCommand()(['--skip', 'install', ...argv], io);
  return { code, out, secrets };
}

function result(): {
  exitCode: number;
  tests: { passed: number; failed: number; total: number };
  stages: { id: string; status: string; reason?: string }[];
  gate: { passed: boolean; engine: string } | null;
  coverage: { lines: number | null };
} {
  return JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
}

describe('backend-ci run on sample-service (embedded Postgres + Redis)', () => {
  it('runs every stage, both integration suites and the load gate, and exits 0', async () => {
    const { code, out, secrets } = await run([]);
    const r = result();
    // The generated service passwords are announced for masking and appear in no output, log or report file.
    expect(secrets.length).toBeGreaterThanOrEqual(2);
    const written = [out, readFileSync(join(dir, '.backend-ci/report/logs/migrate.log'), 'utf8'), readFileSync(join(dir, '.backend-ci/report/summary.md'), 'utf8')];
    for (const secret of secrets) for (const text of written) expect(text).not.toContain(secret);
    expect(code, out).toBe(0);
    expect(Object.fromEntries(r.stages.map((s) => [s.id, s.status]))).toEqual({
      install: 'skipped',
      lint: 'passed',
      typecheck: 'passed',
      unit: 'passed',
      services: 'passed',
      migrate: 'passed',
      'integration:critical': 'passed',
      'integration:non-critical': 'passed',
      load: 'passed',
    });
    expect(r.tests.failed).toBe(0);
    expect(r.tests.passed).toBeGreaterThan(50);
    expect(r.gate).toMatchObject({ passed: true, engine: 'local' });
    expect(r.coverage.lines).toBeGreaterThan(50);
    expect(out).toContain('backend-ci: PASSED');
    const summary = readFileSync(join(dir, '.backend-ci/report/summary.md'), 'utf8');
    expect(summary).toContain('Integration (critical)');
    expect(summary).toContain('p(95)');
  }, 300_000);

  it('fails when a critical test breaks and names it at file:line; the critical suite runs only critical tests', async () => {
    const file = join(dir, 'test/integration/critical/users-crud.test.ts');
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const at = lines.findIndex((l) => /^\s+it\(/.test(l));
    expect(at).toBeGreaterThan(-1);
    // Plant a failing assertion as the first statement of the first test.
    lines.splice(at + 1, 0, "    expect('planted').toBe('broken');");
    writeFileSync(file, lines.join('\n'));
    const { code, out } = await run(['--suite', 'critical', '--stages', 'migrate,integration']);
    expect(code).toBe(1);
    expect(out).toContain(`test/integration/critical/users-crud.test.ts:${at + 2}`);
    const r = result();
    expect(r.stages.map((s) => s.id)).not.toContain('integration:non-critical');
    expect(r.stages.find((s) => s.id === 'integration:critical')?.status).toBe('failed');
    expect(r.tests.failed).toBe(1);
    const annotations = JSON.parse(readFileSync(join(dir, '.backend-ci/report/annotations.json'), 'utf8'));
    expect(annotations).toEqual([expect.objectContaining({ path: 'test/integration/critical/users-crud.test.ts', startLine: at + 2 })]);
  }, 300_000);
});
