import { describe, expect, it } from 'vitest';
import { SaxesParser } from 'saxes';
import {
  COMMENT_MAX_CHARS,
  SUMMARY_MAX_BYTES,
  renderCommentMarkdown,
  renderSummaryMarkdown,
} from '../../src/reports/render/markdown.js';
import {
  batchAnnotations,
  buildAnnotations,
  selectForWorkflowCommands,
  toWorkflowCommand,
} from '../../src/reports/render/annotations.js';
import { renderHtml } from '../../src/reports/render/html.js';
import { renderJUnit } from '../../src/reports/render/junit.js';
import { renderTerminal } from '../../src/reports/render/terminal.js';
import { buildRunReport } from '../../src/reports/build.js';
import type { Annotation } from '../../src/types.js';
import { fixture } from './helpers.js';
import { GATE, STAGES, bigReport } from './report-fixtures.js';

describe('job summary and PR comment', () => {
  it('keeps the job summary within 1 MiB with 200,000 failures, saying how many were left out', () => {
    for (const keepAll of [false, true]) {
      const r = bigReport(200_000, { keepAll });
      const md = renderSummaryMarkdown(r);
      expect(Buffer.byteLength(md)).toBeLessThanOrEqual(SUMMARY_MAX_BYTES);
      expect(SUMMARY_MAX_BYTES).toBeLessThanOrEqual(1024 * 1024);
      expect(md).toMatch(/^## ❌ backend-ci \(critical\): failed/);
      expect(md).toContain('**200000** failed');
      const shown = md.split('<details><summary>❌').length - 1;
      expect(shown).toBeGreaterThan(50);
      expect(md).toContain(`…and ${200_000 - shown} more failed test(s) not shown`);
      // the fixed parts survive: stages, gate table, and the other lists get a share
      expect(md).toContain('| Integration (critical) | ⏱️ timed-out | 10 min 00 s |');
      expect(md).toContain('| `http_req_duration` | `p(95)<300` | 412.3 ms | ❌ fail | input |');
      expect(md).toContain('### ⚠️ Flaky tests (1000)');
      expect(md).toContain('### ⚠️ Warnings (300)');
      expect(md).toContain('- f0.xml: empty file');
    }
  });

  it('keeps the PR comment within 65,536 characters, starting with the hidden marker', () => {
    const r = bigReport(200_000, { keepAll: true });
    const md = renderCommentMarkdown(r);
    expect(md.length).toBeLessThanOrEqual(COMMENT_MAX_CHARS);
    expect(md.startsWith('<!-- backend-ci:report -->\n')).toBe(true);
    expect(md).toMatch(/…and \d+ more failed test\(s\) not shown/);
    expect(md).toContain('### ❌ Load gate (k6)');
    const custom = renderCommentMarkdown(r, { marker: '<!-- my-marker -->', maxSize: 10_000 });
    expect(custom.startsWith('<!-- my-marker -->')).toBe(true);
    expect(custom.length).toBeLessThanOrEqual(10_000);
  });

  it('renders a small run completely: stage table, gantt chart, failed test with message, link to file:line', async () => {
    const report = await buildRunReport({
      junit: [{ path: fixture('vitest.xml'), stage: 'unit' }, fixture('surefire.xml')],
      coverage: [fixture('coverage-summary.json')],
      coverageThresholds: { lines: 80 },
      stages: STAGES,
      gate: GATE,
      repoRoot: '/home/runner/work/api/api',
      meta: { blobUrl: 'https://github.com/o/r/blob/abc123', runUrl: 'https://github.com/o/r/actions/runs/1' },
    });
    const md = renderSummaryMarkdown(report);
    expect(md).toContain('**4** passed, **2** failed, 1 flaky, 1 skipped, 8 tests');
    expect(md).toContain('<a href="https://github.com/o/r/blob/abc123/test/users.test.ts#L42">test/users.test.ts:42</a>');
    expect(md).toContain('expected 201 to be 409 // Object.is equality');
    expect(md).toContain('```mermaid\ngantt');
    expect(md).toContain('Integration (critical) (10 min 00 s) :crit');
    expect(md).toContain('| lines | 75% (30/40) | 80% | ❌ below |');
    expect(md).toContain('| com.example.users.UserServiceTest › createsUser | 1 | expected: &lt;201&gt; but was: &lt;500&gt; |');
    expect(md).toContain('(failed 3 attempts)');
    expect(md).toContain('[run](https://github.com/o/r/actions/runs/1)');
    expect(md).not.toContain('…and');
  });

  it('escapes test names so they cannot break tables or inject HTML, and fences code containing backticks', () => {
    const r = bigReport(1);
    r.tests.failed[0]!.name = 'a | b <img src=x onerror=alert(1)>';
    r.tests.failed[0]!.details = 'has ``` fence';
    const md = renderSummaryMarkdown(r);
    expect(md).not.toContain('<img');
    expect(md).toContain('<b>a | b &lt;img src=x onerror=alert(1)&gt;</b>');
    expect(md).toContain('````text\n');
  });
});

describe('annotations', () => {
  it('annotates only failures with a file and line, within GitHub limits', async () => {
    const report = await buildRunReport({ junit: [fixture('vitest.xml'), fixture('surefire.xml'), fixture('go-junit-report.xml')] });
    const ann = buildAnnotations(report);
    expect(ann).toEqual([
      expect.objectContaining({ path: 'test/users.test.ts', startLine: 42, endLine: 42, level: 'failure' }),
    ]);
    const r = bigReport(3);
    r.tests.failed[0]!.details = 'é'.repeat(100_000);
    r.tests.failed[0]!.name = 'n'.repeat(1000);
    const big = buildAnnotations(r);
    expect(Buffer.byteLength(big[0]!.message)).toBeLessThanOrEqual(64 * 1024);
    expect(big[0]!.message).not.toContain('\uFFFD');
    expect(big[0]!.title.length).toBeLessThanOrEqual(255);
    expect(big.filter((a) => a.level === 'warning')).toHaveLength(500); // the kept flaky tests (limits.maxFlaky)
  });

  it('batches by 50 for the Checks API and selects at most 10 per level for workflow commands', () => {
    const mk = (i: number, level: Annotation['level']): Annotation => ({ path: 'a.ts', startLine: i, endLine: i, level, title: 't', message: 'm' });
    const list = [...Array.from({ length: 120 }, (_, i) => mk(i + 1, 'failure')), ...Array.from({ length: 15 }, (_, i) => mk(i + 1, 'warning'))];
    expect(batchAnnotations(list).map((b) => b.length)).toEqual([50, 50, 35]);
    const sel = selectForWorkflowCommands(list);
    expect(sel.filter((a) => a.level === 'failure')).toHaveLength(10);
    expect(sel.filter((a) => a.level === 'warning')).toHaveLength(10);
    expect(toWorkflowCommand({ path: 'a,b.ts', startLine: 3, endLine: 3, level: 'failure', title: 'x: y', message: '50%\nnext' })).toBe(
      '::error file=a%2Cb.ts,line=3,endLine=3,title=x%3A y::50%25%0Anext',
    );
  });
});

describe('terminal, HTML and merged JUnit', () => {
  it('prints plain text without colour codes when not a TTY, and with them when asked', async () => {
    const report = await buildRunReport({ junit: [fixture('vitest.xml')], stages: STAGES, gate: GATE });
    const plain = renderTerminal(report, { color: false });
    expect(plain).not.toContain('\u001b[');
    expect(plain).toContain('test/users.test.ts:42');
    expect(plain).toContain('Integration (critical)');
    expect(plain).toContain('http_req_duration p(95)<300 observed 412.3');
    expect(renderTerminal(report, { color: true })).toContain('\u001b[');
  });

  it('writes a self-contained, escaped HTML page', () => {
    const r = bigReport(2);
    r.tests.failed[0]!.name = '<script>alert(1)</script>';
    const html = renderHtml(r);
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toMatch(/<link|<script|src="http/);
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
  });

  it('writes a well-formed merged JUnit with the failed tests and the full totals as properties', async () => {
    const report = await buildRunReport({ junit: [{ path: fixture('vitest.xml'), stage: 'unit' }, fixture('surefire.xml')] });
    const xml = renderJUnit(report);
    const p = new SaxesParser();
    let failures = 0;
    const props: Record<string, string> = {};
    p.on('opentag', (t) => {
      if (t.name === 'failure') failures++;
      if (t.name === 'property') props[t.attributes.name as string] = t.attributes.value as string;
    });
    p.write(xml).close();
    expect(failures).toBe(2);
    expect(props['backend-ci.total']).toBe('8');
    expect(props['backend-ci.flaky']).toBe('1');
  });
});
