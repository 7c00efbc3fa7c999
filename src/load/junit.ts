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

export function gateJUnitXml(gate: GateReport, suiteName = `load smoke gate (${gate.engine})`): string {
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
  const thresholdFailed = gate.thresholds.some((t) => !t.passed);
  if (!gate.passed && !thresholdFailed) {
    suite.testCase().className(className).name('load run').failure(gate.reason ?? 'the load gate failed', 'run');
  }
  return builder.build();
}
