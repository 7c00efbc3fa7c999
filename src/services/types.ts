/**
 * The service-provider interface: every provider (embedded, external, containers) provisions Postgres and/or Redis,
 * waits for readiness, exports connection URLs to the pipeline's stages, and is always torn down.
 */

export type ServiceKind = 'postgres' | 'redis';

/** One requested service, parsed from e.g. `postgres:16` or `redis`. */
export interface ServiceSpec {
  kind: ServiceKind;
  /** Requested version (major or full tag), e.g. `16`, `16-alpine`, `7`; undefined = provider default. */
  version?: string;
  /** Container image override (containers provider only), e.g. `postgres:16-alpine`. */
  image?: string;
}

/** A service that is up and answered a readiness check. */
export interface RunningService {
  spec: ServiceSpec;
  /** Connection URL (contains the generated password, which is also listed in `secrets`). */
  url: string;
  /** Name of the env var the URL is exported as (DATABASE_URL, REDIS_URL, or a suffixed one for extra versions). */
  envVar: string;
  /** Version actually running, as reported by the service (e.g. `16.4`, `7.0.15`). */
  actualVersion?: string;
  /** Milliseconds from start request to readiness. */
  readyMs: number;
}

export interface ProviderContext {
  /** Aborted on Ctrl-C / job cancel / fail-fast: starting must stop and clean up what it began. */
  signal: AbortSignal;
  /** Readiness timeout per service in ms. */
  readyTimeoutMs: number;
  /** Progress lines for the terminal/log. */
  log: (line: string) => void;
  /** Directory for temp data (data dirs, logs); the provider creates sub-folders and removes them on stop. */
  workDir: string;
}

export interface StartedServices {
  services: RunningService[];
  /** Environment to merge into every stage's env (DATABASE_URL, REDIS_URL, ...). */
  env: Record<string, string>;
  /** Values that must never be printed (generated passwords, URLs with credentials). */
  secrets: string[];
  /** Stops every service and removes its temp data. Idempotent; never throws (logs problems instead). */
  stop(): Promise<void>;
}

export interface ServiceProvider {
  readonly name: 'embedded' | 'external' | 'containers';
  /**
   * Starts all specs (in parallel where possible). On any failure, stops what it already started and throws a
   * ServiceStartError whose message says which service failed, why, and what to do.
   */
  start(specs: ServiceSpec[], ctx: ProviderContext): Promise<StartedServices>;
}

/** A provisioning failure with an actionable, one-paragraph message (no stack trace needed by users). */
export class ServiceStartError extends Error {
  constructor(
    message: string,
    readonly service?: ServiceSpec,
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'ServiceStartError';
  }
}
