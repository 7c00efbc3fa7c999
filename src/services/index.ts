/**
 * Service providers behind one interface (./types.ts): pick one by name with createProvider().
 */
import { createEmbeddedProvider, type EmbeddedProviderOptions } from './embedded.js';
import { createExternalProvider, type ExternalProviderOptions } from './external.js';
import type { ServiceProvider } from './types.js';
import { ServiceStartError } from './types.js';

export type ProviderName = ServiceProvider['name'];

export interface CreateProviderOptions {
  embedded?: EmbeddedProviderOptions;
  external?: ExternalProviderOptions;
}

export function createProvider(name: ProviderName, opts: CreateProviderOptions = {}): ServiceProvider {
  switch (name) {
    case 'embedded':
      return createEmbeddedProvider(opts.embedded);
    case 'external':
      return createExternalProvider(opts.external);
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
