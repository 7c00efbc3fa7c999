/**
 * A JUnit XML of the merged result (junit-report-builder) for downstream tools. The model does not keep every test
 * (that is what keeps memory flat), so this file holds the tests that need attention: every kept failed/errored
 * test (with message and stack trace) and every kept flaky test (as a passed test case with a note in system-out),
 * one `<testsuite>` per stage (or suite when no stage). The full counts are recorded as `<properties>` of each
 * suite (`backend-ci.total`, `.passed`, `.failed`, ...) and of a `backend-ci` summary suite. Passing tests stay in
 * the input files.
 */
import junitBuilderModule from 'junit-report-builder';
import type { Builder } from 'junit-report-builder';
import type { RunReport } from '../model.js';

// junit-report-builder is CommonJS: Node hands its `module.exports` (the builder) as the default import, while its
// types describe the transpiled `exports.default`; accept both shapes.
const mod = junitBuilderModule as unknown as Builder & { default?: Builder };
const rootBuilder: Builder = typeof mod.newBuilder === 'function' ? mod : (mod.default as Builder);

export function renderJUnit(r: RunReport): string {
  const builder = rootBuilder.newBuilder();
  builder.name(r.meta.title);
  const t = r.tests.totals;
  const summary = builder.testSuite().name(`${r.meta.title} summary`).time(t.durationMs / 1000);
  for (const [k, v] of Object.entries(t)) summary.property(`backend-ci.${k}`, String(v));
  summary.property('backend-ci.failedOmitted', String(r.tests.failedOmitted));
  summary.property('backend-ci.flakyOmitted', String(r.tests.flakyOmitted));
  summary.property('backend-ci.passed', String(r.passed));
  const suites = new Map<string, ReturnType<typeof builder.testSuite>>();
  const suiteFor = (name: string) => {
    let s = suites.get(name);
    if (!s) {
      s = builder.testSuite().name(name);
      suites.set(name, s);
    }
    return s;
  };
  for (const f of r.tests.failed) {
    const tc = suiteFor(f.stage ?? f.suite)
      .testCase()
      .className(f.classname)
      .name(f.name)
      .time(f.durationMs / 1000);
    if (f.file) tc.file(f.file);
    if (f.status === 'errored') tc.error(f.message, f.type, f.details);
    else tc.failure(f.message, f.type).stacktrace(f.details);
    if (f.output) tc.standardOutput(f.output);
  }
  for (const f of r.tests.flaky) {
    const tc = suiteFor(f.stage ?? f.suite).testCase().className(f.classname).name(f.name);
    if (f.file) tc.file(f.file);
    tc.standardOutput(`flaky: failed ${f.failedAttempts} time(s), then passed on retry${f.message ? `: ${f.message}` : ''}`);
  }
  return builder.build();
}
