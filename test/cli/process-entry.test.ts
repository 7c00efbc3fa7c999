/** The real CLI process: Ctrl-C (SIGINT) cancels the run cleanly, kills the stages' processes and exits 130. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { waitUntilGone } from '../support/processes.js';

const root = resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'bci-sigint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('backend-ci process', () => {
  it('on SIGINT stops every stage process, writes the report and exits 130', async () => {
    const pidFile = join(dir, 'lint.pid');
    writeFileSync(
      join(dir, 'package.json'),
      JSON.stringify({ scripts: { lint: `sh -c 'echo $$ > ${pidFile}; exec sleep 300'`, typecheck: 'sleep 300' } }),
    );
    writeFileSync(join(dir, 'backend-ci.config.json'), '{"services": ""}');
    const child = spawn(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(root, 'src/cli/main.ts'), 'run', '--skip', 'install'], {
      cwd: dir,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    for (let i = 0; i < 200 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 50));
    const stagePid = Number(readFileSync(pidFile, 'utf8'));
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(out).toContain('SIGINT received, stopping stages and services');
    expect(await waitUntilGone(stagePid)).toBe(true);
    const result = JSON.parse(readFileSync(join(dir, '.backend-ci/report/result.json'), 'utf8'));
    expect(result.stages.find((s: { id: string }) => s.id === 'lint').status).toBe('cancelled');
  }, 30_000);
});
