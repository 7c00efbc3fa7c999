/**
 * Resolves what the pipeline will run: the config file and command-line overrides on top of conventions read from the
 * project's package.json (a stage runs when its conventional script exists, e.g. `lint`, `typecheck`, `test:unit`,
 * `db:migrate`, `test:integration`, `start`).
 */
import { join, resolve } from 'node:path';
import { localLoadConfigSchema } from '../load/local-engine.js';
import type { ServiceSpec } from '../services/types.js';
import { parseServiceSpecs, ServiceSpecError } from '../services/spec.js';
import { ConfigError } from './errors.js';
import type { ConfigFile, ProviderName, StageName, Suite } from './schema.js';
import { STAGE_NAMES } from './schema.js';

/** The npm script each stage runs when the config does not say otherwise. */
export const CONVENTIONAL_SCRIPTS: Record<Exclude<StageName, 'install'>, string> = {
  lint: 'lint',
  typecheck: 'typecheck',
  unit: 'test:unit',
  migrate: 'db:migrate',
  integration: 'test:integration',
  load: 'start',
};

export const DEFAULTS = {
  timeoutSec: 900,
  servicesReadyTimeoutSec: 60,
  services: 'postgres,redis',
  provider: 'embedded' as ProviderName,
  suite: 'all' as Suite,
  criticalPaths: ['**/critical/**'],
  criticalTag: '@critical',
  out: '.backend-ci/report',
  /** Test files the sharded suites are split by (integration tests by folder or name). */
  shardFiles: ['**/integration/**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', '**/*.integration.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
  durations: '.backend-ci/durations.json',
  healthPath: '/health',
  healthTimeoutSec: 30,
};

/** How a stage's process is started. */
export interface StageCommand {
  kind: 'npm-script' | 'shell';
  /** npm script name or shell command text. */
  value: string;
}

export interface ResolvedStage {
  name: StageName;
  enabled: boolean;
  /** Why the stage does not run (when enabled is false). */
  disabledReason?: string;
  /** Set when the stage is enabled but cannot run as configured (e.g. the configured script does not exist). */
  error?: string;
  command?: StageCommand;
  timeoutMs: number;
  required: boolean;
}

export interface ResolvedTestStage extends ResolvedStage {
  runner: 'vitest' | 'custom';
  junitGlobs: string[];
  coverageGlobs: string[];
  collectCoverage: boolean;
}

export interface ResolvedLoadStage extends ResolvedStage {
  /** Extra environment for the started service. */
  env: Record<string, string>;
  k6Script?: string;
  p95Ms?: number;
  errorRate?: number;
  healthPath: string;
  healthTimeoutMs: number;
  maxRegressionPct?: number;
  local: NonNullable<NonNullable<NonNullable<ConfigFile['stages']>['load']>['local']>;
}

/** How the integration suites are split into shards (src/shard). */
export interface ResolvedSharding {
  /** Globs (relative to the project) of the test files that are split. */
  files: string[];
  /** Absolute path of the duration history. */
  durationsPath: string;
  /** Absolute path of a plan written by `backend-ci plan --json`, when given. */
  planPath?: string;
  /** This run's shard; absent for an unsharded run. */
  shard?: { index: number; total: number };
}

export interface ResolvedConfig {
  projectDir: string;
  outDir: string;
  /** Config file that was read, if any. */
  configPath?: string;
  /** Extra environment for every stage (config `env`). */
  env: Record<string, string>;
  suite: Suite;
  critical: { paths: string[]; tag: string | null };
  services: ServiceSpec[];
  provider: ProviderName;
  servicesReadyTimeoutMs: number;
  coverageThresholds: NonNullable<ConfigFile['coverage']>;
  failFast: boolean;
  /** Sharding settings (absent in configs built by hand: no sharding). */
  sharding?: ResolvedSharding;
  stages: {
    install: ResolvedStage;
    lint: ResolvedStage;
    typecheck: ResolvedStage;
    unit: ResolvedTestStage;
    migrate: ResolvedStage;
    integration: ResolvedTestStage;
    load: ResolvedLoadStage;
  };
}

export interface ProjectFacts {
  /** `scripts` of the project's package.json. */
  scripts: Record<string, string>;
  /** Names of its dependencies and devDependencies. */
  dependencies: string[];
  hasLockfile: boolean;
}

export interface ResolveInput {
  projectDir: string;
  file: ConfigFile;
  /** Overrides from the command line (already validated against the same schema). */
  flags: ConfigFile;
  /** `--stages` (only these) and `--skip` (not these). */
  only?: StageName[];
  skip?: StageName[];
  project: ProjectFacts;
  configPath?: string;
  /** Label for messages about the config source, e.g. `backend-ci.config.json`. */
  configLabel?: string;
}

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/** Merges the config file and flags (flags win) one level deep per stage. */
function merge(file: ConfigFile, flags: ConfigFile): ConfigFile {
  const stages: NonNullable<ConfigFile['stages']> = { ...file.stages };
  for (const name of STAGE_NAMES) {
    const f = flags.stages?.[name];
    if (f) (stages as Record<string, unknown>)[name] = { ...file.stages?.[name], ...f };
  }
  return {
    ...file,
    ...flags,
    critical: { ...file.critical, ...flags.critical },
    shard: { ...file.shard, ...flags.shard },
    coverage: { ...file.coverage, ...flags.coverage },
    stages,
  };
}

export function resolveConfig(input: ResolveInput): ResolvedConfig {
  const cfg = merge(input.file, input.flags);
  const label = input.configLabel ?? 'backend-ci.config.json';
  const problems: string[] = [];
  const scripts = input.project.scripts;

  const selected = (name: StageName): string | undefined => {
    if (input.only && !input.only.includes(name)) return `not selected (--stages ${input.only.join(',')})`;
    if (input.skip?.includes(name)) return 'skipped by --skip';
    return undefined;
  };

  const base = (name: StageName): ResolvedStage => {
    const sc = cfg.stages?.[name];
    const timeoutMs = (sc?.timeoutSec ?? cfg.timeoutSec ?? DEFAULTS.timeoutSec) * 1000;
    const stage: ResolvedStage = { name, enabled: true, timeoutMs, required: sc?.required ?? true };
    const notSelected = selected(name);
    if (notSelected) return { ...stage, enabled: false, disabledReason: notSelected };
    if (sc?.enabled === false) return { ...stage, enabled: false, disabledReason: `disabled in ${label} (stages.${name}.enabled)` };
    if (name === 'install') {
      stage.command = sc?.command ? { kind: 'shell', value: sc.command } : { kind: 'shell', value: input.project.hasLockfile ? 'npm ci' : 'npm install' };
      return stage;
    }
    if (sc?.command) {
      stage.command = { kind: 'shell', value: sc.command };
      return stage;
    }
    const conventional = CONVENTIONAL_SCRIPTS[name];
    const script = (name === 'load' ? cfg.stages?.load?.startScript : sc?.script) ?? conventional;
    const explicit = name === 'load' ? cfg.stages?.load?.startScript !== undefined : sc?.script !== undefined;
    if (scripts[script] === undefined) {
      if (explicit || sc?.enabled === true) {
        stage.error = `package.json has no script "${script}" (named by stages.${name}${name === 'load' ? '.startScript' : '.script'} in ${label}); add the script or change the setting`;
      } else {
        return { ...stage, enabled: false, disabledReason: `no "${script}" script in package.json` };
      }
    }
    stage.command = { kind: 'npm-script', value: script };
    return stage;
  };

  const testStage = (name: 'unit' | 'integration'): ResolvedTestStage => {
    const sc = cfg.stages?.[name];
    const hasCoverageProvider = input.project.dependencies.some((d) => d === '@vitest/coverage-v8' || d === '@vitest/coverage-istanbul');
    return {
      ...base(name),
      runner: sc?.runner ?? 'vitest',
      junitGlobs: asList(sc?.junit),
      coverageGlobs: asList(sc?.coverage),
      collectCoverage: sc?.collectCoverage ?? hasCoverageProvider,
    };
  };

  const loadCfg = cfg.stages?.load;
  const load: ResolvedLoadStage = {
    ...base('load'),
    env: loadCfg?.env ?? {},
    healthPath: loadCfg?.healthPath ?? DEFAULTS.healthPath,
    healthTimeoutMs: (loadCfg?.healthTimeoutSec ?? DEFAULTS.healthTimeoutSec) * 1000,
    local: loadCfg?.local ?? localLoadConfigSchema.parse({}),
  };
  if (loadCfg?.k6Script !== undefined) load.k6Script = loadCfg.k6Script;
  if (loadCfg?.p95Ms !== undefined) load.p95Ms = loadCfg.p95Ms;
  if (loadCfg?.errorRate !== undefined) load.errorRate = loadCfg.errorRate;
  if (loadCfg?.maxRegressionPct !== undefined) load.maxRegressionPct = loadCfg.maxRegressionPct;

  let services: ServiceSpec[] = [];
  const servicesText = Array.isArray(cfg.services) ? cfg.services.join(',') : (cfg.services ?? DEFAULTS.services);
  try {
    services = servicesText.trim() === '' ? [] : parseServiceSpecs(servicesText);
  } catch (e) {
    if (e instanceof ServiceSpecError) problems.push(`services: ${e.message}`);
    else throw e;
  }

  const shardCfg = cfg.shard ?? {};
  if ((shardCfg.index === undefined) !== (shardCfg.total === undefined)) {
    problems.push('shard: give both the index and the count, e.g. --shard 2/3');
  } else if (shardCfg.index !== undefined && shardCfg.total !== undefined && shardCfg.index > shardCfg.total) {
    problems.push(`shard: index ${shardCfg.index} is outside 1..${shardCfg.total}; use --shard INDEX/COUNT with INDEX <= COUNT`);
  }
  const sharding: ResolvedSharding = {
    files: shardCfg.files ?? DEFAULTS.shardFiles,
    durationsPath: resolve(input.projectDir, shardCfg.durations ?? DEFAULTS.durations),
  };
  if (shardCfg.plan !== undefined && shardCfg.index === undefined) problems.push('shard.plan (--shard-plan) names a plan but no shard was chosen; add --shard INDEX/COUNT');
  if (shardCfg.plan !== undefined) sharding.planPath = resolve(input.projectDir, shardCfg.plan);
  if (shardCfg.index !== undefined && shardCfg.total !== undefined) sharding.shard = { index: shardCfg.index, total: shardCfg.total };

  if (problems.length) throw new ConfigError(problems);

  const tag = cfg.critical?.tag === undefined ? DEFAULTS.criticalTag : cfg.critical.tag;
  return {
    projectDir: input.projectDir,
    outDir: resolve(input.projectDir, cfg.out ?? DEFAULTS.out),
    ...(input.configPath ? { configPath: input.configPath } : {}),
    env: { ...input.file.env, ...input.flags.env },
    suite: cfg.suite ?? DEFAULTS.suite,
    critical: { paths: cfg.critical?.paths ?? DEFAULTS.criticalPaths, tag },
    services,
    provider: cfg.provider ?? DEFAULTS.provider,
    servicesReadyTimeoutMs: (cfg.servicesReadyTimeoutSec ?? DEFAULTS.servicesReadyTimeoutSec) * 1000,
    coverageThresholds: cfg.coverage ?? {},
    failFast: cfg.failFast ?? false,
    sharding,
    stages: {
      install: base('install'),
      lint: base('lint'),
      typecheck: base('typecheck'),
      unit: testStage('unit'),
      migrate: base('migrate'),
      integration: testStage('integration'),
      load,
    },
  };
}

/** Path of a stage's log file inside the report folder. */
export function stageLogPath(outDir: string, stageId: string): string {
  return join(outDir, 'logs', `${stageId.replace(/[^a-z0-9._-]+/gi, '-')}.log`);
}
