/**
 * Exact merge of istanbul coverage maps (coverage-final.json, vitest `--coverage.reporter=json`) from several test
 * runs, e.g. the unit and integration stages, or shards: hit counts are summed per statement, function and branch
 * with istanbul-lib-coverage, so a line covered by either run counts once. The result is written as an istanbul
 * json-summary, which the report layer reads like any other.
 */
import { readFileSync } from 'node:fs';
import libCoverage from 'istanbul-lib-coverage';
import type { ReportWarning } from '../model.js';

export interface IstanbulMergeResult {
  /** istanbul json-summary object: `total` plus one entry per file; null when no input was usable. */
  summary: Record<string, unknown> | null;
  /** The merged coverage map (coverage-final.json shape), for tools downstream. */
  merged: Record<string, unknown> | null;
  /** Files that were merged. */
  sources: string[];
  warnings: ReportWarning[];
}

export function mergeIstanbulCoverageFiles(paths: readonly string[]): IstanbulMergeResult {
  const map = libCoverage.createCoverageMap({});
  const sources: string[] = [];
  const warnings: ReportWarning[] = [];
  for (const path of paths) {
    try {
      const data: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (!data || typeof data !== 'object' || Array.isArray(data)) throw new Error('not an istanbul coverage map object');
      map.merge(data as libCoverage.CoverageMapData);
      sources.push(path);
    } catch (err) {
      warnings.push({
        file: path,
        message: `${path}: cannot merge coverage (${(err as Error).message.split('\n')[0]})`,
        hint: 'Pass the coverage-final.json that vitest/jest/nyc write with the istanbul "json" reporter.',
      });
    }
  }
  if (sources.length === 0) return { summary: null, merged: null, sources, warnings };
  const summary: Record<string, unknown> = { total: map.getCoverageSummary().toJSON() };
  for (const file of map.files()) summary[file] = map.fileCoverageFor(file).toSummary().toJSON();
  return { summary, merged: map.toJSON() as Record<string, unknown>, sources, warnings };
}
