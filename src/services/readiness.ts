/**
 * Readiness checks shared by every provider: a REAL query against Postgres (`select version()`) and a REAL PING
 * against Redis, retried with exponential backoff until a deadline (a service container may still be starting), with
 * one clear message (URL masked) on timeout, rejected credentials, or cancellation.
 */
import pg from 'pg';
import { maskUrl } from './mask-url.js';
import { redisCommands, RedisReplyError } from './redis-client.js';
import { ServiceStartError } from './types.js';

/** A probe failure that waiting will not fix (wrong password, missing database, malformed URL). */
export class PermanentProbeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PermanentProbeError';
  }
}

/** Thrown by retryUntilReady when the deadline passes; `lastError` is the last probe failure. */
export class ReadinessTimeoutError extends Error {
  constructor(
    readonly attempts: number,
    readonly elapsedMs: number,
    readonly lastError: unknown,
  ) {
    super(`not ready after ${attempts} attempt(s) in ${elapsedMs} ms: ${describeError(lastError)}`);
    this.name = 'ReadinessTimeoutError';
  }
}

/** Thrown by retryUntilReady when the caller's signal fires. */
export class ReadinessAbortedError extends Error {
  constructor() {
    super('cancelled while waiting for readiness');
    this.name = 'ReadinessAbortedError';
  }
}

export interface ProbeContext {
  /** 1-based attempt number. */
  attempt: number;
  /** Time left before the deadline; a probe should not take longer (it is also aborted at the deadline). */
  remainingMs: number;
  /** Fires at the deadline or on cancellation: close sockets and return. */
  signal: AbortSignal;
}

export interface RetryOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** First pause between attempts (default 100 ms), doubled each time up to maxDelayMs (default 1000 ms). */
  initialDelayMs?: number;
  maxDelayMs?: number;
}

export interface ReadyResult<T> {
  value: T;
  attempts: number;
  elapsedMs: number;
}

export function describeError(err: unknown): string {
  if (err instanceof AggregateError && err.errors.length > 0) {
    return [...new Set(err.errors.map((e) => describeError(e)))].join('; ');
  }
  if (err instanceof Error) return err.message || err.name;
  return String(err);
}

/**
 * Calls `probe` until it resolves, pausing 100, 200, 400, ... (capped) ms between failures. Stops early on a
 * PermanentProbeError (rethrown), on the signal (ReadinessAbortedError), or at the deadline (ReadinessTimeoutError).
 * Each attempt is bounded by the time left: it is abandoned (and its signal aborted) when the deadline passes.
 */
export async function retryUntilReady<T>(
  probe: (ctx: ProbeContext) => Promise<T>,
  opts: RetryOptions,
): Promise<ReadyResult<T>> {
  const started = Date.now();
  const deadline = started + opts.timeoutMs;
  let delay = opts.initialDelayMs ?? 100;
  const maxDelay = opts.maxDelayMs ?? 1000;
  let lastError: unknown = new Error('no attempt was made');
  let attempt = 0;
  const outer = opts.signal;

  while (true) {
    if (outer?.aborted) throw new ReadinessAbortedError();
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0 && attempt > 0) throw new ReadinessTimeoutError(attempt, Date.now() - started, lastError);
    attempt++;

    const attemptCtl = new AbortController();
    let timer: NodeJS.Timeout | undefined;
    let onOuterAbort: (() => void) | undefined;
    const stop = new Promise<'deadline' | 'aborted'>((resolve) => {
      timer = setTimeout(() => resolve('deadline'), Math.max(0, remainingMs));
      onOuterAbort = () => resolve('aborted');
      outer?.addEventListener('abort', onOuterAbort, { once: true });
    });
    try {
      const outcome = await Promise.race([
        probe({ attempt, remainingMs: Math.max(0, remainingMs), signal: attemptCtl.signal }).then(
          (value) => ({ ok: true as const, value }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
        stop,
      ]);
      if (outcome === 'aborted') throw new ReadinessAbortedError();
      if (outcome === 'deadline') {
        const last = attempt > 1 ? lastError : new Error('no answer before the deadline');
        throw new ReadinessTimeoutError(attempt, Date.now() - started, last);
      }
      if (outcome.ok) return { value: outcome.value, attempts: attempt, elapsedMs: Date.now() - started };
      if (outcome.error instanceof PermanentProbeError) throw outcome.error;
      lastError = outcome.error;
    } finally {
      clearTimeout(timer);
      if (onOuterAbort) outer?.removeEventListener('abort', onOuterAbort);
      attemptCtl.abort();
    }

    const pause = Math.min(delay, deadline - Date.now());
    delay = Math.min(delay * 2, maxDelay);
    if (pause <= 0) throw new ReadinessTimeoutError(attempt, Date.now() - started, lastError);
    await sleep(pause, outer);
  }
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new ReadinessAbortedError());
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new ReadinessAbortedError());
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** What a failed connection most likely means, for the user. */
function explainNetworkError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const base = describeError(err);
  switch (code) {
    case 'ECONNREFUSED':
      return `${base} (nothing is listening there: is the service running, and are host and port right?)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `${base} (the host name does not resolve: check the host in the URL)`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `${base} (the host is unreachable: check the host and any firewall)`;
    default:
      return base;
  }
}

function checkUrl(url: string, protocols: string[], what: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ServiceStartError(`${what} URL ${maskUrl(url)} is not a valid URL (expected ${protocols[0]}//user:password@host:port/...).`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ServiceStartError(
      `${what} URL ${maskUrl(url)} has protocol ${parsed.protocol}; expected ${protocols.join(' or ')} (e.g. ${protocols[0]}//user:password@host:port/...).`,
    );
  }
}

