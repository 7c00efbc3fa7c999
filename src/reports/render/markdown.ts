/**
 * Markdown renderers: the GitHub job summary (<= 1 MiB) and the sticky PR comment (<= 65,536 characters).
 * Both show, in order: headline, stage table, stage-duration chart, load gate, failed tests, flaky tests,
 * coverage, slowest tests, warnings. When the output would exceed its budget, lists are cut (failed tests keep
 * the largest share) and each cut list says how many entries were left out. The fixed parts (headline, tables
 * of stages, gate and coverage totals) are always present.
 */
import type { StageResult } from '../../types.js';
import type { CoverageCounter, CoverageFile, CoverageReport, FailedTest, FlakyTest, ReportWarning, RunReport, SlowTest } from '../model.js';
import { COVERAGE_METRICS } from '../model.js';
import { escapeHtml, formatDuration, headOf, pct } from '../text.js';
import { codeBlock, failureText, firstLines, locationText, locationUrl, mdCode, mdInline, STAGE_ICON, testTitle } from './common.js';

/** GitHub drops job summaries over 1 MiB; keep a margin for the step's other output. */
export const SUMMARY_MAX_BYTES = 1024 * 1024 - 16 * 1024;
/** GitHub rejects comment bodies over 65,536 characters. */
export const COMMENT_MAX_CHARS = 65_536;
export const DEFAULT_COMMENT_MARKER = '<!-- backend-ci:report -->';

export interface MarkdownOptions {
  /** Budget; measured in UTF-8 bytes for the summary, in characters for the comment. */
  maxSize?: number;
  /** Include the mermaid chart of stage durations (default: when at least two stages ran). */
  chart?: boolean;
  /** Max lines of each failure's details shown (default 40 in the summary, 12 in the comment). */
  detailLines?: number;
}

export interface CommentOptions extends MarkdownOptions {
  /** Hidden marker the publisher looks for to update its comment (default `<!-- backend-ci:report -->`). */
  marker?: string;
}

type Measure = (s: string) => number;
const bytes: Measure = (s) => Buffer.byteLength(s, 'utf8');
const chars: Measure = (s) => s.length;

/** A list section: a header, items (cut to fit the budget) and a note about the cut. */
interface ListSection {
  key: string;
  head: string;
  /** Number of items; items are rendered lazily, so a huge list costs only what fits. */
  count: number;
  item: (i: number) => string;
  /** Entries known to exist but never rendered (e.g. failures beyond the model's kept list). */
  alreadyOmitted: number;
  /** Rendered after the items, e.g. `</details>`. */
  foot?: string;
  omittedNote: (n: number) => string;
}

function headline(r: RunReport): string {
  const t = r.tests.totals;
  const m = r.meta;
  const title = `${m.title}${m.suite ? ` (${m.suite})` : ''}`;
  const bad = t.failed + t.errored;
  const lines: string[] = [];
  lines.push(`## ${r.passed ? '✅' : '❌'} ${mdInline(title)}: ${r.passed ? 'passed' : 'failed'}`);
  const counts: string[] = [];
  if (t.total === 0) counts.push('no test results');
  else {
    counts.push(`**${t.passed}** passed`);
    counts.push(bad > 0 ? `**${t.failed}** failed` : `${t.failed} failed`);
    if (t.errored > 0) counts.push(`**${t.errored}** errored`);
    if (t.flaky > 0) counts.push(`${t.flaky} flaky`);
    counts.push(`${t.skipped} skipped`);
    counts.push(`${t.total} tests`);
  }
  const extras: string[] = [];
  if (t.total > 0) extras.push(`${formatDuration(t.durationMs)} test time`);
  const lc = r.coverage?.totals.lines;
  if (lc) extras.push(`lines ${pct(lc.pct)}`);
  if (r.gate) extras.push(`load gate ${r.gate.passed ? 'passed' : 'failed'}`);
  if (r.warnings.length > 0) extras.push(`⚠️ ${r.warnings.length} warning(s)`);
  const ref: string[] = [];
  if (m.ref) ref.push(mdCode(m.ref));
  if (m.sha) ref.push(mdCode(m.sha.slice(0, 12)));
  if (m.runUrl) ref.push(`[run](${m.runUrl})`);
  lines.push('');
  lines.push([counts.join(', '), ...extras, ...ref].join(' · '));
  return lines.join('\n') + '\n';
}

