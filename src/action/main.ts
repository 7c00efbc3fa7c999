/**
 * The GitHub Action: reads the inputs, picks the suite from the event, runs the engine (`backend-ci run`) in-process,
 * publishes the report folder (outputs, sticky PR comment, annotations, job summary) and sets the job's result by
 * `fail-on`. Everything it touches (env, runner protocol, engine, GitHub API, sleep) is injected.
 */
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { runCommand } from '../cli/run.js';
import { actionsCore, type ActionCore } from '../github/action-core.js';
import { createGitHubApi, type GitHubApiFactory } from '../github/client.js';
import { ContextError, readEventPayload, readRunContext } from '../github/context.js';
import { publishReport, type PublishOutcome } from '../github/publish.js';
import { outputsFrom, readReportFolder } from '../github/report-folder.js';
import { mergeCommand, planJson, planProject, renderPlan, type PlanOptions } from '../shard/command.js';
import type { ShardPlan } from '../shard/plan.js';
import { commentKey } from '../github/sticky-comment.js';
import type { CliCommand, CliIO } from '../types.js';
import { engineArgs, mergeArgs, shardArgs } from './engine-args.js';
import { InputError, readInputs } from './inputs.js';
import { jobFailure } from './outcome.js';
import { suiteFor, type Suite } from './suite.js';

export interface ActionDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  core: ActionCore;
  /** The engine's `run` command. */
  runEngine: CliCommand;
  /** `backend-ci merge` (mode: merge). */
  runMerge: CliCommand;
  /** Plans the shards (mode: plan). */
  plan: (opts: PlanOptions) => Promise<ShardPlan>;
  createApi: GitHubApiFactory;
  sleep: (ms: number) => Promise<void>;
  stdout: CliIO['stdout'];
  stderr: CliIO['stderr'];
  readText?: (path: string) => string;
}

export interface ActionResult {
  suite?: Suite;
  engineExitCode?: number;
  /** The job failure message set with setFailed, if any. */
  failure: string | null;
  publish?: PublishOutcome;
}

/** The CliIO the engine gets, plus a hook to register values to mask as soon as they exist (generated passwords). */
export interface ActionCliIO extends CliIO {
  onSecret: (value: string) => void;
}

function defaults(env: NodeJS.ProcessEnv): ActionDeps {
  return {
    env,
    cwd: process.cwd(),
    core: actionsCore(env),
    runEngine: runCommand,
    runMerge: mergeCommand,
    plan: planProject,
    createApi: createGitHubApi,
    sleep: (ms) => new Promise((done) => setTimeout(done, ms)),
    stdout: process.stdout,
    stderr: process.stderr,
  };
}

