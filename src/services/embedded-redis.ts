/**
 * One embedded Redis: the `redis-server` binary from PATH (no npm package ships a runnable Redis), in its own process
 * group (src/process/run-process.ts), on a free 127.0.0.1 port, without persistence, with a generated password, ready
 * when a real PING answers PONG. The config (with the password) is a 0600 file, not command-line arguments, so the
 * password does not show in `ps`. Like Postgres, it outlives a SIGKILLed Node (detached group): stop() ends it, or else
 * the next start in the same work dir (leftovers.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, constants, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { startProcess } from '../process/run-process.js';
import { ADDRESS_IN_USE_RE, findFreePort } from './free-port.js';
import { CancelledError } from './deadline.js';
import { waitForRedis } from './readiness.js';
import { writeServiceRecord } from './leftovers.js';
import { formatServiceSpec } from './spec.js';
import type { RunningService, ServiceSpec } from './types.js';
import { ServiceStartError } from './types.js';

/** Full path of `command` on PATH (or the path itself if it contains a slash); undefined if not found/executable. */
export async function findOnPath(command: string, pathEnv = process.env.PATH ?? ''): Promise<string | undefined> {
  const candidates = command.includes('/') ? [command] : pathEnv.split(delimiter).filter(Boolean).map((d) => join(d, command));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // try the next one
    }
  }
  return undefined;
}

export function redisNotFoundError(command: string, spec?: ServiceSpec): ServiceStartError {
  return new ServiceStartError(
    `${command} not found on PATH: install it (apt-get install -y redis-server / brew install redis) or use ` +
      '--services-provider external with REDIS_URL',
    spec,
    'install redis-server',
  );
}

/** `redis-server --version` -> `7.0.15`. */
export function redisServerVersion(binary: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(binary, ['--version'], { timeout: 10_000 }, (err, stdout) => {
      if (err) return reject(err);
      const m = /v=(\S+)/.exec(stdout);
      if (!m?.[1]) return reject(new Error(`unexpected output of ${binary} --version: ${stdout.trim()}`));
      resolve(m[1]);
    });
  });
}

export interface RedisStartArgs {
  spec: ServiceSpec;
  envVar: string;
  /** Full path of redis-server (see findOnPath). */
  binary: string;
  /** Folder this service owns (created by the caller): config and log go inside. */
  dir: string;
  port?: number;
  password: boolean;
  deadline: number;
  signal: AbortSignal;
  log: (line: string) => void;
  onCleanup: (cleanup: () => Promise<void>) => void;
}

export async function startEmbeddedRedis(args: RedisStartArgs): Promise<RunningService> {
  const { spec, signal, deadline } = args;
  const label = formatServiceSpec(spec);
  const started = Date.now();
  const password = args.password ? randomBytes(18).toString('base64url') : undefined;
  const confPath = join(args.dir, 'redis.conf');
  const logPath = join(args.dir, 'redis.log');

  for (let attempt = 1; ; attempt++) {
    if (signal.aborted) throw new CancelledError('redis start');
    const port = args.port ?? (await findFreePort());
    const conf = [
      `port ${port}`,
      'bind 127.0.0.1',
      'save ""',
      'appendonly no',
      'daemonize no',
      `dir "${args.dir}"`,
      ...(password ? [`requirepass "${password}"`] : []),
    ];
    await writeFile(confPath, `${conf.join('\n')}\n`, { mode: 0o600 });

    const proc = startProcess({
      command: args.binary,
      args: [confPath],
      cwd: args.dir,
      env: process.env,
      signal,
      logPath,
      killGraceMs: 2000,
      tailChars: 4000,
    });
    args.onCleanup(async () => {
      await proc.stop();
    });
    if (proc.pid) await writeServiceRecord(args.dir, { kind: 'redis', pid: proc.pid, port });

    const url = `redis://${password ? `:${encodeURIComponent(password)}@` : ''}127.0.0.1:${port}`;
    const waitCtl = new AbortController();
    const onAbort = (): void => waitCtl.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const exited = proc.done.then((r) => ({ exited: true as const, r }));
    try {
      const outcome = await Promise.race([
        waitForRedis(url, Math.max(1, deadline - Date.now()), waitCtl.signal, { initialDelayMs: 10, maxDelayMs: 200 }).then((ready) => ({ exited: false as const, ready })),
        exited,
      ]);
      if (!outcome.exited) {
        const readyMs = Date.now() - started;
        args.log(`${label}: Redis ${outcome.ready.version} ready on 127.0.0.1:${port} in ${readyMs} ms (${args.envVar})`);
        return { spec, url, envVar: args.envVar, actualVersion: outcome.ready.version, readyMs };
      }
      const { r } = outcome;
      if (signal.aborted || r.cancelled) throw new CancelledError('redis start');
      const tail = r.outputTail.trim().split('\n').slice(-6).join('\n');
      if (r.spawnError) throw new ServiceStartError(`${label}: could not run ${args.binary}: ${r.spawnError}`, spec);
      if (ADDRESS_IN_USE_RE.test(r.outputTail)) {
        if (args.port === undefined && attempt < 3) {
          args.log(`${label}: port ${port} was taken meanwhile; retrying on another port`);
          continue;
        }
        throw new ServiceStartError(
          `${label}: redis-server could not listen on 127.0.0.1:${port}: the port is already in use. ` +
            `Free port ${port} or let backend-ci pick a free port.`,
          spec,
          `free port ${port}`,
        );
      }
      throw new ServiceStartError(
        `${label}: redis-server exited while starting (exit code ${r.exitCode ?? r.signal}).` +
          (tail ? `\nLast redis-server output:\n${tail}` : ''),
        spec,
      );
    } catch (err) {
      if (err instanceof ServiceStartError && signal.aborted) throw new CancelledError('redis start');
      throw err;
    } finally {
      signal.removeEventListener('abort', onAbort);
      waitCtl.abort();
    }
  }
}
