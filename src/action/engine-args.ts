/** The action's inputs as `backend-ci run` flags (see the engine contract); empty inputs leave the engine's default. */
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
