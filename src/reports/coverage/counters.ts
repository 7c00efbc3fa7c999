/** Coverage counter helpers shared by the coverage readers. */
import type { CoverageCounter, CoverageCounters, CoverageFile } from '../model.js';

export function counter(covered: number, total: number): CoverageCounter {
  const c = Math.max(0, covered);
  const t = Math.max(0, total);
  return { covered: c, total: t, pct: t === 0 ? 100 : Math.floor((c / t) * 10000) / 100 };
}

export function emptyCounters(): CoverageCounters {
  return { lines: null, branches: null, functions: null, statements: null };
}

/** Sums files' counters per metric; a metric is null (n/a) when no file measures it. */
export function sumCounters(files: readonly CoverageFile[]): CoverageCounters {
  const out = emptyCounters();
  for (const metric of ['lines', 'branches', 'functions', 'statements'] as const) {
    let covered = 0;
    let total = 0;
    let any = false;
    for (const f of files) {
      const c = f[metric];
      if (!c) continue;
      any = true;
      covered += c.covered;
      total += c.total;
    }
    out[metric] = any ? counter(covered, total) : null;
  }
  return out;
}
