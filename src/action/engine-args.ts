/** The action's inputs as `backend-ci run` flags (see the engine contract); empty inputs leave the engine's default. */
import { resolve } from 'node:path';
import type { ActionInputs } from './inputs.js';
import type { Suite } from './suite.js';

export function engineArgs(inputs: ActionInputs, suite: Suite, projectDir: string, outDir: string): string[] {
  const args = ['--cwd', projectDir, '--suite', suite, '--out', outDir, '--provider', inputs.provider];
  const add = (flag: string, value: string): void => {
    if (value !== '') args.push(flag, value);
  };
  add('--config', inputs.config);
  add('--stages', inputs.stages);
  add('--services', inputs.services);
  add('--k6-script', inputs.k6Script);
  add('--p95-ms', inputs.p95Ms);
  add('--error-rate', inputs.errorRate);
  add('--coverage-lines', inputs.coverage.lines);
  add('--coverage-branches', inputs.coverage.branches);
  add('--coverage-functions', inputs.coverage.functions);
  add('--coverage-statements', inputs.coverage.statements);
  return args;
}

/** `backend-ci run` flags for one shard of a sharded run (mode: shard). */
export function shardArgs(inputs: ActionInputs, suite: Suite, projectDir: string, outDir: string, cwd: string, durations: string): string[] {
  const args = [...engineArgs(inputs, suite, projectDir, outDir), '--shard', `${inputs.shard}/${inputs.shards}`];
  if (inputs.shardPlan) args.push('--shard-plan', resolve(cwd, inputs.shardPlan));
  else if (durations) args.push('--durations', durations);
  return args;
}

/** `backend-ci merge` flags (mode: merge): the shards' folders, the report folder and the coverage thresholds. */
export function mergeArgs(inputs: ActionInputs, suite: Suite, projectDir: string, outDir: string, cwd: string, durations: string): string[] {
  const args = ['--shards', String(inputs.shards), '--cwd', projectDir, '--out', outDir, '--suite', suite];
  const add = (flag: string, value: string): void => {
    if (value !== '') args.push(flag, value);
  };
  add('--config', inputs.config);
  add('--durations', durations);
  add('--coverage-lines', inputs.coverage.lines);
  add('--coverage-branches', inputs.coverage.branches);
  add('--coverage-functions', inputs.coverage.functions);
  add('--coverage-statements', inputs.coverage.statements);
  args.push(resolve(cwd, inputs.mergeFrom));
  return args;
}
