/**
 * The containers provider against a REAL container engine (Docker, or podman's API from
 * scripts/container-engine/prepare.sh): real Postgres and Redis containers, the sample service's migrations and
 * critical integration suite run against them, and nothing left behind. In CI (CI=true) these tests always run (the
 * engine is prepared when none answers); elsewhere they are skipped, with the reason, only when no engine answers.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import type { ContainerRuntimeClient } from 'testcontainers';
import { getContainerRuntimeClient } from 'testcontainers';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import { CONTAINER_LABELS, createContainersProvider } from '../../src/services/containers.js';
import { imageFor } from '../../src/services/containers-images.js';
import { redisCommands } from '../../src/services/redis-client.js';
import type { ProviderContext, StartedServices } from '../../src/services/types.js';
import { ServiceStartError } from '../../src/services/types.js';
import { childPids, findTestEngine, pidsWithCommandLine, REPO_ROOT } from './containers-fixtures/engine.js';

const run = promisify(execFile);
const lookup = await findTestEngine();
const engine = 'engine' in lookup ? lookup.engine : undefined;
if ('skipReason' in lookup) console.warn(`containers provider tests SKIPPED: ${lookup.skipReason}`);

const SAMPLE_SERVICE = path.join(REPO_ROOT, 'sample-service');

describe.skipIf(!engine)(`containers provider against a real engine (${engine?.source ?? 'none'})`, () => {
  let client: ContainerRuntimeClient;
  let workDir: string;
  /** Ids of every container the tests saw, to check no process of theirs outlives them. */
  const seenIds = new Set<string>();

  beforeAll(async () => {
    Object.assign(process.env, engine!.env);
    client = await getContainerRuntimeClient();
    workDir = mkdtempSync(path.join(tmpdir(), 'backend-ci-containers-'));
  });

  afterAll(async () => {
    if (workDir) rmSync(workDir, { recursive: true, force: true });
    await engine?.release();
  });

  function context(signal = new AbortController().signal): ProviderContext & { lines: string[] } {
    const lines: string[] = [];
    onTestFailed(() => console.error(`provider log of the failed test:\n  ${lines.join('\n  ')}`));
    return { signal, readyTimeoutMs: 60_000, log: (line) => lines.push(line), workDir, lines };
  }

  async function labelled(session?: string): Promise<{ id: string; service: string; ports: number[] }[]> {
    const label = session ? `${CONTAINER_LABELS.session}=${session}` : `${CONTAINER_LABELS.provider}=containers`;
    const list = await client.container.dockerode.listContainers({ all: true, filters: { label: [label] } });
    for (const c of list) seenIds.add(c.Id);
    return list.map((c) => ({
      id: c.Id,
      service: c.Labels[CONTAINER_LABELS.service] ?? '',
      ports: c.Ports.map((p) => p.PublicPort).filter((p): p is number => typeof p === 'number'),
    }));
  }

  it(
    'starts Postgres and Redis in parallel on engine-assigned ports, exports DATABASE_URL and REDIS_URL, and the ' +
      "sample service migrates and passes its critical suite against them; stop() removes both, twice safely",
    async () => {
      const ctx = context();
      const started: StartedServices = await createContainersProvider().start([{ kind: 'postgres' }, { kind: 'redis' }], ctx);
      let stopped = false;
      try {
        expect(Object.keys(started.env).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
        const [postgres, redis] = started.services;
        expect(postgres?.envVar).toBe('DATABASE_URL');
        expect(redis?.envVar).toBe('REDIS_URL');
        expect(postgres?.actualVersion).toMatch(/^\d+\.\d+/);
        expect(redis?.actualVersion).toMatch(/^\d+\.\d+\.\d+$/);
        console.log(`containers provider ready times: postgres ${postgres?.readyMs} ms, redis ${redis?.readyMs} ms`);

        // Generated passwords are in the URLs, listed as secrets, and never printed.
        const pgUrl = new URL(started.env.DATABASE_URL!);
        const redisUrl = new URL(started.env.REDIS_URL!);
        expect(pgUrl.password.length).toBeGreaterThanOrEqual(20);
        expect(started.secrets).toEqual(expect.arrayContaining([pgUrl.password, redisUrl.password]));
        for (const secret of started.secrets) expect(ctx.lines.join('\n')).not.toContain(secret);

        // Both containers carry our labels and are published where the URLs point.
        const session = await labelled();
        expect(session.map((c) => c.service).sort()).toEqual(['postgres', 'redis']);
        expect(session.find((c) => c.service === 'postgres')?.ports).toContain(Number(pgUrl.port));
        expect(session.find((c) => c.service === 'redis')?.ports).toContain(Number(redisUrl.port));

        // Real work against both services.
        const db = new pg.Client({ connectionString: started.env.DATABASE_URL });
        await db.connect();
        try {
          await db.query('create table probe (id serial primary key, note text not null)');
          await db.query("insert into probe (note) values ('from the containers provider')");
          const { rows } = await db.query<{ note: string }>('select note from probe');
          expect(rows).toEqual([{ note: 'from the containers provider' }]);
        } finally {
          await db.end();
        }
        const replies = await redisCommands(started.env.REDIS_URL!, [['PING'], ['SET', 'k', 'v'], ['GET', 'k']], { timeoutMs: 5000 });
        expect(replies).toEqual(['PONG', 'OK', 'v']);

        // The sample service's migrations and critical integration suite, as the pipeline runs them.
        const env = { ...process.env, ...started.env, CI: 'true' };
        const migrate = await run('npm', ['run', 'db:migrate'], { cwd: SAMPLE_SERVICE, env });
        expect(migrate.stdout).toContain('Migrations complete');
        const critical = await run('npm', ['run', 'test:integration', '--', 'test/integration/critical/'], {
          cwd: SAMPLE_SERVICE,
          env: { ...env, NO_COLOR: '1', FORCE_COLOR: '0' },
        });
        expect(critical.stdout).toMatch(/Test Files\s+1 passed/);

        await started.stop();
        stopped = true;
        expect(await labelled()).toEqual([]);
        await expect(started.stop()).resolves.toBeUndefined();
      } finally {
        if (!stopped) await started.stop();
      }
    },
    240_000,
  );

  it('when one service cannot start, removes the other container and names the failing one with its output', async () => {
    // A Postgres image asked to run redis-server: the container exits at once ("redis-server: not found").
    const wrongImage = imageFor({ kind: 'postgres' }, { env: process.env });
    const ctx = context();
    const error = await createContainersProvider()
      .start([{ kind: 'postgres' }, { kind: 'redis', image: wrongImage }], ctx)
      .then(
        (started) => started.stop().then(() => new Error('start() succeeded although redis could not start')),
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ServiceStartError);
    const message = (error as ServiceStartError).message;
    expect(message).toContain(`redis=${wrongImage}`);
    expect(message).toMatch(/did not start or did not print its ready line/);
    expect(message).toMatch(/redis-server.*not found/);
    expect(message).not.toMatch(/\n\s+at /);
    expect((error as ServiceStartError).service?.kind).toBe('redis');
    expect(await labelled()).toEqual([]);
  }, 120_000);

  it('names an image that is neither present nor pullable, and how to provide one', async () => {
    const error = await createContainersProvider()
      .start([{ kind: 'redis', image: 'backend-ci/never-built:0' }], context())
      .then(
        (started) => started.stop().then(() => new Error('start() succeeded with an image that does not exist')),
        (err: unknown) => err,
      );
    expect(error).toBeInstanceOf(ServiceStartError);
    const message = (error as Error).message;
    expect(message).toContain('redis=backend-ci/never-built:0 (image backend-ci/never-built:0): the image is not present locally and pulling it failed');
    expect(message).toContain('BACKEND_CI_REDIS_IMAGE');
    expect(message).toContain('scripts/container-engine/prepare.sh');
    expect(await labelled()).toEqual([]);
  }, 120_000);

  it('cancelling while the containers start removes every container created so far', async () => {
    const controller = new AbortController();
    const ctx = context(controller.signal);
    const starting = createContainersProvider().start([{ kind: 'postgres' }, { kind: 'redis' }], ctx);
    let outcome: 'pending' | 'settled' = 'pending';
    const settled = starting.then(
      async (started) => {
        outcome = 'settled';
        await started.stop();
        return new Error('start() finished before the cancellation');
      },
      (err: unknown) => {
        outcome = 'settled';
        return err;
      },
    );
    // Cancel as soon as the engine has created the first container.
    while (outcome === 'pending' && (await labelled()).length === 0) await new Promise((r) => setTimeout(r, 20));
    controller.abort();
    const error = await settled;
    expect(error).toBeInstanceOf(ServiceStartError);
    expect((error as Error).message).toMatch(/^Cancelled while starting service containers/);
    expect(await labelled()).toEqual([]);
  }, 120_000);

  it('leaves no labelled containers and no helper processes behind', async () => {
    expect(await labelled()).toEqual([]);
    expect(seenIds.size).toBeGreaterThan(0);
    for (const id of seenIds) expect(pidsWithCommandLine(id)).toEqual([]);
    expect(childPids(process.pid)).toEqual([]);
  });
});