function stageTable(stages: readonly StageResult[]): string {
  if (stages.length === 0) return '';
  const rows = ['| Stage | Status | Duration | Details |', '| --- | --- | --: | --- |'];
  for (const s of stages) {
    const req = s.required ? '' : ' (optional)';
    const dur = s.status === 'skipped' ? '–' : formatDuration(s.durationMs);
    rows.push(
      `| ${mdInline(s.title || s.id)}${req} | ${STAGE_ICON[s.status]} ${s.status} | ${dur} | ${mdInline(headOf(s.reason ?? '', 300))} |`,
    );
  }
  return `\n### Stages\n\n${rows.join('\n')}\n`;
}

/** A mermaid gantt chart of the stages that ran, when start times are known. */
export function stageChart(stages: readonly StageResult[]): string {
  const ran = stages.filter((s) => s.startedAtMs !== undefined && s.durationMs > 0 && s.status !== 'skipped');
  if (ran.length < 2) return '';
  const t0 = Math.min(...ran.map((s) => s.startedAtMs as number));
  const lines = ['```mermaid', 'gantt', '  title Stage durations', '  dateFormat x', '  axisFormat %M:%S', '  section Stages'];
  ran.forEach((s, i) => {
    const name = (s.title || s.id).replace(/[:;#\n]/g, ' ').trim() || `stage ${i + 1}`;
    const tag = s.status === 'passed' ? 'done' : 'crit';
    const start = (s.startedAtMs as number) - t0;
    lines.push(`  ${name} (${formatDuration(s.durationMs)}) :${tag}, s${i}, ${start}, ${start + Math.round(s.durationMs)}`);
  });
  lines.push('```');
  return `\n${lines.join('\n')}\n`;
}

function gateSection(r: RunReport): string {
  const g = r.gate;
  if (!g) return '';
  const out: string[] = [];
  out.push(`\n### ${g.passed ? '✅' : '❌'} Load gate (${g.engine === 'k6' ? 'k6' : 'local engine'})\n`);
  const facts = [
    `${g.requests} requests`,
    `error rate ${(g.failedRate * 100).toFixed(2)}%`,
    `p95 ${g.p95Ms === null ? 'n/a' : `${g.p95Ms.toFixed(1)} ms`}`,
    `p99 ${g.p99Ms === null ? 'n/a' : `${g.p99Ms.toFixed(1)} ms`}`,
  ];
  if (g.durationMs !== undefined) facts.push(`over ${formatDuration(g.durationMs)}`);
  out.push(facts.join(' · '));
  if (g.reason) out.push(`\n**${mdInline(g.reason)}**`);
  if (g.baseline) {
    const b = g.baseline;
    const change = b.p95ChangePct === null ? 'n/a' : `${b.p95ChangePct > 0 ? '+' : ''}${b.p95ChangePct.toFixed(1)}%`;
    out.push(
      `\nAgainst ${mdCode(b.ref)}: p95 ${b.p95Ms === null ? 'n/a' : `${b.p95Ms.toFixed(1)} ms`} → change ${change}` +
        (b.errorRate === null ? '' : `, error rate then ${(b.errorRate * 100).toFixed(2)}%`),
    );
  }
  if (g.thresholds.length > 0) {
    out.push('\n| Metric | Threshold | Observed | Result | Source |\n| --- | --- | --: | --- | --- |');
    for (const t of g.thresholds) {
      const obs = t.observed === null ? 'n/a' : formatObserved(t.metric, t.observed);
      const note = t.note ? ` (${mdInline(t.note)})` : '';
      out.push(`| ${mdCode(t.metric)} | ${mdCode(t.expression)} | ${obs} | ${t.passed ? '✅ pass' : '❌ fail'}${note} | ${t.source} |`);
    }
  }
  return out.join('\n') + '\n';
}

function formatObserved(metric: string, v: number): string {
  if (/rate|failed|checks/i.test(metric) && v >= 0 && v <= 1) return `${(v * 100).toFixed(2)}%`;
  return `${Math.round(v * 100) / 100}${/duration|waiting|time/i.test(metric) ? ' ms' : ''}`;
}

function counterCell(c: CoverageCounter | null): string {
  return c ? `${pct(c.pct)} (${c.covered}/${c.total})` : 'n/a';
}

function coverageHead(c: CoverageReport): string {
  const out = ['\n### Coverage\n', '| Metric | Covered | Threshold | Result |', '| --- | --: | --: | --- |'];
  for (const m of COVERAGE_METRICS) {
    const th = c.thresholds.find((t) => t.metric === m);
    const res = !th ? '' : th.actualPct === null ? '⚠️ not measured' : th.passed ? '✅' : '❌ below';
    out.push(`| ${m} | ${counterCell(c.totals[m])} | ${th ? `${th.minPct}%` : '–'} | ${res} |`);
  }
  return out.join('\n') + '\n';
}

function failedItem(r: RunReport, detailLines: number, compact: boolean): (i: number) => string {
  return (i) => {
    const f = r.tests.failed[i] as FailedTest;
    const loc = locationText(f);
    const url = locationUrl(r.meta, f);
    // <summary> is an HTML block: HTML escaping only (markdown escapes would show literally)
    const where = loc ? ` — ${url ? `<a href="${escapeHtml(url)}">${escapeHtml(loc)}</a>` : `<code>${escapeHtml(loc)}</code>`}` : '';
    const icon = f.status === 'errored' ? '💥' : '❌';
    const retries = f.attempts > 1 ? ` (failed ${f.attempts} attempts)` : '';
    const body: string[] = [firstLines(headOf(failureText(f.message, f.details), compact ? 4000 : 12000), detailLines)];
    if (!compact && f.output) body.push('', '--- output (tail) ---', f.output);
    return `<details><summary>${icon} <b>${escapeHtml(testTitle(f).replace(/[\r\n]+/g, ' '))}</b>${where}${retries}</summary>\n\n${codeBlock(body.join('\n'))}\n\n</details>\n`;
  };
}

function flakyItem(r: RunReport): (i: number) => string {
  return (i) => {
    const f = r.tests.flaky[i] as FlakyTest;
    const loc = locationText(f);
    const url = locationUrl(r.meta, f);
    const where = loc ? (url ? `[${mdInline(loc)}](${url})` : mdCode(loc)) : '';
    return `| ${mdInline(testTitle(f))} | ${f.failedAttempts} | ${mdInline(headOf(f.message, 200))} | ${where} |\n`;
  };
}

function slowItem(r: RunReport): (i: number) => string {
  return (i) => {
    const s = r.tests.slowest[i] as SlowTest;
    return `| ${i + 1} | ${mdInline(testTitle(s))} | ${formatDuration(s.durationMs)} |\n`;
  };
}

function coverageFileItem(c: CoverageReport): (i: number) => string {
  const key = (f: CoverageFile) => f.lines?.pct ?? f.statements?.pct ?? 100;
  const sorted = [...c.files].sort((a, b) => key(a) - key(b));
  return (i) => {
    const f = sorted[i] as CoverageFile;
    return `| ${mdCode(f.path)} | ${counterCell(f.lines)} | ${counterCell(f.branches)} | ${counterCell(f.functions)} | ${counterCell(f.statements)} |\n`;
  };
}

function sections(r: RunReport, detailLines: number, compact: boolean): { fixed: Map<string, string>; lists: ListSection[] } {
  const fixed = new Map<string, string>();
  fixed.set('headline', headline(r));
  fixed.set('stages', stageTable(r.stages));
  fixed.set('gate', gateSection(r));
  fixed.set('coverage', r.coverage ? coverageHead(r.coverage) : '');
  const t = r.tests;
  const lists: ListSection[] = [];
  const bad = t.totals.failed + t.totals.errored;
  if (bad > 0) {
    lists.push({
      key: 'failed',
      head: `\n### ❌ Failed tests (${bad})\n\n`,
      count: t.failed.length,
      item: failedItem(r, detailLines, compact),
      alreadyOmitted: t.failedOmitted,
      omittedNote: (n) => `\n_…and ${n} more failed test(s) not shown (size limit); see the full report artifact._\n`,
    });
  }
  if (t.totals.flaky > 0) {
    lists.push({
      key: 'flaky',
      head: `\n### ⚠️ Flaky tests (${t.totals.flaky}): failed, then passed on retry\n\n| Test | Failed attempts | Last failure | Location |\n| --- | --: | --- | --- |\n`,
      count: t.flaky.length,
      item: flakyItem(r),
      alreadyOmitted: t.flakyOmitted,
      omittedNote: (n) => `\n_…and ${n} more flaky test(s) not shown._\n`,
    });
  }
  if (r.coverage && r.coverage.files.length > 0) {
    lists.push({
      key: 'coverageFiles',
      head: `\n<details><summary>Coverage per file (${r.coverage.files.length} files, least covered first)</summary>\n\n| File | Lines | Branches | Functions | Statements |\n| --- | --: | --: | --: | --: |\n`,
      count: r.coverage.files.length,
      item: coverageFileItem(r.coverage),
      alreadyOmitted: 0,
      foot: '\n</details>\n',
      omittedNote: (n) => `\n_…and ${n} more file(s) not shown._\n`,
    });
  }
  if (t.slowest.length > 0) {
    lists.push({
      key: 'slowest',
      head: `\n### 🐢 Slowest tests\n\n| # | Test | Duration |\n| --: | --- | --: |\n`,
      count: t.slowest.length,
      item: slowItem(r),
      alreadyOmitted: 0,
      omittedNote: (n) => `\n_…and ${n} more not shown._\n`,
    });
  }
  if (r.warnings.length > 0) {
    lists.push({
      key: 'warnings',
      head: `\n### ⚠️ Warnings (${r.warnings.length})\n\n`,
      count: r.warnings.length,
      item: (i) => {
        const w = r.warnings[i] as ReportWarning;
        return `- ${mdInline(headOf(w.message, 1000))}  \n  ↳ ${mdInline(headOf(w.hint, 500))}\n`;
      },
      alreadyOmitted: 0,
      omittedNote: (n) => `\n_…and ${n} more warning(s) not shown._\n`,
    });
  }
  return { fixed, lists };
}

/** Priority in which list sections get the budget (failed first, but never all of it). */
const PRIORITY = ['failed', 'warnings', 'flaky', 'slowest', 'coverageFiles'];
const ORDER = ['headline', 'stages', 'chart', 'gate', 'failed', 'flaky', 'coverage', 'coverageFiles', 'slowest', 'warnings'];

function assemble(r: RunReport, budget: number, measure: Measure, opts: MarkdownOptions, compact: boolean, prefix = ''): string {
  const { fixed, lists } = sections(r, opts.detailLines ?? (compact ? 12 : 40), compact);
  if (opts.chart ?? true) fixed.set('chart', stageChart(r.stages));
  // Reserve the fixed parts, list heads/feet and a worst-case omitted note per list.
  let used = measure(prefix);
  for (const v of fixed.values()) used += measure(v);
  for (const l of lists) used += measure(l.head) + measure(l.foot ?? '') + measure(l.omittedNote(999_999_999));
  const tail = '\n';
  used += measure(tail);
  const taken = new Map<string, number>();
  // Fixed parts alone over budget (pathological: huge stage reasons); cut from the end as a last resort.
  let remaining = budget - used;
  const byKey = new Map(lists.map((l) => [l.key, l]));
  const rendered = new Map<string, string[]>();
  const take = (l: ListSection, share: number): void => {
    let n = taken.get(l.key) ?? 0;
    const items = rendered.get(l.key) ?? [];
    rendered.set(l.key, items);
    let spent = 0;
    while (n < l.count) {
      const text = l.item(n);
      const size = measure(text);
      if (size > share - spent || size > remaining) break;
      spent += size;
      remaining -= size;
      items.push(text);
      n++;
    }
    taken.set(l.key, n);
  };
  // Pass 1: failed tests get up to 70 % of the room; the others then share what is left; pass 2 gives
  // failed tests whatever remains.
  for (const key of PRIORITY) {
    const l = byKey.get(key);
    if (!l) continue;
    take(l, key === 'failed' ? Math.floor(remaining * 0.7) : remaining);
  }
  const failed = byKey.get('failed');
  if (failed) take(failed, remaining);

  const parts: string[] = [prefix];
  for (const key of ORDER) {
    const f = fixed.get(key);
    if (f !== undefined) {
      parts.push(f);
      continue;
    }
    const l = byKey.get(key);
    if (!l) continue;
    const n = taken.get(key) ?? 0;
    parts.push(l.head);
    parts.push(...(rendered.get(key) ?? []));
    const omitted = l.count - n + l.alreadyOmitted;
    if (omitted > 0) parts.push(l.omittedNote(omitted));
    if (l.foot) parts.push(l.foot);
  }
  parts.push(tail);
  let out = parts.join('');
  if (measure(out) > budget) out = hardCut(out, budget, measure);
  return out;
}

/** Last resort when even the fixed parts do not fit: cut and say so. */
function hardCut(s: string, budget: number, measure: Measure): string {
  const note = '\n\n_…report cut at the size limit._\n';
  let lo = 0;
  let hi = s.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (measure(s.slice(0, mid)) + measure(note) <= budget) lo = mid;
    else hi = mid - 1;
  }
  return s.slice(0, lo) + note;
}

/** The GitHub job summary: markdown within `maxSize` UTF-8 bytes (default just under 1 MiB). */
export function renderSummaryMarkdown(r: RunReport, opts: MarkdownOptions = {}): string {
  return assemble(r, opts.maxSize ?? SUMMARY_MAX_BYTES, bytes, opts, false);
}

/** The sticky PR comment: starts with the hidden marker, within `maxSize` characters (default 65,536). */
export function renderCommentMarkdown(r: RunReport, opts: CommentOptions = {}): string {
  const marker = opts.marker ?? DEFAULT_COMMENT_MARKER;
  return assemble(r, Math.min(opts.maxSize ?? COMMENT_MAX_CHARS, COMMENT_MAX_CHARS), chars, opts, true, `${marker}\n`);
}
