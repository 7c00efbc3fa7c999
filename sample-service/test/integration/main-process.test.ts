// The service as a real process (src/main.ts under tsx): it refuses a bad environment with one line per variable and
// exit code 1, serves on PORT, and shuts down cleanly (exit code 0) on SIGTERM.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../support/services.js';
import { TEST_JWT_SECRET } from '../support/tokens.js';

const serviceDir = fileURLToPath(new URL('../..', import.meta.url));

function startMain(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: serviceDir,
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('src/main.ts', () => {
  it('exits 1 listing each missing or invalid variable on its own line, without a stack trace', async () => {
    const { child, output } = startMain({ DATABASE_URL: 'mysql://nope', JWT_SECRET: 'short' });
    const [code] = await once(child, 'exit');

    expect(code).toBe(1);
    const lines = output().trim().split('\n');
    expect(lines[0]).toBe('sample-service: invalid configuration, fix these environment variables:');
    expect(lines.slice(1).map((line) => line.trim().split(' ')[0])).toEqual([
      'DATABASE_URL',
      'REDIS_URL',
      'JWT_SECRET',
      'CRM_URL',
    ]);
    expect(output()).not.toMatch(/^\s+at /m);
  });

  it('serves on PORT and shuts down with exit code 0 on SIGTERM', async () => {
    const port = await freePort();
    const { child, output } = startMain({
      DATABASE_URL: inject('databaseUrl'),
      REDIS_URL: inject('redisUrl'),
      JWT_SECRET: TEST_JWT_SECRET,
      CRM_URL: 'http://crm.invalid',
      PORT: String(port),
    });
    try {
      await waitFor(() => output().includes('"listening"'), 'the service to listen');

      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect(health.status).toBe(200);

      child.kill('SIGTERM');
      const [code] = await once(child, 'exit');
      expect(code).toBe(0);
      expect(output()).toContain('"stopped"');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
