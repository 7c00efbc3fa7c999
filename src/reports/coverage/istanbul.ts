/** istanbul `json-summary` (coverage-summary.json, written by vitest/jest/nyc `--coverage.reporter=json-summary`). */
import type { CoverageCounter, CoverageFile } from '../model.js';
import type { LocateOptions } from '../location.js';
import { toRepoPath } from '../location.js';
import { counter } from './counters.js';

interface Metric {
  total?: unknown;
  covered?: unknown;
}

function metricOf(v: unknown): CoverageCounter | null {
  if (!v || typeof v !== 'object') return null;
  const m = v as Metric;
  if (typeof m.total !== 'number' || typeof m.covered !== 'number') return null;
  return counter(m.covered, m.total);
}

/** Parses coverage-summary.json text; throws an Error with a clear message when it is not one. */
export function parseIstanbulSummary(text: string, opts: LocateOptions = {}): CoverageFile[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new Error(`invalid JSON (${(err as Error).message})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an istanbul json-summary object');
  const files: CoverageFile[] = [];
  let sawTotal = false;
  let total: Omit<CoverageFile, 'path'> | undefined;
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    if (!value || typeof value !== 'object') continue;
    const v = value as Record<string, unknown>;
    const entry = {
      lines: metricOf(v.lines),
      branches: metricOf(v.branches),
      functions: metricOf(v.functions),
      statements: metricOf(v.statements),
    };
    if (key === 'total') {
      sawTotal = true;
      total = entry;
      continue;
    }
    if (!entry.lines && !entry.statements && !entry.functions && !entry.branches) continue;
    files.push({ path: toRepoPath(key, opts) ?? key.replace(/\\/g, '/'), ...entry });
  }
  if (!sawTotal && files.length === 0) {
    throw new Error('no "total" and no per-file entries with lines/statements/functions/branches');
  }
  // A summary with only a total (no per-file entries) still counts, as one pseudo-file.
  if (files.length === 0 && total) return [{ path: '(total)', ...total }];
  return files;
}
