/**
 * The GitHub Action: reads the inputs, picks the suite from the event, runs the engine (`backend-ci run`) in-process,
 * publishes the report folder (outputs, sticky PR comment, annotations, job summary) and sets the job's result by
 * `fail-on`. Everything it touches (env, runner protocol, engine, GitHub API, sleep) is injected.
 */
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { runCommand } from '../cli/run.js';
import { actionsCore, type ActionCore } from '../github/action-core.js';
import { createGitHubApi, type GitHubApiFactory } from '../github/client.js';
import { ContextError, readEventPayload, readRunContext } from '../github/context.js';
import { publishReport, type PublishOutcome } from '../github/publish.js';
import { readReportFolder } from '../github/report-folder.js';
import { commentKey } from '../github/sticky-comment.js';
import type { CliCommand, CliIO } from '../types.js';
import { engineArgs } from './engine-args.js';
import { InputError, readInputs } from './inputs.js';
import { jobFailure } from './outcome.js';
import { suiteFor, type Suite } from './suite.js';

export interface ActionDeps {
  env: NodeJS.ProcessEnv;
  cwd: string;
  core: ActionCore;
  /** The engine's `run` command. */
  runEngine: CliCommand;
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
    engineExitCode = await deps.runEngine(engineArgs(inputs, suite, projectDir, outDir), io);
  } catch (error) {
    // Publish what exists (maybe nothing), then fail: the engine itself broke.
    engineExitCode = 3;
    core.error(`backend-ci engine error: ${(error as Error).message}`);
  }

  // Decide the outcome before publishing, so the check run's conclusion agrees with the job.
  const folder = await readReportFolder(outDir);
  const failure = engineExitCode === 3 ? 'backend-ci: the engine stopped with an internal error (see above).' : jobFailure(inputs.failOn, engineExitCode, folder.result);

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
      commentKey: commentKey({ workflow: context.workflow, job: context.job, suite, override: inputs.commentKey }),
      checkName: `backend-ci (${suite})`,
      conclusion: failure ? 'failure' : engineExitCode === 0 ? 'success' : 'neutral',
    });
  } catch (error) {
    core.warning(`backend-ci: publishing the report failed (${(error as Error).message}); the job result is not affected.`);
  }

  if (failure) core.setFailed(failure);
  return { suite, engineExitCode, failure, ...(publish ? { publish } : {}) };
}