function toStartError(err: unknown, what: string, url: string, timeoutMs: number): ServiceStartError {
  const masked = maskUrl(url);
  if (err instanceof ServiceStartError) return err;
  if (err instanceof ReadinessAbortedError) return new ServiceStartError(`Cancelled while waiting for ${what} at ${masked}.`);
  if (err instanceof PermanentProbeError) return new ServiceStartError(`${what} at ${masked} ${err.message}`);
  if (err instanceof ReadinessTimeoutError) {
    return new ServiceStartError(
      `${what} at ${masked} was not ready within ${Math.round(timeoutMs / 100) / 10} s ` +
        `(${err.attempts} attempt(s)). Last error: ${explainNetworkError(err.lastError)}. ` +
        'Check that the service is running and reachable, or raise the readiness timeout if it is just slow to start.',
    );
  }
  return new ServiceStartError(`${what} at ${masked} failed its readiness check: ${describeError(err)}`);
}

// Postgres SQLSTATEs that retrying cannot fix: bad password / role, missing database, insufficient privilege.
const PG_PERMANENT: Record<string, string> = {
  '28P01': 'rejected the credentials',
  '28000': 'rejected the connection (authorization)',
  '3D000': 'has no such database',
  '42501': 'denied the connection (insufficient privilege)',
};

export interface PostgresReadiness {
  /** `server_version`, e.g. `18.4` or `16.4 (Debian 16.4-1.pgdg120+1)`. */
  version: string;
  /** Full `select version()` text. */
  versionText: string;
  attempts: number;
  elapsedMs: number;
}

/** One real query against Postgres; classifies failures as permanent or retryable. */
export async function probePostgres(url: string, ctx: ProbeContext): Promise<{ version: string; versionText: string }> {
  const client = new pg.Client({
    connectionString: url,
    connectionTimeoutMillis: Math.max(1, Math.min(ctx.remainingMs, 5000)),
    query_timeout: Math.max(1, Math.min(ctx.remainingMs, 5000)),
  });
  client.on('error', () => undefined); // errors after connect surface through the awaited calls
  const onAbort = (): void => void client.end().catch(() => undefined);
  ctx.signal.addEventListener('abort', onAbort, { once: true });
  try {
    await client.connect();
    const res = await client.query<{ v: string; sv: string }>(
      "select version() as v, current_setting('server_version') as sv",
    );
    const row = res.rows[0];
    if (!row) throw new Error('select version() returned no row');
    return { version: row.sv, versionText: row.v };
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code && PG_PERMANENT[code]) throw new PermanentProbeError(`${PG_PERMANENT[code]}: ${describeError(err)}.`);
    throw err;
  } finally {
    ctx.signal.removeEventListener('abort', onAbort);
    await client.end().catch(() => undefined);
  }
}

/**
 * Waits until Postgres at `url` answers `select version()`. Resolves with the server version; rejects with a
 * ServiceStartError naming the masked URL (timeout with the last error, rejected credentials, missing database,
 * cancellation).
 */
export async function waitForPostgres(
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
  backoff?: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'>,
): Promise<PostgresReadiness> {
  checkUrl(url, ['postgres:', 'postgresql:'], 'Postgres');
  try {
    const r = await retryUntilReady((ctx) => probePostgres(url, ctx), { timeoutMs, signal, ...backoff });
    return { ...r.value, attempts: r.attempts, elapsedMs: r.elapsedMs };
  } catch (err) {
    throw toStartError(err, 'Postgres', url, timeoutMs);
  }
}

export interface RedisReadiness {
  /** `redis_version` from INFO server, e.g. `7.0.15`. */
  version: string;
  attempts: number;
  elapsedMs: number;
}

/** One real PING (plus INFO server for the version) against Redis. */
export async function probeRedis(url: string, ctx: ProbeContext): Promise<{ version: string }> {
  let replies;
  try {
    replies = await redisCommands(url, [['PING'], ['INFO', 'server']], {
      timeoutMs: Math.max(1, Math.min(ctx.remainingMs, 5000)),
      signal: ctx.signal,
    });
  } catch (err) {
    if (err instanceof RedisReplyError) {
      const msg = err.message;
      if (/^(NOAUTH|WRONGPASS)|invalid (username-)?password|no password is set/i.test(msg)) {
        throw new PermanentProbeError(`rejected the credentials: ${msg}. Check the password in the URL.`);
      }
      if (/^NOPERM/.test(msg)) throw new PermanentProbeError(`denied the command: ${msg}.`);
      if (/^ERR .*DB index/i.test(msg)) throw new PermanentProbeError(`has no such database: ${msg}.`);
    }
    throw err;
  }
  if (replies[0] !== 'PONG') throw new Error(`PING answered ${JSON.stringify(replies[0])} instead of PONG`);
  const info = typeof replies[1] === 'string' ? replies[1] : '';
  const version = /^redis_version:(.+)$/m.exec(info)?.[1]?.trim() ?? 'unknown';
  return { version };
}

/**
 * Waits until Redis at `url` answers PING with PONG. Resolves with the server version; rejects with a
 * ServiceStartError naming the masked URL (timeout with the last error, rejected password, cancellation).
 */
export async function waitForRedis(
  url: string,
  timeoutMs: number,
  signal?: AbortSignal,
  backoff?: Pick<RetryOptions, 'initialDelayMs' | 'maxDelayMs'>,
): Promise<RedisReadiness> {
  checkUrl(url, ['redis:', 'rediss:'], 'Redis');
  try {
    const r = await retryUntilReady((ctx) => probeRedis(url, ctx), { timeoutMs, signal, ...backoff });
    return { ...r.value, attempts: r.attempts, elapsedMs: r.elapsedMs };
  } catch (err) {
    throw toStartError(err, 'Redis', url, timeoutMs);
  }
}
