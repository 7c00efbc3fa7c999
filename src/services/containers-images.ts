/**
 * Which container image runs a requested service, and how that image is started (port, command, environment, the
 * log line it prints when it accepts connections).
 *
 * Image selection, first match wins:
 *   1. the spec's own image (`postgres=postgres:16-alpine` in the services list);
 *   2. the provider option `images.postgres` / `images.redis`;
 *   3. the env var BACKEND_CI_POSTGRES_IMAGE / BACKEND_CI_REDIS_IMAGE (scripts/container-engine/prepare.sh prints
 *      `backend-ci/postgres:15` and `backend-ci/redis:7`, the images it builds from Debian packages);
 *   4. the official image: `postgres:<version>-alpine` / `redis:<version>-alpine`, version defaulting to 16 / 7
 *      (a version that already names a variant, e.g. `16-bookworm`, is used as the tag unchanged).
 * In 2 and 3 the text `{version}` is replaced by the requested version (or the default), e.g.
 * `BACKEND_CI_POSTGRES_IMAGE=registry.local/pg:{version}`.
 *
 * Images must behave like the official ones: postgres takes POSTGRES_PASSWORD / POSTGRES_USER / POSTGRES_DB and logs
 * "database system is ready to accept connections"; redis runs `redis-server ARGS...` and logs
 * "Ready to accept connections".
 */
import type { ServiceKind, ServiceSpec } from './types.js';

export const IMAGE_ENV_VARS: Readonly<Record<ServiceKind, string>> = {
  postgres: 'BACKEND_CI_POSTGRES_IMAGE',
  redis: 'BACKEND_CI_REDIS_IMAGE',
};

export const DEFAULT_VERSIONS: Readonly<Record<ServiceKind, string>> = { postgres: '16', redis: '7' };

export interface ImageChoiceOptions {
  images?: Partial<Record<ServiceKind, string>>;
  env?: Record<string, string | undefined>;
}

/** The image to run for `spec` (see the precedence above). */
export function imageFor(spec: ServiceSpec, opts: ImageChoiceOptions = {}): string {
  if (spec.image) return spec.image;
  const version = spec.version ?? DEFAULT_VERSIONS[spec.kind];
  const configured = opts.images?.[spec.kind] ?? opts.env?.[IMAGE_ENV_VARS[spec.kind]];
  if (configured && configured.trim() !== '') return configured.trim().replaceAll('{version}', version);
  return `${spec.kind}:${version.includes('-') ? version : `${version}-alpine`}`;
}

/** How to run one service in a container. */
export interface ContainerRecipe {
  port: number;
  command: string[];
  environment: Record<string, string>;
  /** Printed by the server when it accepts connections (the official postgres image prints it twice). */
  readyLog: RegExp;
  /** The connection URL, given where the container's port is published. */
  url(host: string, port: number): string;
}

export const POSTGRES_USER = 'postgres';
/** The default database: images create it at initdb, so no extra step delays readiness. */
export const POSTGRES_DB = 'postgres';

/**
 * The recipe for `kind` with `password`. The password must be URL-safe (the generator uses base64url), so it goes into
 * the URL as is. Postgres runs without fsync: the data is thrown away after the run.
 */
export function recipeFor(kind: ServiceKind, password: string): ContainerRecipe {
  if (kind === 'postgres') {
    return {
      port: 5432,
      command: ['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      environment: { POSTGRES_PASSWORD: password, POSTGRES_USER, POSTGRES_DB },
      readyLog: /database system is ready to accept connections/,
      url: (host, port) => `postgres://${POSTGRES_USER}:${password}@${host}:${port}/${POSTGRES_DB}`,
    };
  }
  return {
    port: 6379,
    command: ['redis-server', '--requirepass', password, '--save', '', '--appendonly', 'no'],
    environment: {},
    readyLog: /Ready to accept connections/,
    url: (host, port) => `redis://:${password}@${host}:${port}`,
  };
}
