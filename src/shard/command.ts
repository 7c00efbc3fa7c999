/**
 * `backend-ci plan` (split the integration test files into N balanced shards) and `backend-ci merge` (merge the
 * shards' report folders into one report).
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { glob } from 'tinyglobby';
import { ConfigError } from '../config/errors.js';
import { SUITES, type ConfigFile, type Suite } from '../config/schema.js';
import { renderTerminal } from '../reports/index.js';
import type { CliCommand, CliIO } from '../types.js';
import { loadProjectConfig } from './config.js';
import { DurationsError } from './durations.js';
import { mergeShards } from './merge.js';
import { PlanFileError } from './plan-file.js';
import { planMakespanMs, type ShardPlan } from './plan.js';
import { parseShardCount, ShardSpecError } from './spec.js';
import { planForConfig } from './stage.js';

export const PLAN_USAGE = `Usage: backend-ci plan --shards N [options]

Splits the project's integration test files into N shards balanced by their durations in earlier runs (longest
first, each onto the lightest shard; files without history count at the median duration). The same files and
durations always give the same plan. Run a shard with "backend-ci run --shard I/N".

Options:
  --shards N          number of shards (required)
  --cwd DIR           project directory (default: the current directory)
  --config FILE       config file (default: backend-ci.config.json in the project, if present)
  --suite S           critical | non-critical | all (default: all): plan only that suite's files
  --durations FILE    duration history (default: .backend-ci/durations.json in the project)
  --json              print the plan as JSON: {plan, matrix: {include: [{shard, total}]}, shards: [1..N]}
  -h, --help          this help
`;

export const MERGE_USAGE = `Usage: backend-ci merge --shards N [FOLDERS...] [options]

Merges the report folders of a sharded run (each written by "backend-ci run --shard I/N", or the folder
download-artifact filled with them) into one report: each test once, a re-run shard replacing its earlier attempt,
coverage unioned line by line, one row per shard (a missing shard fails the run). Updates the duration history.

Options:
  --shards N          number of shards the run was split into (required)
  --cwd DIR           project directory (default: the current directory)
  --config FILE       config file (for coverage thresholds)
  --out DIR           merged report folder (default: .backend-ci/report in the project)
  --suite S           suite shown in the report (default: all)
  --durations FILE    duration history to update (default: .backend-ci/durations.json; "" to leave it alone)
  --coverage-lines N  minimum line coverage % (also --coverage-branches, -functions, -statements)
  -h, --help          this help

Exit codes: 0 every shard passed, 1 a shard is missing or failed, a test failed or coverage was missed, 2 bad input.
`;

function bad(io: CliIO, command: string, problems: string[]): number {
  io.stderr.write(`backend-ci ${command}: ${problems.length > 1 ? '\n  ' : ''}${problems.join('\n  ')}\n`);
  return 2;
}

function suiteOf(v: string | undefined): Suite {
  if (v === undefined) return 'all';
  if (!(SUITES as readonly string[]).includes(v)) throw new ConfigError([`--suite: "${v}" is not a suite; allowed: ${SUITES.join(', ')}`]);
  return v as Suite;
}

function fmt(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

/** The plan as text: one block per shard. */
export function renderPlan(plan: ShardPlan): string {
  const lines = [`${plan.total} shard(s); slowest expected ${fmt(planMakespanMs(plan))}`];
  if (plan.unknown.length) lines.push(`${plan.unknown.length} file(s) without history, counted at ${fmt(plan.unknownMs)} each`);
  for (const s of plan.shards) {
    lines.push('', `shard ${s.index}/${plan.total}: ${s.files.length} file(s), expected ${fmt(s.expectedMs)}`);
    for (const f of s.files) lines.push(`  ${f}`);
  }
  return `${lines.join('\n')}\n`;
}

/** What `plan --json` prints: the plan, and the matrix the workflow's shard jobs use. */
export function planJson(plan: ShardPlan): { plan: ShardPlan; shards: number[]; matrix: { include: { shard: number; total: number }[] } } {
  const shards = plan.shards.map((s) => s.index);
  return { plan, shards, matrix: { include: shards.map((shard) => ({ shard, total: plan.total })) } };
}

export interface PlanOptions {
  shards: number;
  cwd: string;
  projectDir?: string;
  configPath?: string;
  suite?: Suite;
  durations?: string;
}

/** Plans from the project's config; shared by the CLI and the action's plan mode. */
export async function planProject(o: PlanOptions): Promise<ShardPlan> {
  const overlay: ConfigFile = { ...(o.suite ? { suite: o.suite } : {}), ...(o.durations ? { shard: { durations: resolve(o.cwd, o.durations) } } : {}) };
  const config = await loadProjectConfig({ cwd: o.cwd, ...(o.projectDir ? { projectDir: o.projectDir } : {}), ...(o.configPath ? { configPath: o.configPath } : {}), overlay });
  const io = {
    glob: async (patterns: string[], cwd: string) => (await glob(patterns, { cwd, ignore: ['**/node_modules/**', '**/.git/**'], onlyFiles: true, expandDirectories: false })).sort(),
    readText: (p: string) => readFile(p, 'utf8'),
  };
  const { plan } = await planForConfig(config, config.sharding!, o.shards, io);
  return plan;
}

