/** Plain-text threshold table for the terminal and CI logs. */
import type { GateReport } from '../types.js';

const figure = (n: number | null): string => (n === null ? 'n/a' : String(Number(n.toPrecision(6))));

export function formatGateTable(gate: GateReport): string {
  const rows = gate.thresholds.map((t) => [t.passed ? 'PASS' : 'FAIL', t.metric, t.expression, figure(t.observed), t.source, t.note ?? '']);
  const header = ['', 'metric', 'threshold', 'observed', 'source', 'note'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const lines = [line(header), ...rows.map(line)];
  const p95 = gate.p95Ms === null ? 'n/a' : `${figure(gate.p95Ms)} ms`;
  lines.push(
    '',
    `engine: ${gate.engine}  requests: ${gate.requests}  failed: ${(gate.failedRate * 100).toFixed(2)}%  p95: ${p95}` +
      (gate.p99Ms === null ? '' : `  p99: ${figure(gate.p99Ms)} ms`),
  );
  if (gate.baseline) {
    const b = gate.baseline;
    const change = b.p95ChangePct === null ? 'n/a' : `${b.p95ChangePct >= 0 ? '+' : ''}${b.p95ChangePct.toFixed(1)}%`;
    lines.push(`baseline (${b.ref}): p95 ${b.p95Ms === null ? 'n/a' : `${figure(b.p95Ms)} ms`}, change ${change}`);
  }
  lines.push(gate.passed ? 'gate: PASSED' : `gate: FAILED: ${gate.reason ?? 'thresholds crossed'}`);
  return lines.join('\n') + '\n';
}
