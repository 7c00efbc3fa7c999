/**
 * The user-facing list of services (`services: "postgres:16,redis:7"`) and the env var each one is exported as.
 *
 * Syntax: entries separated by commas and/or whitespace (so a YAML block with one entry per line works too).
 *   kind               provider default version             `postgres`, `redis`
 *   kind:version       a version (Docker tag characters)    `postgres:16`, `postgres:16.4`, `redis:7`
 *   kind=image         a container image (containers only)  `postgres=postgres:16-alpine`, `redis=ghcr.io/x/redis:7`
 * Kinds: postgres, redis (case-insensitive). The same kind may appear several times with different versions or images
 * (`postgres:15,postgres:16`); listing the very same entry twice is an error. An empty list means "no services".
 *
 * Env var naming (envVarFor): the first postgres is DATABASE_URL and the first redis is REDIS_URL. Every further entry
 * of the same kind gets a suffix built from its version, or else its image tag, or else its position among its kind
 * (1-based), upper-cased with every other character than A-Z/0-9 turned into `_`:
 *   postgres:15,postgres:16          -> DATABASE_URL, DATABASE_URL_PG16
 *   postgres:16,postgres=pg:15-alpine -> DATABASE_URL, DATABASE_URL_PG15_ALPINE
 *   redis:7,redis:6                  -> REDIS_URL, REDIS_URL_REDIS6
 *   postgres:16,postgres             -> DATABASE_URL, DATABASE_URL_PG2
 */
import type { ServiceKind, ServiceSpec } from './types.js';

export const SERVICE_KINDS: readonly ServiceKind[] = ['postgres', 'redis'];

const BASE_ENV: Record<ServiceKind, { base: string; prefix: string }> = {
  postgres: { base: 'DATABASE_URL', prefix: 'PG' },
  redis: { base: 'REDIS_URL', prefix: 'REDIS' },
};

/** A malformed services list: the message names the entry, the allowed kinds and the syntax. */
export class ServiceSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceSpecError';
  }
}

const SYNTAX_HINT =
  'Write kind[:version] or kind=image, separated by commas, e.g. "postgres:16,redis:7" or ' +
  '"postgres=postgres:16-alpine,redis".';
// Docker tag rules: starts with a letter/digit, then letters, digits, `.`, `_`, `-` (at most 128 characters).
const VERSION_RE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
// An image reference: registry/repository[:tag][@digest]; no spaces, commas or `=`.
const IMAGE_RE = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;

function isKind(value: string): value is ServiceKind {
  return (SERVICE_KINDS as readonly string[]).includes(value);
}

/** Parses a services list (see the syntax above). Throws ServiceSpecError naming the bad entry. */
export function parseServiceSpecs(text: string): ServiceSpec[] {
  const entries = text.split(/[\s,]+/).filter((e) => e.length > 0);
  const specs: ServiceSpec[] = [];
  entries.forEach((entry, i) => {
    const where = `services entry "${entry}" (entry ${i + 1} of "${text.trim()}")`;
    const fail = (why: string): never => {
      throw new ServiceSpecError(`Invalid ${where}: ${why}. ${SYNTAX_HINT}`);
    };
    const eq = entry.indexOf('=');
    const head = eq === -1 ? entry : entry.slice(0, eq);
    const image = eq === -1 ? undefined : entry.slice(eq + 1);
    const colon = head.indexOf(':');
    const kindText = (colon === -1 ? head : head.slice(0, colon)).toLowerCase();
    const version = colon === -1 ? undefined : head.slice(colon + 1);

    if (!isKind(kindText)) {
      const hint = kindText === 'postgresql' || kindText === 'pg' ? ' (did you mean "postgres"?)' : '';
      fail(`unknown kind "${kindText}"${hint}; allowed kinds are ${SERVICE_KINDS.join(', ')}`);
    }
    const kind = kindText as ServiceKind;
    if (version !== undefined && image !== undefined) {
      fail('give either a version (kind:version) or an image (kind=image), not both');
    }
    if (version !== undefined && !VERSION_RE.test(version)) {
      fail(`"${version}" is not a valid version (letters, digits, ".", "_", "-"; e.g. 16 or 16.4)`);
    }
    if (image !== undefined && !IMAGE_RE.test(image)) {
      fail(`"${image}" is not a valid image reference (e.g. postgres:16-alpine)`);
    }
    specs.push({ kind, ...(version !== undefined ? { version } : {}), ...(image !== undefined ? { image } : {}) });
  });

  const clash = (a: number, b: number, why: string): never => {
    throw new ServiceSpecError(
      `Invalid services list "${text.trim()}": entries ${a + 1} ("${formatServiceSpec(specs[a]!)}") and ` +
        `${b + 1} ("${formatServiceSpec(specs[b]!)}") ${why}. ` +
        'List each service once; give extra instances of a kind distinct versions or images.',
    );
  };
  const seenSpec = new Map<string, number>();
  specs.forEach((spec, i) => {
    const key = formatServiceSpec(spec);
    const first = seenSpec.get(key);
    if (first !== undefined) clash(first, i, 'are the same service');
    seenSpec.set(key, i);
  });
  const seenName = new Map<string, number>();
  envVarsFor(specs).forEach((name, i) => {
    const first = seenName.get(name);
    if (first !== undefined) clash(first, i, `would both be exported as ${name}`);
    seenName.set(name, i);
  });
  return specs;
}

/** The entry as the user would write it, e.g. `postgres:16` or `redis=redis:7-alpine`. */
export function formatServiceSpec(spec: ServiceSpec): string {
  if (spec.image) return `${spec.kind}=${spec.image}`;
  return spec.version ? `${spec.kind}:${spec.version}` : spec.kind;
}

/** The tag of an image reference (`postgres:16-alpine` -> `16-alpine`), undefined when it has none. */
function imageTag(image: string): string | undefined {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  return colon === -1 ? undefined : noDigest.slice(colon + 1);
}

/**
 * The env var a service is exported as; `indexAmongSameKind` is its 0-based position among the entries of its kind
 * (see the naming rule at the top of this file).
 */
export function envVarFor(spec: ServiceSpec, indexAmongSameKind: number): string {
  const { base, prefix } = BASE_ENV[spec.kind];
  if (indexAmongSameKind === 0) return base;
  const label = spec.version ?? (spec.image ? imageTag(spec.image) : undefined) ?? String(indexAmongSameKind + 1);
  return `${base}_${prefix}${label.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

/** The env var of every spec, in order (first of each kind unsuffixed). */
export function envVarsFor(specs: readonly ServiceSpec[]): string[] {
  const counts: Partial<Record<ServiceKind, number>> = {};
  return specs.map((spec) => {
    const index = counts[spec.kind] ?? 0;
    counts[spec.kind] = index + 1;
    return envVarFor(spec, index);
  });
}
