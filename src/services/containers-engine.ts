/**
 * The connection to the container engine (Docker, or podman's Docker-compatible API) through testcontainers, and the
 * message users get when there is none.
 *
 * testcontainers finds the engine once per process: DOCKER_HOST (or TESTCONTAINERS_HOST_OVERRIDE /
 * ~/.testcontainers.properties), else /var/run/docker.sock, else the rootless Docker socket. A `dockerHost` option is
 * applied by setting DOCKER_HOST before that first connection; later connections reuse the first engine.
 * When DOCKER_HOST names a unix socket that does not answer, we stop there with a clear error instead of letting
 * testcontainers fall back silently to another engine.
 */
import { request } from 'node:http';
import type { ContainerRuntimeClient } from 'testcontainers';
import { getContainerRuntimeClient } from 'testcontainers';
import { ServiceStartError } from './types.js';

export const PREPARE_SCRIPT = 'scripts/container-engine/prepare.sh';

/** How long finding the engine may take before we call it unreachable. */
export const ENGINE_CONNECT_TIMEOUT_MS = 15_000;

/** The actionable error for "no container engine answers". `dockerHost` is DOCKER_HOST's value (undefined: unset). */
export function noEngineError(dockerHost: string | undefined, cause?: string): ServiceStartError {
  const where =
    dockerHost === undefined || dockerHost === ''
      ? 'DOCKER_HOST is not set and no Docker socket answers at /var/run/docker.sock'
      : `DOCKER_HOST is "${dockerHost}" and no container engine answers there`;
  const fix =
    `Start Docker (or point DOCKER_HOST at a running engine); on a machine without Docker, run ${PREPARE_SCRIPT} ` +
    `(it starts podman's Docker-compatible API and builds local Postgres/Redis images) and export what it prints: ` +
    `eval "$(${PREPARE_SCRIPT})". Or run without containers: --provider embedded.`;
  return new ServiceStartError(
    `No container engine is reachable for the containers provider: ${where}${cause ? ` (${cause})` : ''}. ${fix}`,
    undefined,
    `start Docker or run ${PREPARE_SCRIPT} and export DOCKER_HOST; or use --provider embedded`,
  );
}

/** Whether a Docker-compatible API answers GET /_ping on the unix socket at `socketPath` within `timeoutMs`. */
export function pingUnixSocket(socketPath: string, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath, path: '/_ping', method: 'GET', timeout: timeoutMs }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** The socket path of a `unix://` DOCKER_HOST, undefined for other schemes. */
export function unixSocketPath(dockerHost: string | undefined): string | undefined {
  return dockerHost?.startsWith('unix://') ? dockerHost.slice('unix://'.length) : undefined;
}

export interface EngineConnection {
  client: ContainerRuntimeClient;
  /** DOCKER_HOST as used for the connection (undefined: unset). */
  dockerHost: string | undefined;
}

/**
 * Connects to the engine (see the top of this file). Throws noEngineError when nothing answers within `timeoutMs`,
 * and a ServiceStartError when `signal` fires first.
 */
export async function connectToEngine(
  opts: { dockerHost?: string; signal: AbortSignal; timeoutMs?: number },
): Promise<EngineConnection> {
  if (opts.dockerHost !== undefined) process.env.DOCKER_HOST = opts.dockerHost;
  const dockerHost = process.env.DOCKER_HOST;
  if (opts.signal.aborted) throw new ServiceStartError('Cancelled before connecting to the container engine.');
  const timeoutMs = opts.timeoutMs ?? ENGINE_CONNECT_TIMEOUT_MS;
  const socketPath = unixSocketPath(dockerHost);
  if (socketPath !== undefined && !(await pingUnixSocket(socketPath, Math.min(timeoutMs, 5000)))) {
    throw noEngineError(dockerHost);
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<'timeout' | 'aborted'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
    onAbort = () => resolve('aborted');
    opts.signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    const outcome = await Promise.race([
      getContainerRuntimeClient().then(
        (client) => ({ client }),
        (error: unknown) => ({ error }),
      ),
      stop,
    ]);
    if (outcome === 'aborted') throw new ServiceStartError('Cancelled while connecting to the container engine.');
    if (outcome === 'timeout') throw noEngineError(dockerHost, `no answer within ${timeoutMs / 1000} s`);
    if ('error' in outcome) throw noEngineError(dockerHost);
    return { client: outcome.client, dockerHost };
  } finally {
    clearTimeout(timer);
    if (onAbort) opts.signal.removeEventListener('abort', onAbort);
  }
}
