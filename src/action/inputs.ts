/**
 * The action's inputs, read from the environment the runner gives a step: `INPUT_<NAME>` where the name has spaces
 * replaced by `_` and is upper-cased (hyphens are kept), exactly as @actions/core's getInput looks them up — but
 * from an injected env so tests run the same code. Bad values get an error naming the input and what is allowed.
 */
import type { AnnotationsMode } from '../github/publish.js';

export type SuiteInput = 'auto' | 'critical' | 'non-critical' | 'all';
export type FailOn = 'tests' | 'gate' | 'any' | 'never';
/**
 * What this step does: `all` the whole pipeline and publish (one job); for a sharded run over a matrix, `plan`
 * (split the test files into `shards` shards; outputs the matrix), `shard` (run shard `shard` of `shards`, publish
 * nothing), `merge` (merge the shards' report folders from `merge-from` and publish once).
 */
export type ActionMode = 'all' | 'plan' | 'shard' | 'merge';

export interface ActionInputs {
  workingDirectory: string;
  suite: SuiteInput;
  stages: string;
  services: string;
  provider: string;
  config: string;
  k6Script: string;
  p95Ms: string;
  errorRate: string;
  coverage: { lines: string; branches: string; functions: string; statements: string };
  githubToken: string;
  comment: boolean;
  commentKey: string;
  annotations: AnnotationsMode;
  failOn: FailOn;
  mode: ActionMode;
  /** Number of shards (1 = not sharded). */
  shards: number;
  /** This job's shard (mode shard), 1-based; 0 otherwise. */
  shard: number;
  /** Plan file written by the plan mode (mode shard; empty: plan from the duration history). */
  shardPlan: string;
  /** Folder holding the shards' report folders (mode merge). */
  mergeFrom: string;
  /** Duration history file (empty: .backend-ci/durations.json in the project). */
  durations: string;
}

export class InputError extends Error {
  override name = 'InputError';
}

export function inputEnvName(name: string): string {
  return `INPUT_${name.replace(/ /g, '_').toUpperCase()}`;
}

export function getInput(env: NodeJS.ProcessEnv, name: string): string {
  return (env[inputEnvName(name)] ?? '').trim();
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, allowed: readonly T[], fallback: T): T {
  const value = getInput(env, name) || fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new InputError(`Input "${name}" is "${value}"; allowed values: ${allowed.join(', ')}.`);
  }
  return value as T;
}

/** YAML 1.2 core-schema booleans, as @actions/core's getBooleanInput accepts them. */
function bool(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const value = getInput(env, name);
  if (value === '') return fallback;
  if (['true', 'True', 'TRUE'].includes(value)) return true;
  if (['false', 'False', 'FALSE'].includes(value)) return false;
  throw new InputError(`Input "${name}" is "${value}"; use true or false.`);
}

function number(env: NodeJS.ProcessEnv, name: string, check: (n: number) => boolean, what: string): string {
  const value = getInput(env, name);
  if (value === '') return '';
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new InputError(`Input "${name}" is "${value}"; expected ${what}.`);
  return value;
}

const percent = (n: number): boolean => n >= 0 && n <= 100;

function whole(env: NodeJS.ProcessEnv, name: string, min: number, max: number, fallback: number): number {
  const value = getInput(env, name);
  if (value === '') return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max) throw new InputError(`Input "${name}" is "${value}"; expected a whole number from ${min} to ${max}.`);
  return n;
}

function shardInputs(env: NodeJS.ProcessEnv): Pick<ActionInputs, 'mode' | 'shards' | 'shard' | 'shardPlan' | 'mergeFrom' | 'durations'> {
  const mode = oneOf<ActionMode>(env, 'mode', ['all', 'plan', 'shard', 'merge'], 'all');
  const shards = whole(env, 'shards', 1, 256, 1);
  const shardIndex = whole(env, 'shard', 1, shards, 0);
  const shard = mode === 'shard' ? shardIndex : 0;
  if (mode === 'shard' && shard === 0) throw new InputError('Input "shard" is required with mode: shard; set it to the matrix index, e.g. shard: ${{ matrix.shard }}.');
  const mergeFrom = getInput(env, 'merge-from');
  if (mode === 'merge' && !mergeFrom) throw new InputError('Input "merge-from" is required with mode: merge; set it to the folder download-artifact wrote the shard artifacts to.');
  return { mode, shards, shard, shardPlan: getInput(env, 'shard-plan'), mergeFrom, durations: getInput(env, 'durations') };
}

export function readInputs(env: NodeJS.ProcessEnv): ActionInputs {
  const annotationsRaw = getInput(env, 'annotations');
  // `true`/`false` are accepted as `auto`/`off` for convenience.
  const annotations =
    annotationsRaw === 'true' ? 'auto' : annotationsRaw === 'false' ? 'off' : oneOf<AnnotationsMode>(env, 'annotations', ['auto', 'checks', 'commands', 'off'], 'auto');
  return {
    workingDirectory: getInput(env, 'working-directory') || '.',
    suite: oneOf<SuiteInput>(env, 'suite', ['auto', 'critical', 'non-critical', 'all'], 'auto'),
    stages: getInput(env, 'stages'),
    services: getInput(env, 'services'),
    provider: oneOf(env, 'provider', ['containers', 'embedded', 'external'], 'containers'),
    config: getInput(env, 'config'),
    k6Script: getInput(env, 'k6-script'),
    p95Ms: number(env, 'p95-ms', (n) => n > 0, 'a latency limit in milliseconds, e.g. 300'),
    errorRate: number(env, 'error-rate', (n) => n >= 0 && n <= 1, 'a rate between 0 and 1, e.g. 0.01'),
    coverage: {
      lines: number(env, 'coverage-lines', percent, 'a percentage between 0 and 100'),
      branches: number(env, 'coverage-branches', percent, 'a percentage between 0 and 100'),
      functions: number(env, 'coverage-functions', percent, 'a percentage between 0 and 100'),
      statements: number(env, 'coverage-statements', percent, 'a percentage between 0 and 100'),
    },
    githubToken: getInput(env, 'github-token'),
    comment: bool(env, 'comment', true),
    commentKey: getInput(env, 'comment-key'),
    annotations,
    failOn: oneOf<FailOn>(env, 'fail-on', ['tests', 'gate', 'any', 'never'], 'any'),
    ...shardInputs(env),
  };
}
