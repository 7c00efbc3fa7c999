/** A self-contained HTML page of the report: inline CSS, no scripts, no external assets, everything escaped. */
import type { RunReport } from '../model.js';
import { COVERAGE_METRICS } from '../model.js';
import { escapeHtml as e, formatDuration, pct } from '../text.js';
import { failureText, locationText, locationUrl, STAGE_ICON, testTitle } from './common.js';

const CSS = `body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#1f2328}
h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;width:100%;margin:.5rem 0}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.num{text-align:right}.ok{color:#1a7f37}.bad{color:#cf222e}.warn{color:#9a6700}
pre{background:#f6f8fa;padding:8px;overflow:auto;white-space:pre-wrap;word-break:break-word}details{margin:.4rem 0}
summary{cursor:pointer}code{font-family:ui-monospace,monospace}`;

export function renderHtml(r: RunReport): string {
  const t = r.tests.totals;
  const h: string[] = [];
  const title = `${r.meta.title}${r.meta.suite ? ` (${r.meta.suite})` : ''}`;
  h.push(`<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">`);
  h.push(`<title>${e(title)}: ${r.passed ? 'passed' : 'failed'}</title><style>${CSS}</style></head><body>`);
  h.push(`<h1 class="${r.passed ? 'ok' : 'bad'}">${r.passed ? '✅' : '❌'} ${e(title)}: ${r.passed ? 'passed' : 'failed'}</h1>`);
  const meta: string[] = [];
  if (r.meta.ref) meta.push(`ref <code>${e(r.meta.ref)}</code>`);
  if (r.meta.sha) meta.push(`commit <code>${e(r.meta.sha)}</code>`);
  if (r.meta.runUrl) meta.push(`<a href="${e(r.meta.runUrl)}">workflow run</a>`);
  if (meta.length) h.push(`<p>${meta.join(' · ')}</p>`);
  h.push(
    `<p><b>${t.passed}</b> passed, <b class="${t.failed + t.errored ? 'bad' : ''}">${t.failed}</b> failed, ${t.errored} errored, ` +
      `${t.flaky} flaky, ${t.skipped} skipped, ${t.total} tests, ${e(formatDuration(t.durationMs))} test time</p>`,
  );
  if (r.stages.length) {
    h.push('<h2>Stages</h2><table><tr><th>Stage</th><th>Status</th><th class="num">Duration</th><th>Details</th></tr>');
    for (const s of r.stages) {
      h.push(
        `<tr><td>${e(s.title || s.id)}${s.required ? '' : ' (optional)'}</td><td class="${s.status === 'passed' ? 'ok' : s.status === 'skipped' ? '' : 'bad'}">${STAGE_ICON[s.status]} ${s.status}</td>` +
          `<td class="num">${s.status === 'skipped' ? '–' : e(formatDuration(s.durationMs))}</td><td>${e(s.reason ?? '')}</td></tr>`,
      );
    }
    h.push('</table>');
  }
  if (r.gate) {
    const g = r.gate;
    h.push(`<h2 class="${g.passed ? 'ok' : 'bad'}">Load gate (${e(g.engine)}): ${g.passed ? 'passed' : 'failed'}</h2>`);
    if (g.reason) h.push(`<p><b>${e(g.reason)}</b></p>`);
    h.push(`<p>${g.requests} requests · error rate ${(g.failedRate * 100).toFixed(2)}% · p95 ${g.p95Ms ?? 'n/a'} ms · p99 ${g.p99Ms ?? 'n/a'} ms</p>`);
    if (g.thresholds.length) {
      h.push('<table><tr><th>Metric</th><th>Threshold</th><th class="num">Observed</th><th>Result</th><th>Source</th></tr>');
      for (const th of g.thresholds) {
        h.push(
          `<tr><td><code>${e(th.metric)}</code></td><td><code>${e(th.expression)}</code></td><td class="num">${th.observed ?? 'n/a'}</td>` +
            `<td class="${th.passed ? 'ok' : 'bad'}">${th.passed ? 'pass' : 'fail'}${th.note ? ` (${e(th.note)})` : ''}</td><td>${th.source}</td></tr>`,
        );
      }
      h.push('</table>');
    }
  }
  if (r.tests.failed.length) {
    h.push(`<h2 class="bad">Failed tests (${t.failed + t.errored})</h2>`);
    for (const f of r.tests.failed) {
      const loc = locationText(f);
      const url = locationUrl(r.meta, f);
      const where = loc ? ` — ${url ? `<a href="${e(url)}">${e(loc)}</a>` : `<code>${e(loc)}</code>`}` : '';
      h.push(`<details><summary><b>${e(testTitle(f))}</b>${where}</summary><pre>${e(failureText(f.message, f.details))}</pre>`);
      if (f.output) h.push(`<p>Output (tail):</p><pre>${e(f.output)}</pre>`);
      h.push('</details>');
    }
    if (r.tests.failedOmitted > 0) h.push(`<p>…and ${r.tests.failedOmitted} more failed test(s) not kept in the report.</p>`);
  }
  if (r.tests.flaky.length) {
    h.push(`<h2 class="warn">Flaky tests (${t.flaky})</h2><table><tr><th>Test</th><th class="num">Failed attempts</th><th>Last failure</th></tr>`);
    for (const f of r.tests.flaky) h.push(`<tr><td>${e(testTitle(f))}</td><td class="num">${f.failedAttempts}</td><td>${e(f.message)}</td></tr>`);
    h.push('</table>');
    if (r.tests.flakyOmitted > 0) h.push(`<p>…and ${r.tests.flakyOmitted} more.</p>`);
  }
  if (r.coverage) {
    const c = r.coverage;
    h.push('<h2>Coverage</h2><table><tr><th>Metric</th><th class="num">Covered</th><th class="num">Threshold</th><th>Result</th></tr>');
    for (const m of COVERAGE_METRICS) {
      const v = c.totals[m];
      const th = c.thresholds.find((x) => x.metric === m);
      h.push(
        `<tr><td>${m}</td><td class="num">${v ? `${pct(v.pct)} (${v.covered}/${v.total})` : 'n/a'}</td><td class="num">${th ? `${th.minPct}%` : '–'}</td>` +
          `<td class="${th && !th.passed ? 'bad' : 'ok'}">${th ? (th.actualPct === null ? 'not measured' : th.passed ? 'pass' : 'below') : ''}</td></tr>`,
      );
    }
    h.push('</table>');
    if (c.files.length) {
      h.push(`<details><summary>${c.files.length} files</summary><table><tr><th>File</th><th class="num">Lines</th><th class="num">Branches</th><th class="num">Functions</th><th class="num">Statements</th></tr>`);
      for (const f of c.files) {
        const cell = (x: typeof f.lines) => (x ? `${pct(x.pct)} (${x.covered}/${x.total})` : 'n/a');
        h.push(`<tr><td><code>${e(f.path)}</code></td><td class="num">${cell(f.lines)}</td><td class="num">${cell(f.branches)}</td><td class="num">${cell(f.functions)}</td><td class="num">${cell(f.statements)}</td></tr>`);
      }
      h.push('</table></details>');
    }
  }
  if (r.tests.slowest.length) {
    h.push('<h2>Slowest tests</h2><table><tr><th>Test</th><th class="num">Duration</th></tr>');
    for (const s of r.tests.slowest) h.push(`<tr><td>${e(testTitle(s))}</td><td class="num">${e(formatDuration(s.durationMs))}</td></tr>`);
    h.push('</table>');
  }
  if (r.warnings.length) {
    h.push(`<h2 class="warn">Warnings (${r.warnings.length})</h2><ul>`);
    for (const w of r.warnings) h.push(`<li>${e(w.message)}<br><small>${e(w.hint)}</small></li>`);
    h.push('</ul>');
  }
  h.push('</body></html>\n');
  return h.join('\n');
}
