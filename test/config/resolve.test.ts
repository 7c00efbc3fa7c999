import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/errors.js';
import { resolveConfig, type ProjectFacts } from '../../src/config/resolve.js';

const fullProject: ProjectFacts = {
  scripts: { lint: 'eslint .', typecheck: 'tsc', 'test:unit': 'vitest run', 'db:migrate': 'migrate up', 'test:integration': 'vitest run', start: 'node .' },
  dependencies: ['vitest', '@vitest/coverage-v8'],
  hasLockfile: true,
};

describe('resolving the config against the project', () => {
  it('enables each stage whose conventional script exists, with defaults', () => {
    const c = resolveConfig({ projectDir: '/p', file: {}, flags: {}, project: fullProject });
    expect(c.stages.lint).toMatchObject({ enabled: true, command: { kind: 'npm-script', value: 'lint' }, timeoutMs: 900_000, required: true });
    expect(c.stages.unit).toMatchObject({ enabled: true, command: { value: 'test:unit' }, runner: 'vitest', collectCoverage: true });
    expect(c.stages.install.command).toEqual({ kind: 'shell', value: 'npm ci' });
    expect(c.stages.load.command).toEqual({ kind: 'npm-script', value: 'start' });
    expect(c.services.map((s) => s.kind)).toEqual(['postgres', 'redis']);
    expect(c).toMatchObject({ suite: 'all', provider: 'embedded', outDir: '/p/.backend-ci/report', critical: { paths: ['**/critical/**'], tag: '@critical' } });
  });

  it('turns a stage off when its conventional script is missing, saying why', () => {
    const c = resolveConfig({ projectDir: '/p', file: {}, flags: {}, project: { scripts: {}, dependencies: [], hasLockfile: false } });
    expect(c.stages.lint).toMatchObject({ enabled: false, disabledReason: 'no "lint" script in package.json' });
    expect(c.stages.install.command?.value).toBe('npm install');
    expect(c.stages.unit.collectCoverage).toBe(false);
  });

  it('keeps a stage whose configured script is missing, with an error that names the setting', () => {
    const c = resolveConfig({ projectDir: '/p', file: { stages: { lint: { script: 'lint:ci' } } }, flags: {}, project: fullProject });
    expect(c.stages.lint.enabled).toBe(true);
    expect(c.stages.lint.error).toBe(
      'package.json has no script "lint:ci" (named by stages.lint.script in backend-ci.config.json); add the script or change the setting',
    );
  });

  it('lets flags override the file, stage by stage', () => {
    const c = resolveConfig({
      projectDir: '/p',
      file: { suite: 'all', stages: { load: { p95Ms: 500, errorRate: 0.05 } }, coverage: { lines: 70 } },
      flags: { suite: 'critical', stages: { load: { p95Ms: 200 } }, coverage: { branches: 50 } },
      project: fullProject,
    });
    expect(c.suite).toBe('critical');
    expect(c.stages.load).toMatchObject({ p95Ms: 200, errorRate: 0.05 });
    expect(c.coverageThresholds).toEqual({ lines: 70, branches: 50 });
  });

  it('applies --stages and --skip with the reason on each stage left out', () => {
    const c = resolveConfig({ projectDir: '/p', file: {}, flags: {}, only: ['lint', 'unit'], skip: ['unit'], project: fullProject });
    expect(c.stages.lint.enabled).toBe(true);
    expect(c.stages.unit).toMatchObject({ enabled: false, disabledReason: 'skipped by --skip' });
    expect(c.stages.typecheck).toMatchObject({ enabled: false, disabledReason: 'not selected (--stages lint,unit)' });
  });

  it('runs a shell command instead of a script when the config gives one', () => {
    const c = resolveConfig({ projectDir: '/p', file: { stages: { lint: { command: 'biome check .' } } }, flags: {}, project: { ...fullProject, scripts: {} } });
    expect(c.stages.lint).toMatchObject({ enabled: true, command: { kind: 'shell', value: 'biome check .' } });
  });

  it('rejects a bad services list with the entry named', () => {
    try {
      resolveConfig({ projectDir: '/p', file: { services: 'postgres,mysql' }, flags: {}, project: fullProject });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).problems[0]).toMatch(/^services: .*"mysql"/);
    }
  });

  it('accepts an empty services list as "no services"', () => {
    expect(resolveConfig({ projectDir: '/p', file: { services: '' }, flags: {}, project: fullProject }).services).toEqual([]);
  });

  it('passes the config env to every stage, flags winning', () => {
    const c = resolveConfig({ projectDir: '/p', file: { env: { JWT_SECRET: 'a', CRM_URL: 'b' } }, flags: { env: { CRM_URL: 'c' } }, project: fullProject });
    expect(c.env).toEqual({ JWT_SECRET: 'a', CRM_URL: 'c' });
  });
});

describe('resolving the shard settings', () => {
  it('defaults to the integration test files and .backend-ci/durations.json; a shard comes from index and total', () => {
    const plain = resolveConfig({ projectDir: '/p', file: {}, flags: {}, project: fullProject });
    expect(plain.sharding).toEqual({
      files: ['**/integration/**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}', '**/*.integration.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'],
      durationsPath: '/p/.backend-ci/durations.json',
    });
    const sharded = resolveConfig({
      projectDir: '/p',
      file: { shard: { files: ['e2e/**/*.test.ts'] } },
      flags: { shard: { index: 1, total: 2, plan: 'plan.json' } },
      project: fullProject,
    });
    expect(sharded.sharding).toEqual({ files: ['e2e/**/*.test.ts'], durationsPath: '/p/.backend-ci/durations.json', planPath: '/p/plan.json', shard: { index: 1, total: 2 } });
  });

  it('rejects a plan without a shard and an index beyond the count', () => {
    const problems = (shard: object): string[] => {
      try {
        resolveConfig({ projectDir: '/p', file: { shard }, flags: {}, project: fullProject });
      } catch (e) {
        if (e instanceof ConfigError) return e.problems;
      }
      return [];
    };
    expect(problems({ plan: 'plan.json' })).toEqual(['shard.plan (--shard-plan) names a plan but no shard was chosen; add --shard INDEX/COUNT']);
    expect(problems({ index: 3, total: 2 })).toEqual(['shard: index 3 is outside 1..2; use --shard INDEX/COUNT with INDEX <= COUNT']);
    expect(problems({ total: 2 })).toEqual(['shard: give both the index and the count, e.g. --shard 2/3']);
  });
});
