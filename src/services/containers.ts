/**
 * The `containers` provider: Postgres and Redis in throwaway containers through testcontainers (the default on GitHub
 * runners, which have Docker; on machines without Docker, scripts/container-engine/prepare.sh provides podman's
 * Docker-compatible API and locally built images).
 *
 * - Images: see containers-images.ts (spec image, then options, then BACKEND_CI_POSTGRES_IMAGE / BACKEND_CI_REDIS_IMAGE,
 *   then `postgres:16-alpine` / `redis:7-alpine`). An image present locally is used as is (testcontainers' default pull
 *   policy pulls only missing images), so machines without a registry work with locally built images.
 * - Every container gets a random host port, a generated password (listed in `secrets`) and the labels
 *   `dev.backend-ci.provider=containers`, `dev.backend-ci.session=<id of this start>`, `dev.backend-ci.service=<kind>`.
 * - Ready means: the server's "ready" log line, then a real query (Postgres) / PING (Redis) through readiness.ts.
 * - Services start in parallel. Teardown on every exit path: when one fails to start, or `ctx.signal` fires, every
 *   container of this start is force-removed before start() throws; stop() force-removes them all, once.
 * - Ryuk (testcontainers' reaper container) follows TESTCONTAINERS_RYUK_DISABLED; prepare.sh disables it (no registry
 *   to pull it from), and the provider does not rely on it: it removes its containers itself.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { ContainerRuntimeClient, StartedTestContainer } from 'testcontainers';
import { GenericContainer, ImageName, Wait } from 'testcontainers';
import { connectToEngine, PREPARE_SCRIPT } from './containers-engine.js';
import { IMAGE_ENV_VARS, imageFor, recipeFor } from './containers-images.js';
import { maskUrl, secretsOfUrl } from './mask-url.js';
import { describeError, waitForPostgres, waitForRedis } from './readiness.js';
import { envVarsFor, formatServiceSpec } from './spec.js';
import type { ProviderContext, RunningService, ServiceKind, ServiceProvider, ServiceSpec, StartedServices } from './types.js';
import { ServiceStartError } from './types.js';

export const CONTAINER_LABELS = {
  provider: 'dev.backend-ci.provider',
  session: 'dev.backend-ci.session',
  service: 'dev.backend-ci.service',
} as const;

export interface ContainersProviderOptions {
  /** Engine address (e.g. `unix:///path/podman.sock`); default: DOCKER_HOST / testcontainers' discovery. */
  dockerHost?: string;
  /** Image per kind, overriding BACKEND_CI_POSTGRES_IMAGE / BACKEND_CI_REDIS_IMAGE (a spec's own image still wins). */
  images?: Partial<Record<ServiceKind, string>>;
  /** Environment the image variables are read from (default process.env). */
  env?: Record<string, string | undefined>;
}

const LOG_TAIL_LINES = 8;

/** A container whose id is reported as soon as it is created, so it can be removed even while it is starting. */
class TrackedContainer extends GenericContainer {
  constructor(
    image: string,
    private readonly onCreated: (id: string) => void,
  ) {
    super(image);
  }

  protected override async containerCreated(containerId: string): Promise<void> {
    this.onCreated(containerId);
  }
}

/**
 * Every container of one start(), known by id (reported at creation) and by its session label: removed together on
 * failure, cancellation or stop(). Removal is retried and finishes with a sweep by label, so a container the engine
 * was still creating when we first tried is not left behind.
 */
class ContainerGroup {
  private readonly ids = new Set<string>();
  private readonly removed = new Set<string>();
  private isClosed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly client: ContainerRuntimeClient,
    private readonly session: string,
    private readonly log: (line: string) => void,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  add(id: string): void {
    this.ids.add(id);
    // Created after the group was closed (a start still in flight when another failed or the run was cancelled).
    if (this.isClosed) void this.remove(id);
  }

  /**
   * Removes every container of the session (known ids plus a sweep by label). Passes run one after the other, so a
   * call made after a container was created always covers it. Never throws.
   */
  close(): Promise<void> {
    this.isClosed = true;
    this.closing = (this.closing ?? Promise.resolve()).then(() => this.removeAll());
    return this.closing;
  }

  private async removeAll(): Promise<void> {
    let left: string[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const ids = new Set([...this.ids, ...(await this.listSession())]);
      left = [...ids].filter((id) => !this.removed.has(id));
      if (left.length === 0) return;
      const results = await Promise.all(left.map((id) => this.remove(id)));
      if (results.every(Boolean)) return;
      await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
    }
    left = left.filter((id) => !this.removed.has(id));
    if (left.length > 0) {
      this.log(
        `warning: could not remove container(s) ${left.map((id) => id.slice(0, 12)).join(', ')}; remove them with ` +
          `\`docker rm -f\` (label ${CONTAINER_LABELS.session}=${this.session})`,
      );
    }
  }