export const planCommand: CliCommand = async (argv, io) => {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        shards: { type: 'string' },
        cwd: { type: 'string' },
        config: { type: 'string' },
        suite: { type: 'string' },
        durations: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return bad(io, 'plan', [`${(e as Error).message.split('\n')[0]}; see backend-ci plan --help`]);
  }
  if (values.help) {
    io.stdout.write(PLAN_USAGE);
    return 0;
  }
  if (values.shards === undefined) return bad(io, 'plan', ['--shards N is required, e.g. backend-ci plan --shards 3']);
  try {
    const plan = await planProject({
      shards: parseShardCount(values.shards as string),
      cwd: io.cwd,
      ...(values.cwd ? { projectDir: values.cwd as string } : {}),
      ...(values.config ? { configPath: values.config as string } : {}),
      suite: suiteOf(values.suite as string | undefined),
      ...(values.durations ? { durations: values.durations as string } : {}),
    });
    io.stdout.write(values.json ? `${JSON.stringify(planJson(plan))}\n` : renderPlan(plan));
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) return bad(io, 'plan', e.problems);
    if (e instanceof ShardSpecError || e instanceof DurationsError || e instanceof PlanFileError) return bad(io, 'plan', [e.message]);
    throw e;
  }
};

function percent(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100) throw new ConfigError([`${flag}: "${v}" is not a percentage; use a number from 0 to 100`]);
  return n;
}

export const mergeCommand: CliCommand = async (argv, io) => {
  let values: Record<string, string | boolean | undefined>;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: true,
      options: {
        shards: { type: 'string' },
        cwd: { type: 'string' },
        config: { type: 'string' },
        out: { type: 'string' },
        suite: { type: 'string' },
        durations: { type: 'string' },
        'coverage-lines': { type: 'string' },
        'coverage-branches': { type: 'string' },
        'coverage-functions': { type: 'string' },
        'coverage-statements': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return bad(io, 'merge', [`${(e as Error).message.split('\n')[0]}; see backend-ci merge --help`]);
  }
  if (values.help) {
    io.stdout.write(MERGE_USAGE);
    return 0;
  }
  if (values.shards === undefined) return bad(io, 'merge', ['--shards N is required: the number of shards the run was split into']);
  if (positionals.length === 0) return bad(io, 'merge', ["no folders given: pass the shards' report folders (or the folder holding them)"]);
  try {
    const total = parseShardCount(values.shards as string);
    const suite = suiteOf(values.suite as string | undefined);
    const thresholds = {
      lines: percent('--coverage-lines', values['coverage-lines'] as string | undefined),
      branches: percent('--coverage-branches', values['coverage-branches'] as string | undefined),
      functions: percent('--coverage-functions', values['coverage-functions'] as string | undefined),
      statements: percent('--coverage-statements', values['coverage-statements'] as string | undefined),
    };
    const coverage = Object.fromEntries(Object.entries(thresholds).filter(([, v]) => v !== undefined)) as ConfigFile['coverage'];
    const config = await loadProjectConfig({
      cwd: io.cwd,
      ...(values.cwd ? { projectDir: values.cwd as string } : {}),
      ...(values.config ? { configPath: values.config as string } : {}),
      overlay: {
        suite,
        ...(values.out ? { out: resolve(io.cwd, values.out as string) } : {}),
        ...(coverage && Object.keys(coverage).length ? { coverage } : {}),
        ...(values.durations ? { shard: { durations: resolve(io.cwd, values.durations as string) } } : {}),
      },
    });
    const r = await mergeShards({
      inputs: positionals.map((p) => resolve(io.cwd, p)),
      total,
      outDir: config.outDir,
      projectDir: config.projectDir,
      suite,
      env: io.env,
      coverageThresholds: config.coverageThresholds,
      ...(values.durations === '' ? {} : { durationsPath: config.sharding!.durationsPath }),
    });
    for (const n of r.notes) io.stdout.write(`  ${n}\n`);
    io.stdout.write(renderTerminal(r.report, { color: io.stdout.isTTY === true && !io.env.NO_COLOR }));
    io.stdout.write(`\nMerged report: ${config.outDir}/summary.md, report.html\n${r.exitCode === 0 ? 'backend-ci: PASSED' : 'backend-ci: FAILED'}\n`);
    return r.exitCode;
  } catch (e) {
    if (e instanceof ConfigError) return bad(io, 'merge', e.problems);
    if (e instanceof ShardSpecError || e instanceof DurationsError) return bad(io, 'merge', [e.message]);
    throw e;
  }
};
