/**
 * The gate as JUnit: one testcase per threshold (so the merged report lists them next to the tests), plus one
 * `run` testcase that carries a failure not tied to a threshold (k6 exit code, crashed service, no requests).
 */
import junitReportBuilder from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import type { GateReport } from '../types.js';

// The package's types declare an ES default export, but it ships CommonJS with `module.exports = builder`.
const junitBuilder = junitReportBuilder as unknown as Builder;

const figure = (n: number | null): string => (n === null ? 'n/a' : String(Number(n.toPrecision(6))));

/** `details`: multi-line context of a failure (e.g. the service's log tail), attached to the failing run case. */
export function gateJUnitXml(gate: GateReport, details?: string, suiteName = `load smoke gate (${gate.engine})`): string {
  const builder = junitBuilder.newBuilder();
  const suite = builder.testSuite().name(suiteName);
  if (gate.durationMs !== undefined) suite.time(gate.durationMs / 1000);
  const className = `load.${gate.engine}`;
  for (const t of gate.thresholds) {
    const tc = suite
      .testCase()
      .className(className)
      .name(`${t.metric} ${t.expression} [${t.source}]`)
      .standardOutput(`observed: ${figure(t.observed)}${t.note ? `\n${t.note}` : ''}`);
    if (!t.passed) {
      tc.failure(`${t.metric} ${t.expression} crossed: observed ${figure(t.observed)}${t.note ? ` (${t.note})` : ''}`, 'threshold');
    }
  }
  // A failure that is not one crossed threshold (k6 exit code, service crash, ...) gets its own case.
  const crossed = gate.thresholds.filter((t) => !t.passed).map((t) => `${t.metric} ${t.expression}`);
  const onlyThresholds = gate.reason === `thresholds crossed: ${crossed.join(', ')}`;
  if (!gate.passed && !onlyThresholds) {
    const tc = suite.testCase().className(className).name('load run').failure(gate.reason ?? 'the load gate failed', 'run');
    if (details) tc.standardError(details);
  }
  return builder.build();
}
