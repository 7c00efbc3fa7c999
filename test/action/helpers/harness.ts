/**
 * Runs the action the way the Actions runner does: INPUT_* variables (GitHub's name mangling), GITHUB_OUTPUT and
 * GITHUB_STEP_SUMMARY files, GITHUB_EVENT_PATH with a real-shaped event payload, GITHUB_API_URL at the fake API,
 * and the real @actions/core writing to those files and printing workflow commands on stdout. `runInProcess` calls
 * `run()` with the env injected; `runChild` runs `node <dist>/index.js` as a child process.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputEnvName } from '../../../src/action/inputs.js';
import { run, type ActionDeps, type ActionResult } from '../../../src/action/main.js';
import { actionsCore } from '../../../src/github/action-core.js';

export type EventFixture = 'pull_request' | 'pull_request_fork' | 'push' | 'schedule';

const EVENTS_DIR = fileURLToPath(new URL('../fixtures/events', import.meta.url));

const EVENT_NAME: Record<EventFixture, string> = {
  pull_request: 'pull_request',
  pull_request_fork: 'pull_request',
  push: 'push',
  schedule: 'schedule',
};

export interface RunnerSetup {
  /** The job's workspace (GITHUB_WORKSPACE), where the step runs. */
  workspace: string;
  event: EventFixture;
  apiUrl: string;
  /** Action inputs by their action.yml names (e.g. `working-directory`). */
  inputs: Record<string, string>;
  job?: string;
  workflowFile?: string;
}

export interface StepRun {
  env: Record<string, string>;
  outputs: Record<string, string>;
  summary: string;
  stdout: string;
  /** Workflow commands printed on stdout (`::error file=..::msg`), one per entry. */
  commands: string[];
  /** The step's exit code (process.exitCode set by core.setFailed in-process). */
  exitCode: number;
  result?: ActionResult;
}

/** The environment the runner gives the step. */
export function runnerEnv(setup: RunnerSetup, files: { output: string; summary: string; temp: string }): Record<string, string> {
  const event = JSON.parse(readFileSync(join(EVENTS_DIR, `${setup.event}.json`), 'utf8')) as { after?: string; pull_request?: { number: number } };
  const isPr = EVENT_NAME[setup.event] === 'pull_request';
  const workflowFile = setup.workflowFile ?? '.github/workflows/ci.yml';
  const ref = isPr ? `refs/pull/${event.pull_request?.number}/merge` : 'refs/heads/main';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: EVENT_NAME[setup.event],
    GITHUB_EVENT_PATH: join(EVENTS_DIR, `${setup.event}.json`),
    GITHUB_REPOSITORY: 'acme/users-api',
    GITHUB_REPOSITORY_OWNER: 'acme',
    GITHUB_SHA: isPr ? 'e5bd3914e2e596debea16f433f57875b5b90bcd6' : (event.after ?? 'a10867b14bb761a232cd80139fbd4c0d33264240'),
    GITHUB_REF: ref,
    GITHUB_WORKFLOW: 'CI',
    GITHUB_WORKFLOW_REF: `acme/users-api/${workflowFile}@${ref}`,
    GITHUB_JOB: setup.job ?? 'test',
    GITHUB_RUN_ID: '11223344556',
    GITHUB_RUN_NUMBER: '87',
    GITHUB_RUN_ATTEMPT: '1',
    GITHUB_ACTOR: 'octocat',
    GITHUB_ACTION: 'backend-ci',
    GITHUB_ACTION_PATH: fileURLToPath(new URL('../../..', import.meta.url)),
    GITHUB_API_URL: setup.apiUrl,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_GRAPHQL_URL: `${setup.apiUrl}/graphql`,
    GITHUB_WORKSPACE: setup.workspace,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_ENV: join(files.temp, 'env'),
    GITHUB_PATH: join(files.temp, 'path'),
    GITHUB_STATE: join(files.temp, 'state'),
    RUNNER_OS: 'Linux',
    RUNNER_ARCH: 'X64',
    RUNNER_TEMP: files.temp,
  };
  for (const [name, value] of Object.entries(setup.inputs)) env[inputEnvName(name)] = value;
  return env;
}

/** Parses the GITHUB_OUTPUT file: `name<<DELIMITER` heredocs (what @actions/core writes) and `name=value` lines. */
export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const [, name, delimiter] = heredoc as unknown as [string, string, string];
      const value: string[] = [];
      while (++i < lines.length && lines[i] !== delimiter) value.push(lines[i] ?? '');
      out[name] = value.join('\n');
    } else if (line.includes('=')) {
      out[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    }
  }
  return out;
}

function runnerFiles(): { dir: string; output: string; summary: string; temp: string } {
  const dir = mkdtempSync(join(tmpdir(), 'backend-ci-runner-'));
  const temp = join(dir, 'temp');
  mkdirSync(temp);
  const files = { dir, output: join(dir, 'output'), summary: join(dir, 'summary.md'), temp };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  return files;
}

function collect(files: { output: string; summary: string; dir: string }, env: Record<string, string>, stdout: string, exitCode: number): StepRun {
  const run: StepRun = {
    env,
    outputs: parseOutputFile(readFileSync(files.output, 'utf8')),
    summary: readFileSync(files.summary, 'utf8'),
    stdout,
    commands: stdout.split('\n').filter((l) => l.startsWith('::')),
    exitCode,
  };
  rmSync(files.dir, { recursive: true, force: true });
  return run;
}

/**
 * `run()` in this process with the runner's env injected. @actions/core reads GITHUB_OUTPUT / GITHUB_STEP_SUMMARY
 * from process.env and prints commands to process.stdout, so those two variables are set and stdout is captured
 * for the duration of the step, then restored.
 */
export async function runInProcess(setup: RunnerSetup, deps: Partial<ActionDeps> = {}): Promise<StepRun> {
  const files = runnerFiles();
  const env = runnerEnv(setup, files);
  const saved = { output: process.env.GITHUB_OUTPUT, summary: process.env.GITHUB_STEP_SUMMARY, exitCode: process.exitCode };
  const write = process.stdout.write.bind(process.stdout);
  let stdout = '';
  process.env.GITHUB_OUTPUT = files.output;
  process.env.GITHUB_STEP_SUMMARY = files.summary;
  process.exitCode = undefined;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    return true;
  }) as typeof process.stdout.write;
  let result: ActionResult;
  let exitCode: number;
  try {
    result = await run({
      env,
      cwd: setup.workspace,
      core: actionsCore(env),
      sleep: async () => {},
      stderr: { write: (chunk: string) => (stdout += chunk) },
      ...deps,
    });
  } finally {
    process.stdout.write = write;
    exitCode = Number(process.exitCode ?? 0);
    process.exitCode = saved.exitCode;
    if (saved.output === undefined) delete process.env.GITHUB_OUTPUT;
    else process.env.GITHUB_OUTPUT = saved.output;
    if (saved.summary === undefined) delete process.env.GITHUB_STEP_SUMMARY;
    else process.env.GITHUB_STEP_SUMMARY = saved.summary;
  }
  return { ...collect(files, env, stdout, exitCode), result };
}

/** `node <distDir>/index.js` as a child process, as the composite action's last step runs it. */
export async function runChild(setup: RunnerSetup, distDir: string): Promise<StepRun> {
  const files = runnerFiles();
  const env = runnerEnv(setup, files);
  const child = spawn(process.execPath, [join(distDir, 'index.js')], { cwd: setup.workspace, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString('utf8')));
  const exitCode = await new Promise<number>((resolve) => child.on('close', (code) => resolve(code ?? 1)));
  return collect(files, env, stdout, exitCode);
}