  private async listSession(): Promise<string[]> {
    try {
      const list = await this.client.container.dockerode.listContainers({
        all: true,
        filters: { label: [`${CONTAINER_LABELS.session}=${this.session}`] },
      });
      return list.map((c) => c.Id);
    } catch (err) {
      this.log(`warning: could not list the service containers: ${describeError(err)}`);
      return [];
    }
  }

  /** Force-removes one container; true when it is gone. */
  private async remove(id: string): Promise<boolean> {
    if (this.removed.has(id)) return true;
    try {
      await this.client.container.getById(id).remove({ force: true, v: true });
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode;
      if (status !== 404) {
        this.log(`warning: removing container ${id.slice(0, 12)} failed (will retry): ${describeError(err)}`);
        return false;
      }
      // 404: already gone (testcontainers removes a container that failed its wait strategy)
    }
    this.removed.add(id);
    return true;
  }
}

function majorOf(version: string | undefined): string | undefined {
  return version ? /^(\d+)/.exec(version)?.[1] : undefined;
}

/** Keeps the last lines a container printed, with the password masked, for error messages. */
function logTail(secret: string): { consume: (stream: NodeJS.ReadableStream) => void; lines: () => string[] } {
  const lines: string[] = [];
  return {
    consume: (stream) => {
      stream.on('data', (chunk: Buffer | string) => {
        for (const line of chunk.toString().split(/\r?\n/)) {
          if (line.trim() === '') continue;
          lines.push(line.replaceAll(secret, '***'));
          if (lines.length > LOG_TAIL_LINES) lines.shift();
        }
      });
      stream.on('error', () => undefined);
    },
    lines: () => [...lines],
  };
}

/** Docker's log stream framing (no TTY): 8-byte headers [stream 0-2, 0, 0, 0, size (uint32 BE)] before each payload. */
export function demuxLogs(buf: Buffer): string {
  const isHeader = (at: number): boolean =>
    at + 8 <= buf.length && buf[at]! <= 2 && buf[at + 1] === 0 && buf[at + 2] === 0 && buf[at + 3] === 0;
  if (!isHeader(0)) return buf.toString('utf8'); // a TTY container's raw output
  const parts: Buffer[] = [];
  let offset = 0;
  while (isHeader(offset)) {
    const size = buf.readUInt32BE(offset + 4);
    parts.push(buf.subarray(offset + 8, offset + 8 + size));
    offset += 8 + size;
  }
  return Buffer.concat(parts).toString('utf8');
}

/** The state and last output of a container that failed to start, e.g. `exited with code 127; output: ...`. */
async function describeContainer(client: ContainerRuntimeClient, id: string, secret: string): Promise<string> {
  try {
    const container = client.container.getById(id);
    const info = await container.inspect();
    const state = info.State.Running ? 'the container is running' : `the container exited with code ${info.State.ExitCode}`;
    const logs = (await container.logs({ stdout: true, stderr: true, follow: false, tail: LOG_TAIL_LINES })) as unknown as Buffer;
    const lines = demuxLogs(Buffer.from(logs))
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '')
      .map((line) => line.replaceAll(secret, '***'));
    return lines.length > 0 ? `${state}; its last output:\n  ${lines.join('\n  ')}` : `${state} without output`;
  } catch (err) {
    return `its state could not be read: ${describeError(err)}`;
  }
}

function imageHint(kind: ServiceKind): string {
  return (
    `Name an image that exists locally (${kind}=IMAGE in the services list, or ${IMAGE_ENV_VARS[kind]}=IMAGE); ` +
    `without a registry, ${PREPARE_SCRIPT} builds backend-ci/${kind}:${kind === 'postgres' ? '15' : '7'} and prints ` +
    `${IMAGE_ENV_VARS[kind]} for it.`
  );
}

interface StartOneArgs {
  spec: ServiceSpec;
  envVar: string;
  image: string;
  session: string;
  client: ContainerRuntimeClient;
  group: ContainerGroup;
  ctx: ProviderContext;
}

