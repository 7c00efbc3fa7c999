/**
 * Which test suite runs when the `suite` input is `auto`, from the event that started the workflow:
 * pull requests, merge queues and pushes run the critical suite (fast feedback on every change);
 * the nightly schedule and manual runs (workflow_dispatch) run everything (critical + non-critical).
 */
import type { SuiteInput } from './inputs.js';

export type Suite = Exclude<SuiteInput, 'auto'>;

const CRITICAL_EVENTS = new Set(['pull_request', 'pull_request_target', 'merge_group', 'push']);

export function suiteFor(input: SuiteInput, eventName: string): Suite {
  if (input !== 'auto') return input;
  return CRITICAL_EVENTS.has(eventName) ? 'critical' : 'all';
}
