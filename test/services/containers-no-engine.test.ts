/**
 * The containers provider when no container engine answers: one clear, actionable ServiceStartError (which
 * DOCKER_HOST, how to fix it, the embedded alternative), no stack trace, and nothing started. Runs in its own test
 * file (own process): testcontainers keeps the first engine it finds for the whole process.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContainersProvider } from '../../src/services/containers.js';
import { noEngineError } from '../../src/services/containers-engine.js';
import { ServiceStartError } from '../../src/services/types.js';

describe('containers provider without a container engine', () => {
  let dir: string;
  let closedSocket: string;
  const savedDockerHost = process.env.DOCKER_HOST;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'backend-ci-no-engine-'));
    // A socket that existed and was closed: connecting to its path fails as it does for a stopped engine.
    closedSocket = path.join(dir, 'engine.sock');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(closedSocket, resolve));
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  afterAll(() => {
    if (savedDockerHost === undefined) delete process.env.DOCKER_HOST;
    else process.env.DOCKER_HOST = savedDockerHost;
    rmSync(dir, { recursive: true, force: true });
  });

  it('fails with one actionable message naming DOCKER_HOST, prepare.sh and --provider embedded, without a stack trace', async () => {
    const lines: string[] = [];
    const provider = createContainersProvider({ dockerHost: `unix://${closedSocket}` });
    const error = await provider
      .start([{ kind: 'postgres' }, { kind: 'redis' }], {
        signal: new AbortController().signal,
        readyTimeoutMs: 10_000,
        log: (line) => lines.push(line),
        workDir: dir,
      })
      .then(
        () => new Error('start() succeeded without an engine'),
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ServiceStartError);
    const { message, hint } = error as ServiceStartError;
    expect(message).toContain(`No container engine is reachable for the containers provider: DOCKER_HOST is "unix://${closedSocket}"`);
    expect(message).toContain('Start Docker');
    expect(message).toContain('scripts/container-engine/prepare.sh');
    expect(message).toContain('--provider embedded');
    expect(message).not.toMatch(/\n\s+at /);
    expect(hint).toMatch(/prepare\.sh.*--provider embedded/);
    expect(lines).toEqual([]); // nothing was started, so nothing to report
  });

  it('says so when DOCKER_HOST is not set', () => {
    const { message } = noEngineError(undefined);
    expect(message).toContain('DOCKER_HOST is not set and no Docker socket answers at /var/run/docker.sock');
    expect(message).toContain('eval "$(scripts/container-engine/prepare.sh)"');
  });

  it('starts nothing and needs no engine for an empty services list', async () => {
    const started = await createContainersProvider({ dockerHost: `unix://${closedSocket}` }).start([], {
      signal: new AbortController().signal,
      readyTimeoutMs: 1000,
      log: () => undefined,
      workDir: dir,
    });
    expect(started.services).toEqual([]);
    expect(started.env).toEqual({});
    await expect(started.stop()).resolves.toBeUndefined();
  });
});
