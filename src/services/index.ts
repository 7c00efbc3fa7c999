/**
 * Service providers behind one interface (./types.ts): pick one by name with createProvider().
 * The containers provider (testcontainers, ~0.2 s to import) is loaded only when it is started, so runs with the
 * embedded or external provider do not pay for it.
 */
import type { ContainersProviderOptions } from './containers.js';
import { createEmbeddedProvider, type EmbeddedProviderOptions } from './embedded.js';
import { createExternalProvider, type ExternalProviderOptions } from './external.js';
import type { ServiceProvider } from './types.js';
import { ServiceStartError } from './types.js';

export type ProviderName = ServiceProvider['name'];

export interface CreateProviderOptions {
  embedded?: EmbeddedProviderOptions;
  external?: ExternalProviderOptions;
  containers?: ContainersProviderOptions;
}

function lazyContainersProvider(opts: ContainersProviderOptions | undefined): ServiceProvider {
  return {
    name: 'containers',
    async start(specs, ctx) {
      const { createContainersProvider } = await import('./containers.js');
      return createContainersProvider(opts).start(specs, ctx);
    },
  };
}

export function createProvider(name: ProviderName, opts: CreateProviderOptions = {}): ServiceProvider {
  switch (name) {
    case 'embedded':
      return createEmbeddedProvider(opts.embedded);
    case 'external':
      return createExternalProvider(opts.external);
    case 'containers':
      return lazyContainersProvider(opts.containers);
    default:
      throw new ServiceStartError(
        `Unknown services provider "${String(name)}": use embedded (local processes), external (URLs you provide) ` +
          'or containers (Docker/Podman).',
      );
  }
}

export * from './types.js';
export { createEmbeddedProvider, type EmbeddedProviderOptions } from './embedded.js';
export { createExternalProvider, type ExternalProviderOptions } from './external.js';
export type { ContainersProviderOptions } from './containers.js';
export { envVarFor, envVarsFor, formatServiceSpec, parseServiceSpecs, ServiceSpecError, SERVICE_KINDS } from './spec.js';
export { maskUrl, secretsOfUrl } from './mask-url.js';
export {
  PermanentProbeError,
  ReadinessAbortedError,
  ReadinessTimeoutError,
  retryUntilReady,
  waitForPostgres,
  waitForRedis,
  type PostgresReadiness,
  type ProbeContext,
  type RedisReadiness,
  type RetryOptions,
} from './readiness.js';
export { redisCommands, RedisReplyError, type RedisReply } from './redis-client.js';
