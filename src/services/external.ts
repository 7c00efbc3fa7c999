/**
 * The `external` provider: services someone else started (GitHub `services:` containers, a shared dev database).
 * Each spec takes its URL from its env var name (DATABASE_URL, REDIS_URL, DATABASE_URL_PG15, ...; see spec.ts),
 * looked up first in the explicit `urls`, then in `env`. Readiness is waited for in parallel with retries until
 * ctx.readyTimeoutMs (the containers may still be starting). stop() does nothing: we did not start them.
 */
import { secretsOfUrl, maskUrl } from './mask-url.js';
import { waitForPostgres, waitForRedis } from './readiness.js';
import { envVarsFor, formatServiceSpec } from './spec.js';
import type { ProviderContext, RunningService, ServiceProvider, ServiceSpec, StartedServices } from './types.js';
import { ServiceStartError } from './types.js';

export interface ExternalProviderOptions {
  /** Explicit URLs by env var name (from the config file / action inputs); win over `env`. */
  urls?: Record<string, string | undefined>;
  /** Environment to read the URLs from (default process.env). */
  env?: Record<string, string | undefined>;
}

function majorOf(version: string | undefined): string | undefined {
  return version ? /^(\d+)/.exec(version)?.[1] : undefined;
}

export function createExternalProvider(opts: ExternalProviderOptions = {}): ServiceProvider {
  return {
    name: 'external',
    async start(specs: ServiceSpec[], ctx: ProviderContext): Promise<StartedServices> {
      const env = opts.env ?? process.env;
      const names = envVarsFor(specs);
      const targets = specs.map((spec, i) => {
        const envVar = names[i]!;
        const url = opts.urls?.[envVar] ?? env[envVar];
        if (!url) {
          throw new ServiceStartError(
            `${formatServiceSpec(spec)} was requested from the external provider, but ${envVar} is not set. ` +
              `Set ${envVar} to its connection URL (e.g. from GitHub \`services:\`), or use --services-provider ` +
              'embedded or containers to have backend-ci start it.',
            spec,
            `set ${envVar}`,
          );
        }
        return { spec, envVar, url };
      });
      if (ctx.signal.aborted) throw new ServiceStartError('Cancelled before checking the external services.');

      const results = await Promise.allSettled(
        targets.map(async ({ spec, envVar, url }): Promise<RunningService> => {
          const started = Date.now();
          ctx.log(`waiting for ${formatServiceSpec(spec)} at ${maskUrl(url)} (${envVar})`);
          let version: string;
          try {
            const ready =
              spec.kind === 'postgres'
                ? await waitForPostgres(url, ctx.readyTimeoutMs, ctx.signal)
                : await waitForRedis(url, ctx.readyTimeoutMs, ctx.signal);
            version = ready.version;
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            throw new ServiceStartError(`${formatServiceSpec(spec)} (${envVar}): ${message}`, spec);
          }
          const wanted = majorOf(spec.version);
          if (wanted && majorOf(version) !== wanted) {
            ctx.log(
              `warning: ${formatServiceSpec(spec)} was requested but ${maskUrl(url)} runs ${spec.kind} ${version}; ` +
                'the external provider uses the service as it is',
            );
          }
          const readyMs = Date.now() - started;
          ctx.log(`${formatServiceSpec(spec)} ready: ${spec.kind} ${version} (${readyMs} ms)`);
          return { spec, url, envVar, actualVersion: version, readyMs };
        }),
      );
      const failures = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failures.length > 0) {
        const first = failures[0]!.reason as unknown;
        if (failures.length === 1 && first instanceof ServiceStartError) throw first;
        throw new ServiceStartError(
          failures.map((f) => (f.reason instanceof Error ? f.reason.message : String(f.reason))).join('\n'),
          first instanceof ServiceStartError ? first.service : undefined,
        );
      }
      const services = results.map((r) => (r as PromiseFulfilledResult<RunningService>).value);
      return {
        services,
        env: Object.fromEntries(services.map((s) => [s.envVar, s.url])),
        secrets: [...new Set(services.flatMap((s) => secretsOfUrl(s.url)))],
        stop: async () => undefined,
      };
    },
  };
}
