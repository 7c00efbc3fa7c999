import { describe, expect, it } from 'vitest';
import { buildCoverageReport, ingestCoverageFile } from '../../src/reports/coverage/index.js';
import { fixture, tempDir } from './helpers.js';

const repoRoot = '/home/runner/work/api/api';

describe('coverage ingest', () => {
  it('reads istanbul json-summary per file with repository-relative paths', () => {
    const r = ingestCoverageFile(fixture('coverage-summary.json'), { repoRoot });
    expect(r.format).toBe('istanbul-json-summary');
    expect(r.warnings).toEqual([]);
    const users = r.files.find((f) => f.path === 'src/users.ts');
    expect(users?.lines).toEqual({ covered: 27, total: 30, pct: 90 });
    expect(users?.statements).toEqual({ covered: 29, total: 32, pct: 90.62 });
  });

  it('reads lcov: LF/LH, FNF/FNH, BRF/BRH; statements are n/a', () => {
    const r = ingestCoverageFile(fixture('lcov.info'), { repoRoot });
    expect(r.format).toBe('lcov');
    expect(r.files.map((f) => f.path)).toEqual(['src/users.ts', 'src/db.ts']);
    expect(r.files[0]).toMatchObject({
      lines: { covered: 2, total: 4, pct: 50 },
      functions: { covered: 1, total: 2, pct: 50 },
      branches: { covered: 1, total: 2, pct: 50 },
      statements: null,
    });
  });

  it('reads cobertura (coverage.py): lines, branches from condition-coverage, methods as functions, paths under <source>', () => {
    const r = ingestCoverageFile(fixture('cobertura.xml'), { repoRoot });
    expect(r.format).toBe('cobertura');
    const users = r.files.find((f) => f.path === 'app/users.py');
    expect(users).toMatchObject({
      lines: { covered: 3, total: 4, pct: 75 },
      branches: { covered: 3, total: 4, pct: 75 },
      functions: { covered: 1, total: 2, pct: 50 },
      statements: null,
    });
    expect(r.files.find((f) => f.path === 'app/db.py')?.lines).toEqual({ covered: 0, total: 2, pct: 0 });
  });

  it('merges files (later wins per path), sums totals and evaluates thresholds; n/a metrics are not evaluated but warned', () => {
    const { coverage, warnings } = buildCoverageReport([fixture('lcov.info'), fixture('cobertura.xml')], {
      repoRoot,
      thresholds: { lines: 60, branches: 50, statements: 80 },
    });
    expect(coverage?.totals.lines).toEqual({ covered: 2 + 2 + 3 + 0, total: 4 + 2 + 4 + 2, pct: 58.33 });
    expect(coverage?.totals.statements).toBeNull();
    expect(coverage?.thresholds).toEqual([
      { metric: 'lines', minPct: 60, actualPct: 58.33, passed: false },
      { metric: 'branches', minPct: 50, actualPct: 66.66, passed: true },
      { metric: 'statements', minPct: 80, actualPct: null, passed: true },
    ]);
    expect(coverage?.passed).toBe(false);
    expect(warnings.map((w) => w.message)).toEqual([expect.stringMatching(/statements .* not evaluated/)]);

    const again = buildCoverageReport([fixture('coverage-summary.json'), fixture('coverage-summary.json')], { repoRoot });
    expect(again.coverage?.totals.lines).toEqual({ covered: 30, total: 40, pct: 75 });
  });

  it('warns about unusable coverage files, naming the file, and keeps the usable ones', () => {
    const t = tempDir();
    try {
      const bad = [
        t.file('empty.json', ''),
        t.file('broken.json', '{"total": {"lines":'),
        t.file('junk.info', 'hello world\n'),
        t.file('trunc.xml', '<coverage><packages><package>'),
        t.file('other.xml', '<html></html>'),
      ];
      const { coverage, warnings } = buildCoverageReport([...bad, fixture('lcov.info'), t.dir + '/missing.info']);
      expect(coverage?.sources).toEqual([fixture('lcov.info')]);
      expect(warnings).toHaveLength(6);
      for (const [i, w] of warnings.entries()) {
        expect(w.file).toBe([...bad, t.dir + '/missing.info'][i]);
        expect(w.hint.length).toBeGreaterThan(10);
      }
      expect(warnings[0]?.message).toMatch(/empty coverage file/);
      expect(warnings[1]?.message).toMatch(/invalid JSON/);
      expect(warnings[2]?.message).toMatch(/not an lcov record/);
      expect(warnings[4]?.message).toMatch(/root element is <html>/);
      expect(warnings[5]?.message).toMatch(/file not found/);
    } finally {
      t.cleanup();
    }
  });

  it('uses the total of a json-summary that has no per-file entries', () => {
    const t = tempDir();
    try {
      const p = t.file('total-only.json', JSON.stringify({ total: { lines: { total: 10, covered: 9, skipped: 0, pct: 90 } } }));
      const { coverage } = buildCoverageReport([p]);
      expect(coverage?.totals.lines).toEqual({ covered: 9, total: 10, pct: 90 });
      expect(coverage?.totals.branches).toBeNull();
    } finally {
      t.cleanup();
    }
  });
});
