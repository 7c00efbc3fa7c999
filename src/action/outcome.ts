/**
 * Whether the job fails, by the `fail-on` input:
 *   any    — any required stage failed (the engine's exit code is not 0): tests, lint, typecheck, coverage, gate;
 *   tests  — a test failed, or a test stage (unit, integration) failed or timed out;
 *   gate   — the load smoke gate failed;
 *   never  — never (report only).
 * Unusable inputs or config (engine exit code 2) and an engine crash always fail the job: nothing was tested.
 * Reporting problems never fail it.
 */
import type { RunResult } from '../github/report-folder.js';
import type { FailOn } from './inputs.js';

const BAD_STATUSES = new Set(['failed', 'timed-out', 'cancelled']);

function failedStages(result: RunResult | undefined, pick: (id: string) => boolean): string[] {
  return (result?.stages ?? []).filter((s) => pick(s.id) && BAD_STATUSES.has(s.status)).map((s) => `${s.id} (${s.status})`);
}

const isTestStage = (id: string): boolean => id === 'unit' || id.startsWith('integration');

/** The failure message for the job, or null when it passes. */
export function jobFailure(failOn: FailOn, exitCode: number, result: RunResult | undefined): string | null {
  if (exitCode === 2) return 'backend-ci could not run: the inputs or the config file are invalid (see the errors above).';
  if (failOn === 'never') return null;
  if (failOn === 'any') {
    if (exitCode === 0) return null;
    const stages = failedStages(result, () => true);
    return `backend-ci failed${stages.length ? `: ${stages.join(', ')}` : ` (exit code ${exitCode})`}.`;
  }
  if (!result) return exitCode === 0 ? null : `backend-ci failed (exit code ${exitCode}) without writing result.json.`;
  if (failOn === 'tests') {
    const stages = failedStages(result, isTestStage);
    const failed = result.tests.failed ?? 0;
    if (failed === 0 && stages.length === 0) return null;
    return `backend-ci: ${failed} test(s) failed${stages.length ? ` (${stages.join(', ')})` : ''}.`;
  }
  const gateStage = failedStages(result, (id) => id === 'load');
  if (result.gate?.passed === false || gateStage.length > 0) return 'backend-ci: the load smoke gate failed.';
  return null;
}
