/**
 * Finds (or, in CI, prepares) the container engine the containers-provider tests run against:
 *   1. DOCKER_HOST, when it answers (a unix socket is pinged; tcp:// is taken as given);
 *   2. /var/run/docker.sock (GitHub runners);
 *   3. the podman API socket of scripts/container-engine/prepare.sh, when it is already running;
 *   4. with CI=true only: runs prepare.sh (installs podman, starts the API, builds the images) and stops the API it
 *      started afterwards.
 * Otherwise the tests are skipped, with the reason.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pingUnixSocket, unixSocketPath } from '../../../src/services/containers-engine.js';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const PREPARE = path.join(REPO_ROOT, 'scripts/container-engine/prepare.sh');

export interface TestEngine {
  /** Environment the provider needs (DOCKER_HOST, and for the prepared engine: Ryuk off, local image names). */
  env: Record<string, string>;
  /** How it was found, for the log. */
  source: string;
  /** Stops what this module started (the prepared API service in CI); a no-op otherwise. */
  release(): Promise<void>;
}

export type EngineLookup = { engine: TestEngine } | { skipReason: string };

/** `export NAME=value` lines (prepare.sh's output) as a record. */
export function parseExports(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^export ([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

function preparedEngineEnv(): Record<string, string> | undefined {
  const stateDir = process.env.BACKEND_CI_ENGINE_DIR ?? path.join(REPO_ROOT, '.backend-ci/container-engine');
  const envFile = path.join(stateDir, 'env');
  return existsSync(envFile) ? parseExports(readFileSync(envFile, 'utf8')) : undefined;
}

export async function findTestEngine(): Promise<EngineLookup> {
  const tried: string[] = [];
  const given = process.env.DOCKER_HOST;
  if (given) {
    const socket = unixSocketPath(given);
    if (socket === undefined) return { engine: { env: { DOCKER_HOST: given }, source: `DOCKER_HOST=${given}`, release: async () => {} } };
    if (await pingUnixSocket(socket, 3000)) {
      const prepared = preparedEngineEnv();
      const env = prepared?.DOCKER_HOST === given ? prepared : { DOCKER_HOST: given };
      return { engine: { env, source: `DOCKER_HOST=${given}`, release: async () => {} } };
    }
    tried.push(`DOCKER_HOST=${given}`);
  }
  if (await pingUnixSocket('/var/run/docker.sock', 3000)) {
    return { engine: { env: { DOCKER_HOST: 'unix:///var/run/docker.sock' }, source: '/var/run/docker.sock', release: async () => {} } };
  }
  tried.push('/var/run/docker.sock');
  const prepared = preparedEngineEnv();
  const preparedSocket = unixSocketPath(prepared?.DOCKER_HOST);
  if (prepared && preparedSocket && (await pingUnixSocket(preparedSocket, 3000))) {
    return { engine: { env: prepared, source: `prepared podman API (${preparedSocket})`, release: async () => {} } };
  }
  tried.push('the podman API of scripts/container-engine/prepare.sh');

  if (process.env.CI !== 'true') {
    return {
      skipReason:
        `no container engine reachable (tried ${tried.join(', ')}). Start Docker, or run ` +
        'scripts/container-engine/prepare.sh (as root) and export what it prints, to run these tests; in CI (CI=true) ' +
        'they prepare the engine themselves.',
    };
  }
  // CI: these tests must run for real. prepare.sh prints the export lines on stdout, progress on stderr (shown).
  const { code, stdout } = await runScript([PREPARE]);
  if (code !== 0) throw new Error(`${PREPARE} failed (exit ${code}); see its output above`);
  const env = parseExports(stdout);
  if (!env.DOCKER_HOST) throw new Error(`${PREPARE} printed no DOCKER_HOST: ${stdout}`);
  return {
    engine: {
      env,
      source: `podman API prepared by ${PREPARE}`,
      release: async () => {
        await runScript([PREPARE, 'stop']);
        const socket = unixSocketPath(env.DOCKER_HOST);
        if (socket && (await pingUnixSocket(socket, 1000))) throw new Error(`${PREPARE} stop left the API answering on ${socket}`);
      },
    },
  };
}

/** Runs a bash script without blocking the event loop; stderr goes to ours. */
function runScript(args: string[]): Promise<{ code: number | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout }));
  });
}

/** Pids of the live child processes of `pid` (Linux /proc). */
export function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may contain spaces) are: state ppid ...
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(ppid) === pid && state !== 'Z') children.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return children;
}

/** Pids whose command line contains `text` (e.g. a container id in conmon's arguments). */
export function pidsWithCommandLine(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').includes(text)) pids.push(Number(entry));
    } catch {
      // the process ended while we looked
    }
  }
  return pids;
}
