/** Plain-text terminal report; colours (picocolors) only when the output is a TTY. */
import pc from 'picocolors';
import type { RunReport } from '../model.js';
import { COVERAGE_METRICS } from '../model.js';
import { formatDuration, headOf, pct } from '../text.js';
import { failureText, firstLines, locationText, testTitle } from './common.js';

export interface TerminalOptions {
  color?: boolean;
  /** Failed tests printed with details (default 20); the rest are counted. */
  maxFailed?: number;
  /** Lines of each failure's details (default 8). */
  detailLines?: number;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderTerminal(r: RunReport, opts: TerminalOptions = {}): string {
  const c = pc.createColors(opts.color ?? false);
  const out: string[] = [];
  const t = r.tests.totals;
  const verdict = r.passed ? c.green(c.bold('PASSED')) : c.red(c.bold('FAILED'));
  out.push(`${c.bold(r.meta.title)}${r.meta.suite ? ` (${r.meta.suite})` : ''}: ${verdict}`);
  out.push(
    `Tests: ${c.green(`${t.passed} passed`)}, ${t.failed + t.errored > 0 ? c.red(`${t.failed} failed`) : `${t.failed} failed`}` +
      `${t.errored ? `, ${c.red(`${t.errored} errored`)}` : ''}${t.flaky ? `, ${c.yellow(`${t.flaky} flaky`)}` : ''}` +
      `, ${t.skipped} skipped, ${t.total} total (${formatDuration(t.durationMs)} test time)`,
  );
  if (r.stages.length > 0) {
    out.push('', c.bold('Stages'));
    const w = Math.max(5, ...r.stages.map((s) => (s.title || s.id).length));
    for (const s of r.stages) {
      const st = s.status === 'passed' ? c.green(pad(s.status, 9)) : s.status === 'skipped' ? c.dim(pad(s.status, 9)) : c.red(pad(s.status, 9));
      const dur = s.status === 'skipped' ? '-' : formatDuration(s.durationMs);
      out.push(`  ${pad(s.title || s.id, w)}  ${st}  ${pad(dur, 10)}${s.reason ? `  ${headOf(s.reason, 200)}` : ''}`);
    }
  }
  if (r.tests.failed.length > 0) {
    const max = opts.maxFailed ?? 20;
    out.push('', c.bold(c.red(`Failed tests (${t.failed + t.errored})`)));
    for (const f of r.tests.failed.slice(0, max)) {
      const loc = locationText(f);
      out.push(`  ${c.red('✗')} ${testTitle(f)}${loc ? `  ${c.cyan(loc)}` : ''}`);
      const body = firstLines(failureText(f.message, f.details), opts.detailLines ?? 8);
      for (const line of body.split('\n')) out.push(`      ${c.dim(line)}`);
    }
    const more = t.failed + t.errored - Math.min(max, r.tests.failed.length);
    if (more > 0) out.push(`  …and ${more} more failed test(s): see summary.md / report.html`);
  }
  if (r.tests.flaky.length > 0) {
    out.push('', c.bold(c.yellow(`Flaky tests (${t.flaky})`)));
    for (const f of r.tests.flaky.slice(0, 10)) out.push(`  ${c.yellow('~')} ${testTitle(f)} (failed ${f.failedAttempts}x)`);
    if (t.flaky > 10) out.push(`  …and ${t.flaky - 10} more`);
  }
  if (r.coverage) {
    out.push('', c.bold('Coverage'));
    for (const m of COVERAGE_METRICS) {
      const v = r.coverage.totals[m];
      const th = r.coverage.thresholds.find((x) => x.metric === m);
      const thText = th ? (th.actualPct === null ? ` (min ${th.minPct}%: not measured)` : ` (min ${th.minPct}%: ${th.passed ? c.green('ok') : c.red('below')})`) : '';
      out.push(`  ${pad(m, 11)} ${v ? `${pad(pct(v.pct), 8)} ${v.covered}/${v.total}` : 'n/a'}${thText}`);
    }
  }
  if (r.gate) {
    const g = r.gate;
    out.push('', c.bold(`Load gate (${g.engine}): ${g.passed ? c.green('passed') : c.red('failed')}${g.reason ? ` - ${g.reason}` : ''}`));
    out.push(`  ${g.requests} requests, error rate ${(g.failedRate * 100).toFixed(2)}%, p95 ${g.p95Ms ?? 'n/a'} ms, p99 ${g.p99Ms ?? 'n/a'} ms`);
    for (const th of g.thresholds) {
      out.push(`  ${th.passed ? c.green('✓') : c.red('✗')} ${th.metric} ${th.expression} observed ${th.observed ?? 'n/a'}${th.note ? ` (${th.note})` : ''}`);
    }
  }
  if (r.warnings.length > 0) {
    out.push('', c.bold(c.yellow(`Warnings (${r.warnings.length})`)));
    for (const w of r.warnings.slice(0, 50)) out.push(`  ${c.yellow('!')} ${w.message}\n    ${c.dim(w.hint)}`);
    if (r.warnings.length > 50) out.push(`  …and ${r.warnings.length - 50} more`);
  }
  return out.join('\n') + '\n';
}
