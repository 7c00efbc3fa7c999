/**
 * The `shard` stage of a sharded run (`backend-ci run --shard i/N`): decides which test files this shard runs and
 * records it in shard.json in the report folder, for the merge. The files come from a plan file (`--shard-plan`,
 * written by the workflow's plan job) or are planned here from the duration history: the same files and history
 * give the same plan on every machine.
 */
import { join } from 'node:path';
import type { ResolvedConfig, ResolvedSharding, ResolvedStage } from '../config/resolve.js';
import type { StageOutcome } from '../pipeline/scheduler.js';
import { DurationsError, emptyDurations, parseDurations, type Durations } from './durations.js';
import { parsePlan, PlanFileError } from './plan-file.js';
import { planShards, type ShardPlan } from './plan.js';
import { shardLabel, type ShardSpec } from './spec.js';
import { filesOfSuite, listShardFiles } from './files.js';
import { SHARD_MANIFEST, type ShardManifest } from './manifest.js';

/** What the shard stage hands to the integration stages. */
export interface ShardState {
  /** This shard's test files (project-relative), once the shard stage has run. */
  files: string[] | null;
}

/** A stage that runs in shard 1 only: in the other shards it is reported as skipped, saying where it runs. */
export function shardsOnlyInFirst<T extends ResolvedStage>(stage: T, shard: ShardSpec): T {
  if (shard.index === 1 || !stage.enabled) return stage;
  return { ...stage, enabled: false, disabledReason: `runs in shard 1/${shard.total}` };
}

export interface ShardStageInput {
  config: ResolvedConfig;
  sharding: ResolvedSharding;
  shard: ShardSpec;
  state: ShardState;
  env: NodeJS.ProcessEnv;
  glob(patterns: string[], cwd: string): Promise<string[]>;
  readText(path: string): Promise<string>;
  writeText(path: string, text: string): Promise<void>;
  now?: () => number;
}

/** The duration history; a missing file is an empty history (the first run has none). */
export async function readHistory(path: string, readText: (path: string) => Promise<string>): Promise<Durations> {
  let text: string;
  try {
    text = await readText(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyDurations();
    throw new DurationsError(`${path}: cannot be read (${(e as Error).message})`);
  }
  return parseDurations(text, path);
}

/** Plans (or reads the plan of) a sharded run, as `backend-ci plan` and `run --shard` both do. */
export async function planForConfig(
  config: ResolvedConfig,
  sharding: ResolvedSharding,
  total: number,
  io: Pick<ShardStageInput, 'glob' | 'readText'>,
): Promise<{ plan: ShardPlan; source: string }> {
  if (sharding.planPath) {
    const plan = parsePlan(await io.readText(sharding.planPath), sharding.planPath);
    if (plan.total !== total) {
      throw new PlanFileError(`${sharding.planPath}: the plan is for ${plan.total} shard(s), this run is one of ${total}; plan again with --shards ${total}`);
    }
    return { plan, source: `plan ${sharding.planPath}` };
  }
  const files = await filesOfSuite(await listShardFiles(sharding.files, config.projectDir, io.glob), config.suite, config.critical, config.projectDir, io);
  const history = await readHistory(sharding.durationsPath, io.readText);
  const known = files.filter((f) => history.files[f] !== undefined).length;
  return {
    plan: planShards(files, history, total),
    source: `${files.length} ${config.suite === 'all' ? '' : `${config.suite} `}test file(s), ${known} with a recorded duration (${sharding.durationsPath})`,
  };
}

export async function shardStageRun(input: ShardStageInput): Promise<StageOutcome> {
  const { config, sharding, shard } = input;
  let plan: ShardPlan;
  let source: string;
  try {
    ({ plan, source } = await planForConfig(config, sharding, shard.total, input));
  } catch (e) {
    if (e instanceof PlanFileError || e instanceof DurationsError) return { status: 'failed', reason: e.message };
    throw e;
  }
  const allFiles = plan.shards.flatMap((s) => s.files);
  if (allFiles.length === 0 && config.suite !== 'all') {
    input.state.files = [];
    return { status: 'passed', reason: `no ${config.suite} test files among ${sharding.files.join(', ')}; nothing to run in shard ${shardLabel(shard)}` };
  }
  if (allFiles.length === 0) {
    return {
      status: 'failed',
      reason: `no ${config.suite === 'all' ? '' : `${config.suite} `}test files to shard: nothing matches ${sharding.files.join(', ')}; set "shard": {"files": [globs]} in backend-ci.config.json`,
    };
  }
  const mine = plan.shards.find((s) => s.index === shard.index);
  const files = mine?.files ?? [];
  input.state.files = files;
  const manifest: ShardManifest = {
    version: 1,
    index: shard.index,
    total: shard.total,
    attempt: Number(input.env.GITHUB_RUN_ATTEMPT) || 1,
    startedAt: new Date((input.now ?? Date.now)()).toISOString(),
    files,
    expectedMs: mine?.expectedMs ?? 0,
  };
  await input.writeText(join(config.outDir, SHARD_MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
  const shown = files.slice(0, 5).join(', ') + (files.length > 5 ? `, +${files.length - 5} more` : '');
  return {
    status: 'passed',
    reason: `shard ${shardLabel(shard)}: ${files.length} of ${allFiles.length} test file(s), expected ${(manifest.expectedMs / 1000).toFixed(1)} s${
      files.length ? ` (${shown})` : ''
    }; from ${source}`,
  };
}
