import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runProcess, startProcess } from '../../src/process/run-process.js';
import { waitUntilGone } from '../support/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'bci-proc-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));


describe('runProcess (real processes)', () => {
  it('captures exit code, output lines and a log file', async () => {
    const lines: string[] = [];
    const logPath = join(dir, 'logs', 'ok.log');
    const r = await runProcess({
      command: 'sh',
      args: ['-c', 'echo out1; echo err1 >&2; printf tail; exit 3'],
      cwd: dir,
      env: process.env,
      logPath,
      onLine: (l, s) => lines.push(`${s}:${l}`),
    });
    expect(r.exitCode).toBe(3);
    expect(r.timedOut).toBe(false);
    expect(lines).toEqual(expect.arrayContaining(['stdout:out1', 'stderr:err1', 'stdout:tail']));
    expect(readFileSync(logPath, 'utf8')).toContain('out1');
    expect(r.outputTail).toContain('tail');
  });

  it('kills the whole process group on timeout, grandchildren included', async () => {
    const pidFile = join(dir, 'grandchild.pid');
    const r = await runProcess({
      command: 'sh',
      args: ['-c', `sleep 300 & echo $! > ${pidFile}; wait`],
      cwd: dir,
      env: process.env,
      timeoutMs: 300,
      killGraceMs: 200,
    });
    expect(r.timedOut).toBe(true);
    const grandchild = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntilGone(grandchild)).toBe(true);
  });

  it('escalates to SIGKILL when the group ignores SIGTERM', async () => {
    const r = await runProcess({
      command: 'sh',
      args: ['-c', "trap '' TERM; while :; do sleep 0.05; done"],
      cwd: dir,
      env: process.env,
      timeoutMs: 200,
      killGraceMs: 300,
    });
    expect(r.timedOut).toBe(true);
    expect(r.signal).toBe('SIGKILL');
  });

  it('stops on abort and reports it as cancelled', async () => {
    const ctl = new AbortController();
    const p = runProcess({ command: 'sleep', args: ['30'], cwd: dir, env: process.env, signal: ctl.signal });
    setTimeout(() => ctl.abort(), 100);
    const r = await p;
    expect(r.cancelled).toBe(true);
    expect(r.signal).toBe('SIGTERM');
  });

  it('leaves nothing behind after the command exits, even background children it forgot', async () => {
    const pidFile = join(dir, 'orphan.pid');
    const r = await runProcess({
      command: 'sh',
      args: ['-c', `(sleep 300 >/dev/null 2>&1 &  echo $! > ${pidFile}); exit 0`],
      cwd: dir,
      env: process.env,
    });
    expect(r.exitCode).toBe(0);
    const orphan = Number(readFileSync(pidFile, 'utf8'));
    expect(await waitUntilGone(orphan)).toBe(true);
  });

  it('reports a missing command clearly instead of throwing', async () => {
    const r = await runProcess({ command: 'definitely-not-a-command-bci', args: [], cwd: dir, env: process.env });
    expect(r.spawnError).toBe('command not found: definitely-not-a-command-bci');
    expect(r.exitCode).not.toBe(0);
  });

  it('stop() ends a long-running service and resolves with its result', async () => {
    const proc = startProcess({ command: 'sleep', args: ['30'], cwd: dir, env: process.env });
    const r = await proc.stop();
    expect(r.cancelled).toBe(true);
    expect(await waitUntilGone(proc.pid!)).toBe(true);
  });
});
