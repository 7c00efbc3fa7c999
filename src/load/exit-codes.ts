/** What k6's process exit codes mean (from k6's errext/exitcodes). */
export type K6Outcome =
  | 'ok'
  | 'thresholds-crossed'
  | 'cloud-error'
  | 'timeout'
  | 'stopped'
  | 'invalid-config'
  | 'interrupted'
  | 'api-error'
  | 'script-exception'
  | 'aborted'
  | 'crashed'
  | 'failed'
  | 'unknown';

export interface K6ExitDescription {
  outcome: K6Outcome;
  message: string;
}

const CODES: Record<number, K6ExitDescription> = {
  0: { outcome: 'ok', message: 'k6 finished and every script threshold passed' },
  97: { outcome: 'cloud-error', message: 'k6 exited 97: the cloud test run failed' },
  98: { outcome: 'cloud-error', message: 'k6 exited 98: the cloud test run failed (k6 cloud error)' },
  99: { outcome: 'thresholds-crossed', message: 'k6 exited 99: thresholds crossed (or aborted by abortOnFail)' },
  100: { outcome: 'timeout', message: 'k6 exited 100: setup() timed out (raise setupTimeout or make setup faster)' },
  101: { outcome: 'timeout', message: 'k6 exited 101: teardown() timed out (raise teardownTimeout)' },
  102: { outcome: 'timeout', message: 'k6 exited 102: the test run timed out' },
  103: { outcome: 'stopped', message: 'k6 exited 103: the test was stopped through the REST API' },
  104: {
    outcome: 'invalid-config',
    message: 'k6 exited 104: invalid configuration or threshold expression (check options.thresholds and the metric names; see the k6 log)',
  },
  105: { outcome: 'interrupted', message: 'k6 exited 105: interrupted by SIGINT/SIGTERM' },
  106: { outcome: 'api-error', message: 'k6 exited 106: its REST API failed' },
  107: { outcome: 'script-exception', message: 'k6 exited 107: the script threw an exception (see the k6 log for the stack)' },
  108: { outcome: 'aborted', message: 'k6 exited 108: the script called test.abort()' },
  109: { outcome: 'crashed', message: 'k6 exited 109: k6 crashed (Go panic)' },
  110: { outcome: 'failed', message: 'k6 exited 110: the script called test.fail()' },
};

export function describeK6ExitCode(code: number): K6ExitDescription {
  const known = CODES[code];
  if (known) return known;
  if (code === 255) return { outcome: 'unknown', message: 'k6 exited 255: an unspecified error (see the k6 log)' };
  return { outcome: 'unknown', message: `k6 exited ${code}: an unexpected exit code (see the k6 log)` };
}
