/**
 * Coverage ingest: detects the format of each file (istanbul json-summary, lcov, cobertura XML), reads it, merges
 * files and evaluates thresholds.
 *
 * Merge rule: the same source path in several coverage files keeps the LAST one read (files are read in the order
 * given), like tests; totals are the sums over the merged per-file entries. A metric is n/a (null) when no input
 * measures it (cobertura and lcov have no statements) and a threshold on it is not evaluated (a warning says so).
 */
import { resolve } from 'node:path';
import type { LocateOptions } from '../location.js';
import { COVERAGE_METRICS } from '../model.js';
import type { CoverageFile, CoverageReport, CoverageThresholdResult, CoverageThresholds, ReportWarning } from '../model.js';
import { readTextChunks } from '../read.js';
import { parseIstanbulSummary } from './istanbul.js';
import { LcovParser } from './lcov.js';
import { CoberturaParser } from './cobertura.js';
import { sumCounters } from './counters.js';

export type CoverageFormat = 'istanbul-json-summary' | 'lcov' | 'cobertura';

export interface CoverageIngestResult {
  files: CoverageFile[];
  format?: CoverageFormat;
  warnings: ReportWarning[];
}

const MAX_JSON_BYTES = 256 * 1024 * 1024;

/** Reads one coverage file of any supported format. Never throws: problems come back as warnings. */
export function ingestCoverageFile(path: string, opts: LocateOptions & { cwd?: string } = {}): CoverageIngestResult {
  let format: CoverageFormat | undefined;
  let json = '';
  let lcov: LcovParser | undefined;
  let cob: CoberturaParser | undefined;
  try {
    const res = readTextChunks(opts.cwd ? resolve(opts.cwd, path) : path, (chunk) => {
      if (!format) {
        const first = chunk.trimStart()[0];
        if (first === undefined) return;
        format = first === '{' ? 'istanbul-json-summary' : first === '<' ? 'cobertura' : 'lcov';
        if (format === 'lcov') lcov = new LcovParser(opts);
        if (format === 'cobertura') cob = new CoberturaParser(opts);
      }
      if (lcov) lcov.write(chunk);
      else if (cob) cob.write(chunk);
      else {
        json += chunk;
        if (json.length > MAX_JSON_BYTES) throw new Error('json-summary larger than 256 MiB');
      }
    });
    if (res.bytes === 0 || !format) {
      return {
        files: [],
        warnings: [
          {
            file: path,
            message: `${path}: empty coverage file`,
            hint: 'The coverage reporter wrote nothing: check that coverage is enabled and the tests ran.',
          },
        ],
      };
    }
    const warnings: ReportWarning[] = [];
    if (res.invalidUtf8At >= 0) {
      warnings.push({
        file: path,
        message: `${path}: invalid UTF-8 near byte ${res.invalidUtf8At}; bad bytes replaced`,
        hint: 'Write coverage reports as UTF-8.',
      });
    }
    const files = lcov ? lcov.end() : cob ? cob.end() : parseIstanbulSummary(json, opts);
    return { files, format, warnings };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const why =
      e?.code === 'ENOENT' ? 'file not found' : e?.code === 'EISDIR' ? 'is a directory' : (e?.message ?? String(err)).split('\n')[0];
    const what = format ? `unusable ${format} coverage file` : 'unusable coverage file';
    return {
      files: [],
      format,
      warnings: [
        {
          file: path,
          message: `${path}: ${what}: ${why}`,
          hint: 'Pass istanbul json-summary (coverage-summary.json), lcov (lcov.info) or cobertura XML; check the file is complete.',
        },
      ],
    };
  }
}

export interface CoverageOptions extends LocateOptions {
  /** Directory relative paths are resolved against (default: the process's cwd). */
  cwd?: string;
  thresholds?: CoverageThresholds;
}

/** Reads and merges coverage files and evaluates thresholds. Returns undefined when no file is usable. */
export function buildCoverageReport(
  paths: readonly string[],
  opts: CoverageOptions = {},
): { coverage?: CoverageReport; warnings: ReportWarning[] } {
  const warnings: ReportWarning[] = [];
  const merged = new Map<string, CoverageFile>();
  const sources: string[] = [];
  for (const p of paths) {
    const r = ingestCoverageFile(p, opts);
    warnings.push(...r.warnings);
    if (r.files.length === 0 && r.warnings.length > 0) continue;
    sources.push(p);
    for (const f of r.files) {
      merged.delete(f.path);
      merged.set(f.path, f);
    }
  }
  if (sources.length === 0) return { warnings };
  const files = [...merged.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const totals = sumCounters(files);
  const thresholds: CoverageThresholdResult[] = [];
  for (const metric of COVERAGE_METRICS) {
    const min = opts.thresholds?.[metric];
    if (min === undefined) continue;
    const c = totals[metric];
    if (!c) {
      warnings.push({
        message: `coverage threshold for ${metric} (${min}%) not evaluated: the coverage inputs do not measure ${metric}`,
        hint: `Cobertura and lcov have no ${metric === 'statements' ? 'statement' : metric} counts: use istanbul json-summary, or set the threshold on lines.`,
      });
      thresholds.push({ metric, minPct: min, actualPct: null, passed: true });
      continue;
    }
    thresholds.push({ metric, minPct: min, actualPct: c.pct, passed: c.pct >= min });
  }
  return {
    coverage: { totals, files, thresholds, passed: thresholds.every((t) => t.passed), sources },
    warnings,
  };
}
