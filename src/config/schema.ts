/**
 * The backend-ci config file (backend-ci.config.json, JSON with comments allowed), validated with zod.
 * Every key is optional: defaults come from the project's package.json scripts by convention.
 */
import { z } from 'zod';
import { localLoadConfigSchema } from '../load/local-engine.js';

export const STAGE_NAMES = ['install', 'lint', 'typecheck', 'unit', 'migrate', 'integration', 'load'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export const SUITES = ['critical', 'non-critical', 'all'] as const;
export type Suite = (typeof SUITES)[number];

export const PROVIDERS = ['embedded', 'external', 'containers'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

const envSchema = z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name'), z.string());
const seconds = z.number().positive().max(24 * 3600);
const percent = z.number().min(0).max(100);

/** Fields every stage accepts. */
const stageFields = {
  /** false turns the stage off. */
  enabled: z.boolean(),
  /** npm script to run (default: the conventional one, e.g. `lint`). */
  script: z.string().min(1),
  /** A shell command instead of an npm script (run with `sh -c`). */
  command: z.string().min(1),
  /** Stage timeout in seconds (default: `timeoutSec` at the top level, 900). */
  timeoutSec: seconds,
  /** Whether a failure of this stage fails the run (default true). */
  required: z.boolean(),
};

const plainStage = z.object(stageFields).partial().strict();

const testStage = z
  .object({
    ...stageFields,
    /**
     * `vitest`: backend-ci adds JUnit/coverage reporter flags and the critical/non-critical split itself.
     * `custom`: the command is run as is; `junit` and `coverage` say where it writes its reports.
     */
    runner: z.enum(['vitest', 'custom']),
    /** Glob(s) of JUnit XML files a custom runner writes (relative to the project). */
    junit: z.union([z.string().min(1), z.array(z.string().min(1))]),
    /** Glob(s) of coverage files a custom runner writes (json-summary, lcov or cobertura). */
    coverage: z.union([z.string().min(1), z.array(z.string().min(1))]),
    /** Collect coverage with vitest (default: true when @vitest/coverage-v8 or -istanbul is installed). */
    collectCoverage: z.boolean(),
  })
  .partial()
  .strict();

const loadStage = z
  .object({
    ...stageFields,
    /** Extra environment for the started service only (e.g. JWT_SECRET, CRM_URL). */
    env: envSchema,
    /** npm script that starts the service (default `start`). */
    startScript: z.string().min(1),
    /** k6 script (JavaScript or TypeScript), relative to the project. */
    k6Script: z.string().min(1),
    /** Gate: p95 of http_req_duration must stay below this many milliseconds. */
    p95Ms: z.number().positive(),
    /** Gate: share of failed requests must stay below this (0..1). */
    errorRate: z.number().min(0).max(1),
    /** Health endpoint polled before the load starts. */
    healthPath: z.string().startsWith('/'),
    /** How long the service may take to become healthy. */
    healthTimeoutSec: seconds,
    /** Fail when p95 regresses by more than this % against the base branch's last figures. */
    maxRegressionPct: z.number().positive(),
    /** The local load engine's settings (duration, virtual users, routes), used when k6 is not installed. */
    local: localLoadConfigSchema,
  })
  .partial()
  .strict();

export const configSchema = z
  .object({
    $schema: z.string(),
    /** Extra environment variables for every stage and the started service (e.g. JWT_SECRET for tests). */
    env: envSchema,
    /** Which integration tests run: `critical` on pull requests, `all` (or `non-critical`) nightly. */
    suite: z.enum(SUITES),
    /** How a test is marked critical: files matching `paths` globs, and/or tests whose name contains `tag`. */
    critical: z
      .object({
        paths: z.array(z.string().min(1)),
        tag: z.union([z.string().min(1), z.null()]),
      })
      .partial()
      .strict(),
    /** Services to provision, e.g. `postgres:16,redis:7` or ["postgres:15", "postgres:16", "redis"]; "" for none. */
    services: z.union([z.string(), z.array(z.string().min(1))]),
    /** Who provisions them. */
    provider: z.enum(PROVIDERS),
    /** How long a service may take to become ready. */
    servicesReadyTimeoutSec: seconds,
    /** Minimum coverage (%) per metric; below it the coverage check fails. */
    coverage: z.object({ lines: percent, branches: percent, functions: percent, statements: percent }).partial().strict(),
    /** Default stage timeout in seconds. */
    timeoutSec: seconds,
    /** Cancel everything at the first failed required stage. */
    failFast: z.boolean(),
    /** Report folder, relative to the project. */
    out: z.string().min(1),
    /**
     * Sharding the integration suites over several jobs (see src/shard). `files`: globs of the test files that are
     * split (default: test files under an `integration` folder or named `*.integration.test.*`); `durations`: the
     * duration history used to balance shards (default .backend-ci/durations.json); `plan`: a plan written by
     * `backend-ci plan --json` (overrides planning from durations); `index`/`total`: this run's shard (`--shard 2/3`).
     */
    shard: z
      .object({
        files: z.array(z.string().min(1)).min(1),
        durations: z.string().min(1),
        plan: z.string().min(1),
        index: z.number().int().min(1),
        total: z.number().int().min(1).max(256),
      })
      .partial()
      .strict(),
    stages: z
      .object({
        install: plainStage,
        lint: plainStage,
        typecheck: plainStage,
        unit: testStage,
        migrate: plainStage,
        integration: testStage,
        load: loadStage,
      })
      .partial()
      .strict(),
  })
  .partial()
  .strict();

export type ConfigFile = z.infer<typeof configSchema>;
export type TestStageConfig = z.infer<typeof testStage>;
export type LoadStageConfig = z.infer<typeof loadStage>;
