/**
 * Runs one command in its own process group, so that the whole tree it starts (npm -> sh -> vitest -> workers,
 * or a service and its children) can be stopped together: on timeout, on abort (Ctrl-C, fail-fast, job cancel),
 * and after the command exits (nothing it left behind survives it).
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface RunProcessOptions {
  /** Executable, resolved on PATH. */
  command: string;
  args: string[];
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Kill the process group after this many ms (undefined = no limit). */
  timeoutMs?: number;
  /** Abort kills the process group. */
  signal?: AbortSignal;
  /** Combined stdout+stderr are appended here (created with its folder). */
  logPath?: string;
  /** Called with each complete output line (stdout and stderr), e.g. for live progress. */
  onLine?: (line: string, stream: 'stdout' | 'stderr') => void;
  /** Grace period between SIGTERM and SIGKILL (default 3000 ms). */
  killGraceMs?: number;
  /** Keep the last N characters of output in the result (default 64 KiB). */
  tailChars?: number;
  /** Applied to output before it reaches the log, the tail and onLine (e.g. masking passwords). */
  redact?: (text: string) => string;
}

export interface ProcessResult {
  exitCode: number | null;
  /** Signal that ended the process, if any. */
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  cancelled: boolean;
  durationMs: number;
  /** The last `tailChars` characters of combined output. */
  outputTail: string;
  /** Set when the command could not be started at all (e.g. ENOENT). */
  spawnError?: string;
}

/** A started process group: await `done`, or `stop()` it early. */
export interface RunningProcess {
  pid: number | undefined;
  done: Promise<ProcessResult>;
  /** SIGTERM the group, then SIGKILL after the grace period; resolves when the process has exited. */
  stop(): Promise<ProcessResult>;
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function startProcess(opts: RunProcessOptions): RunningProcess {
  const started = Date.now();
  const tailMax = opts.tailChars ?? 64 * 1024;
  const grace = opts.killGraceMs ?? 3000;
  let tail = '';
  let timedOut = false;
  let cancelled = false;
  let killTimer: NodeJS.Timeout | undefined;
  let deadline: NodeJS.Timeout | undefined;

  let log: ReturnType<typeof createWriteStream> | undefined;
  if (opts.logPath) {
    mkdirSync(dirname(opts.logPath), { recursive: true });
    log = createWriteStream(opts.logPath, { flags: 'a' });
  }

  const child = spawn(opts.command, opts.args, {
    cwd: opts.cwd,
    env: opts.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  const terminate = (): void => {
    killGroup(child.pid, 'SIGTERM');
    if (!killTimer) {
      killTimer = setTimeout(() => killGroup(child.pid, 'SIGKILL'), grace);
      killTimer.unref();
    }
  };

  const partial: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const onData = (stream: 'stdout' | 'stderr') => (buf: Buffer) => {
    const raw = buf.toString('utf8');
    const text = opts.redact ? opts.redact(raw) : raw;
    log?.write(text);
    tail = (tail + text).slice(-tailMax);
    if (opts.onLine) {
      const lines = (partial[stream] + text).split('\n');
      partial[stream] = lines.pop() ?? '';
      for (const line of lines) opts.onLine(line.replace(/\r$/, ''), stream);
    }
  };
  child.stdout?.on('data', onData('stdout'));
  child.stderr?.on('data', onData('stderr'));

  const onAbort = (): void => {
    cancelled = true;
    terminate();
  };
  if (opts.signal?.aborted) onAbort();
  else opts.signal?.addEventListener('abort', onAbort, { once: true });

  if (opts.timeoutMs !== undefined) {
    deadline = setTimeout(() => {
      timedOut = true;
      terminate();
    }, opts.timeoutMs);
    deadline.unref();
  }

  const done = new Promise<ProcessResult>((resolve) => {
    let spawnError: string | undefined;
    child.on('error', (err: NodeJS.ErrnoException) => {
      spawnError = err.code === 'ENOENT' ? `command not found: ${opts.command}` : err.message;
    });
    child.on('close', (code, sig) => {
      // Whatever the command left running in its group goes with it.
      killGroup(child.pid, 'SIGKILL');
      if (deadline) clearTimeout(deadline);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      for (const stream of ['stdout', 'stderr'] as const) {
        if (opts.onLine && partial[stream]) opts.onLine(partial[stream], stream);
      }
      const finish = (): void =>
        resolve({
          exitCode: code,
          signal: sig,
          timedOut,
          cancelled,
          durationMs: Date.now() - started,
          outputTail: tail,
          ...(spawnError ? { spawnError } : {}),
        });
      if (log) log.end(finish);
      else finish();
    });
  });

  return {
    pid: child.pid,
    done,
    stop: () => {
      cancelled = true;
      terminate();
      return done;
    },
  };
}

/** Runs a command to completion (see startProcess). */
export function runProcess(opts: RunProcessOptions): Promise<ProcessResult> {
  return startProcess(opts).done;
}