export async function run(overrides: Partial<ActionDeps> = {}): Promise<ActionResult> {
  const deps: ActionDeps = { ...defaults(overrides.env ?? process.env), ...overrides };
  const { core, env } = deps;
  const fail = (message: string): ActionResult => {
    core.setFailed(message);
    return { failure: message };
  };

  let inputs;
  let context;
  try {
    inputs = readInputs(env);
    if (inputs.githubToken) core.setSecret(inputs.githubToken);
    context = readRunContext(env, readEventPayload(env, deps.readText));
  } catch (error) {
    if (error instanceof InputError || error instanceof ContextError) return fail(error.message);
    return fail(`backend-ci: ${(error as Error).message}`);
  }

  const suite = suiteFor(inputs.suite, context.eventName);
  const projectDir = resolve(deps.cwd, inputs.workingDirectory);
  const outDir = resolve(projectDir, '.backend-ci', 'report');
  core.info(`backend-ci: ${context.eventName || 'local'} event → ${suite} suite${inputs.suite === 'auto' ? ' (suite: auto)' : ''}; project ${projectDir}`);
  const durations = inputs.durations ? resolve(projectDir, inputs.durations) : '';

  if (inputs.mode === 'plan') {
    // The plan job: split the suite's test files into shards; the plan file goes to the shard jobs as an artifact.
    try {
      const plan = await deps.plan({
        shards: inputs.shards,
        cwd: deps.cwd,
        projectDir,
        suite,
        ...(inputs.config ? { configPath: inputs.config } : {}),
        ...(durations ? { durations } : {}),
      });
      const planPath = join(projectDir, '.backend-ci', 'plan.json');
      await mkdir(join(projectDir, '.backend-ci'), { recursive: true });
      await writeFile(planPath, `${JSON.stringify(planJson(plan), null, 2)}\n`);
      core.info(renderPlan(plan));
      core.setOutput('shards', JSON.stringify(plan.shards.map((x) => x.index)));
      core.setOutput('plan-path', planPath);
      await core.appendSummary(`### backend-ci plan (${suite})\n\n\`\`\`\n${renderPlan(plan)}\`\`\`\n`);
      return { suite, engineExitCode: 0, failure: null };
    } catch (error) {
      return fail(`backend-ci plan: ${(error as Error).message}`);
    }
  }

  const io: ActionCliIO = {
    cwd: deps.cwd,
    env,
    stdout: deps.stdout,
    stderr: deps.stderr,
    onSecret: (value) => {
      if (value) core.setSecret(value);
    },
  };
  let engineExitCode: number;
  try {
    // A report left by an earlier run in this workspace (self-hosted runners, re-runs) must not be published as this one's.
    await rm(outDir, { recursive: true, force: true });
    if (inputs.mode === 'merge') engineExitCode = await deps.runMerge(mergeArgs(inputs, suite, projectDir, outDir, deps.cwd, durations), io);
    else if (inputs.mode === 'shard') engineExitCode = await deps.runEngine(shardArgs(inputs, suite, projectDir, outDir, deps.cwd, durations), io);
    else engineExitCode = await deps.runEngine(engineArgs(inputs, suite, projectDir, outDir), io);
  } catch (error) {
    // Publish what exists (maybe nothing), then fail: the engine itself broke.
    engineExitCode = 3;
    core.error(`backend-ci engine error: ${(error as Error).message}`);
  }

  // Decide the outcome before publishing, so the check run's conclusion agrees with the job.
  const folder = await readReportFolder(outDir);
  const failure = engineExitCode === 3 ? 'backend-ci: the engine stopped with an internal error (see above).' : jobFailure(inputs.failOn, engineExitCode, folder.result);

  if (inputs.mode === 'shard') {
    // A shard publishes nothing (no comment, no annotations, no check run): the merge job reports the whole run once.
    for (const [name, value] of Object.entries(outputsFrom(folder))) core.setOutput(name, value);
    core.info(`backend-ci: shard ${inputs.shard}/${inputs.shards} done (exit code ${engineExitCode}); the merge job publishes the report.`);
    if (failure) core.setFailed(failure);
    return { suite, engineExitCode, failure };
  }

  let publish: PublishOutcome | undefined;
  try {
    const api = inputs.githubToken
      ? deps.createApi(inputs.githubToken, { apiUrl: context.apiUrl, owner: context.owner, repo: context.repo }, { sleep: deps.sleep, log: (l) => core.info(l) })
      : undefined;
    publish = await publishReport({
      outDir,
      folder,
      paths: { workspace: resolve(deps.cwd, env.GITHUB_WORKSPACE ?? '.'), projectDir },
      core,
      context,
      ...(api ? { api } : {}),
      comment: inputs.comment,
      annotations: inputs.annotations,
      // The merge job of a sharded run keeps the comment of the unsharded job (`backend-ci-merge` -> `backend-ci`), so
      // switching sharding on or off updates the same comment.
      commentKey: commentKey({
        workflow: context.workflow,
        job: inputs.mode === 'merge' ? context.job.replace(/-merge$/, '') : context.job,
        suite,
        override: inputs.commentKey,
      }),
      checkName: `backend-ci (${suite})`,
      conclusion: failure ? 'failure' : engineExitCode === 0 ? 'success' : 'neutral',
    });
  } catch (error) {
    core.warning(`backend-ci: publishing the report failed (${(error as Error).message}); the job result is not affected.`);
  }

  if (failure) core.setFailed(failure);
  return { suite, engineExitCode, failure, ...(publish ? { publish } : {}) };
}