async function startOne({ spec, envVar, image, session, client, group, ctx }: StartOneArgs): Promise<RunningService> {
  const what = `${formatServiceSpec(spec)} (image ${image})`;
  const startedAt = Date.now();
  const password = randomBytes(18).toString('base64url');
  const recipe = recipeFor(spec.kind, password);
  const tail = logTail(password);
  let containerId: string | undefined;

  let present: boolean;
  try {
    present = await client.image.exists(ImageName.fromString(image));
  } catch (err) {
    throw new ServiceStartError(`${what}: cannot inspect the image: ${describeError(err)}`, spec);
  }
  if (!present) ctx.log(`${formatServiceSpec(spec)}: image ${image} is not present locally; pulling it`);

  const container = new TrackedContainer(image, (id) => {
    containerId = id;
    group.add(id);
  })
    .withExposedPorts(recipe.port)
    .withCommand(recipe.command)
    .withEnvironment(recipe.environment)
    .withLabels({
      [CONTAINER_LABELS.provider]: 'containers',
      [CONTAINER_LABELS.session]: session,
      [CONTAINER_LABELS.service]: spec.kind,
    })
    .withWaitStrategy(Wait.forLogMessage(recipe.readyLog))
    .withStartupTimeout(ctx.readyTimeoutMs)
    .withLogConsumer((stream) => tail.consume(stream));

  let started: StartedTestContainer;
  try {
    started = await container.start();
  } catch (err) {
    if (group.closed) throw new ServiceStartError(`${what}: start interrupted (cleaning up).`, spec);
    const reason = describeError(err).replaceAll(password, '***').trim();
    const logs = tail.lines();
    let logText = logs.length > 0 ? ` Last container output:\n  ${logs.join('\n  ')}` : '';
    if (containerId !== undefined && logs.length === 0) logText = ` ${await describeContainer(client, containerId, password)}`;
    if (!present && containerId === undefined) {
      throw new ServiceStartError(`${what}: the image is not present locally and pulling it failed: ${reason}. ${imageHint(spec.kind)}`, spec);
    }
    if (/ryuk/i.test(reason)) {
      throw new ServiceStartError(
        `${what}: testcontainers' reaper (Ryuk) could not start: ${reason}. Set TESTCONTAINERS_RYUK_DISABLED=true ` +
          '(backend-ci removes its containers itself).',
        spec,
      );
    }
    throw new ServiceStartError(`${what}: the container did not start or did not print its ready line: ${reason}.${logText}`, spec);
  }

  const mappedHost = started.getHost();
  const host = mappedHost === 'localhost' ? '127.0.0.1' : mappedHost;
  const url = recipe.url(host, started.getMappedPort(recipe.port));
  const remainingMs = Math.max(1000, ctx.readyTimeoutMs - (Date.now() - startedAt));
  let actualVersion: string;
  try {
    const ready =
      spec.kind === 'postgres'
        ? await waitForPostgres(url, remainingMs, ctx.signal)
        : await waitForRedis(url, remainingMs, ctx.signal);
    actualVersion = ready.version;
  } catch (err) {
    if (group.closed) throw new ServiceStartError(`${what}: start interrupted (cleaning up).`, spec);
    throw new ServiceStartError(`${what}: ${describeError(err)}`, spec);
  }
  const readyMs = Date.now() - startedAt;
  const wanted = majorOf(spec.version);
  if (wanted && majorOf(actualVersion) !== wanted) {
    ctx.log(`warning: ${formatServiceSpec(spec)} was requested but image ${image} runs ${spec.kind} ${actualVersion}`);
  }
  ctx.log(`${formatServiceSpec(spec)} ready: ${spec.kind} ${actualVersion} at ${maskUrl(url)} (${envVar}, ${readyMs} ms)`);
  return { spec, url, envVar, actualVersion, readyMs };
}

export function createContainersProvider(opts: ContainersProviderOptions = {}): ServiceProvider {
  return {
    name: 'containers',
    async start(specs: ServiceSpec[], ctx: ProviderContext): Promise<StartedServices> {
      const env = opts.env ?? process.env;
      const names = envVarsFor(specs);
      const images = specs.map((spec) => imageFor(spec, { images: opts.images, env }));
      if (specs.length === 0) return { services: [], env: {}, secrets: [], stop: async () => undefined };

      const { client } = await connectToEngine({ dockerHost: opts.dockerHost, signal: ctx.signal });
      const session = randomUUID();
      const group = new ContainerGroup(client, session, ctx.log);
      const failures: ServiceStartError[] = [];
      let cancelled = false;
      const onAbort = (): void => {
        cancelled = true;
        void group.close();
      };
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      if (ctx.signal.aborted) onAbort();

      let results: PromiseSettledResult<RunningService>[];
      try {
        results = await Promise.allSettled(
          specs.map(async (spec, i) => {
            const image = images[i]!;
            ctx.log(`starting ${formatServiceSpec(spec)} in a container (image ${image})`);
            try {
              return await startOne({ spec, envVar: names[i]!, image, session, client, group, ctx });
            } catch (err) {
              const failure = err instanceof ServiceStartError ? err : new ServiceStartError(describeError(err), spec);
              // The first real failure stops the others; their "interrupted" errors are consequences, not causes.
              if (!group.closed) {
                failures.push(failure);
                void group.close();
              }
              throw failure;
            }
          }),
        );
      } finally {
        ctx.signal.removeEventListener('abort', onAbort);
      }

      if (cancelled || failures.length > 0 || results.some((r) => r.status === 'rejected')) {
        await group.close();
        if (cancelled) throw new ServiceStartError('Cancelled while starting service containers; they were removed.');
        const first = failures[0];
        if (failures.length === 1 && first) throw first;
        throw new ServiceStartError(
          failures.map((f) => f.message).join('\n') || 'Starting service containers failed.',
          first?.service,
        );
      }

      const services = results.map((r) => (r as PromiseFulfilledResult<RunningService>).value);
      return {
        services,
        env: Object.fromEntries(services.map((s) => [s.envVar, s.url])),
        secrets: [...new Set(services.flatMap((s) => secretsOfUrl(s.url)))],
        stop: () => group.close(),
      };
    },
  };
}
