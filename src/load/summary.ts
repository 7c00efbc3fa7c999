/**
 * Reads the three JSON shapes k6 writes at the end of a run into one normalized summary:
 * - `--summary-export FILE`: `{root_group, metrics}`, values flat on each metric, no `type`, and a `thresholds`
 *   map whose boolean is INVERTED (k6 writes `!ok`: `true` means the threshold FAILED);
 * - `handleSummary(data)` dumps: `{root_group, options, state, metrics{name:{type, contains, values, thresholds}}}`
 *   with thresholds as `{expr: {ok}}`;
 * - the new machine-readable summary (`--new-machine-readable-summary`, `{version, results, ...}`): no thresholds at
 *   all, percentiles spelled `p95`, rates as `{matches, rate, total}`.
 * Percentile keys are normalized to k6's `p(95)` spelling; a rate metric always carries `rate`, `passes`, `fails`
 * (for `http_req_failed`, `passes` counts FAILED requests, as in k6).
 */
export type MetricType = 'trend' | 'counter' | 'rate' | 'gauge';

/** A threshold whose verdict k6 itself recorded in the summary. */
export interface RecordedThreshold {
  expression: string;
  ok: boolean;
}

export interface NormalizedMetric {
  /** As k6 spells it, sub-metrics included: `http_req_duration{endpoint:index}`. */
  name: string;
  type: MetricType;
  /** Durations in ms; `p(95)` style percentile keys. */
  values: Record<string, number>;
  thresholds: RecordedThreshold[];
}

export type SummaryFormat = 'summary-export' | 'handle-summary' | 'machine-readable' | 'local';

export interface NormalizedSummary {
  format: SummaryFormat;
  /** File name (or `local engine`) the summary came from, for messages. */
  source: string;
  metrics: Record<string, NormalizedMetric>;
  /** False when the format cannot carry script thresholds (the machine-readable summary). */
  thresholdsRecorded: boolean;
  /** The trend stats the run exported (`--summary-trend-stats`), when the file says. */
  trendStats?: string[];
  durationMs?: number;
  k6Version?: string;
  /** Remarks for the report, e.g. that the format has no thresholds. */
  notes: string[];
}

/** Bad input: the message names the file and what was expected. */
export class SummaryParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SummaryParseError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const PERCENTILE_KEY = /^p\(?(\d+(?:\.\d+)?)\)?$/;

/** `p95`, `p(95)`, `p(99.9)` → `p(95)`, `p(99.9)`; other keys unchanged. */
export function normalizeStatKey(key: string): string {
  const m = PERCENTILE_KEY.exec(key);
  return m ? `p(${Number(m[1])})` : key;
}

function numericValues(raw: Obj): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v === 'number' && Number.isFinite(v)) out[normalizeStatKey(k)] = v;
  }
  return out;
}

function isMetricType(t: unknown): t is MetricType {
  return t === 'trend' || t === 'counter' || t === 'rate' || t === 'gauge';
}

/** summary-export files carry no `type`: infer it from the stats present. */
function inferType(values: Record<string, number>): MetricType | undefined {
  if ('passes' in values && 'fails' in values) return 'rate';
  if ('avg' in values || 'med' in values || Object.keys(values).some((k) => k.startsWith('p('))) return 'trend';
  if ('count' in values && 'rate' in values) return 'counter';
  if ('value' in values) return 'gauge';
  if ('min' in values && 'max' in values) return 'trend';
  return undefined;
}

/** Rate metrics: make sure `rate`, `passes` and `fails` are all there, whatever the format called them. */
function completeRate(values: Record<string, number>): Record<string, number> {
  const v = { ...values };
  if (v.rate === undefined && v.value !== undefined) v.rate = v.value;
  if (v.passes === undefined && v.matches !== undefined) v.passes = v.matches;
  if (v.fails === undefined && v.matches !== undefined && v.total !== undefined) v.fails = v.total - v.matches;
  if (v.rate === undefined && v.passes !== undefined && v.fails !== undefined) {
    const total = v.passes + v.fails;
    v.rate = total > 0 ? v.passes / total : 0;
  }
  return v;
}

const NDJSON_MESSAGE =
  'this is k6 --out json NDJSON (one sample per line), not an end-of-test summary: run k6 with --summary-export FILE and gate that file';

function fail(sourceName: string, what: string): never {
  if (what === NDJSON_MESSAGE) throw new SummaryParseError(`${sourceName}: ${what}`);
  throw new SummaryParseError(
    `${sourceName}: ${what}. Expected a k6 end-of-test summary: the file k6 writes with --summary-export ` +
      `({"metrics": {...}, "root_group": {...}}), a handleSummary(data) dump ({"metrics": {name: {type, values}}}), ` +
      `or the --new-machine-readable-summary JSON ({"version", "results"}).`,
  );
}

function parseSummaryExport(metrics: Obj, sourceName: string): NormalizedSummary {
  const out: Record<string, NormalizedMetric> = {};
  for (const [name, raw] of Object.entries(metrics)) {
    if (!isObj(raw)) fail(sourceName, `metric "${name}" is not an object`);
    const { thresholds, ...rest } = raw;
    const values = numericValues(rest);
    const type = inferType(values);
    if (!type) fail(sourceName, `metric "${name}" has no recognizable stats (${Object.keys(rest).join(', ') || 'none'})`);
    const recorded: RecordedThreshold[] = [];
    if (isObj(thresholds)) {
      for (const [expression, failed] of Object.entries(thresholds)) {
        // k6 writes `!ok` here: true means the threshold was CROSSED.
        if (typeof failed !== 'boolean') fail(sourceName, `threshold "${expression}" of "${name}" is not a boolean`);
        recorded.push({ expression, ok: !failed });
      }
    }
    out[name] = { name, type, values: type === 'rate' ? completeRate(values) : values, thresholds: recorded };
  }
  return { format: 'summary-export', source: sourceName, metrics: out, thresholdsRecorded: true, notes: [] };
}

function parseHandleSummary(doc: Obj, sourceName: string): NormalizedSummary {
  const metrics = doc.metrics as Obj;
  const out: Record<string, NormalizedMetric> = {};
  for (const [name, raw] of Object.entries(metrics)) {
    if (!isObj(raw) || !isObj(raw.values)) fail(sourceName, `metric "${name}" has no "values" object`);
    const values = numericValues(raw.values);
    const type = isMetricType(raw.type) ? raw.type : inferType(values);
    if (!type) fail(sourceName, `metric "${name}" has an unknown type ${JSON.stringify(raw.type)}`);
    const recorded: RecordedThreshold[] = [];
    if (isObj(raw.thresholds)) {
      for (const [expression, verdict] of Object.entries(raw.thresholds)) {
        if (!isObj(verdict) || typeof verdict.ok !== 'boolean') {
          fail(sourceName, `threshold "${expression}" of "${name}" has no boolean "ok"`);
        }
        recorded.push({ expression, ok: verdict.ok });
      }
    }
    out[name] = { name, type, values: type === 'rate' ? completeRate(values) : values, thresholds: recorded };
  }
  const summary: NormalizedSummary = {
    format: 'handle-summary',
    source: sourceName,
    metrics: out,
    thresholdsRecorded: true,
    notes: [],
  };
  const options = isObj(doc.options) ? doc.options : undefined;
  if (options && Array.isArray(options.summaryTrendStats)) {
    summary.trendStats = options.summaryTrendStats.filter((s): s is string => typeof s === 'string');
  }
  const state = isObj(doc.state) ? doc.state : undefined;
  if (state && typeof state.testRunDurationMs === 'number') summary.durationMs = state.testRunDurationMs;
  return summary;
}

function collectMachineReadable(node: unknown, into: Record<string, NormalizedMetric>, sourceName: string): void {
  if (Array.isArray(node)) {
    for (const item of node) collectMachineReadable(item, into, sourceName);
    return;
  }
  if (!isObj(node)) return;
  if (typeof node.name === 'string' && isMetricType(node.type) && isObj(node.values)) {
    const values = numericValues(node.values);
    into[node.name] = {
      name: node.name,
      type: node.type,
      values: node.type === 'rate' ? completeRate(values) : values,
      thresholds: [],
    };
    return;
  }
  // Metrics sit in `results.metrics`, `results.checks.metrics`, and nested groups/scenarios.
  for (const value of Object.values(node)) collectMachineReadable(value, into, sourceName);
}

function parseMachineReadable(doc: Obj, sourceName: string): NormalizedSummary {
  const metrics: Record<string, NormalizedMetric> = {};
  collectMachineReadable(doc.results, metrics, sourceName);
  if (Object.keys(metrics).length === 0) fail(sourceName, 'the machine-readable summary has no metrics under "results"');
  const summary: NormalizedSummary = {
    format: 'machine-readable',
    source: sourceName,
    metrics,
    thresholdsRecorded: false,
    notes: [
      'the machine-readable summary (--new-machine-readable-summary) carries no thresholds: the script\'s ' +
        'thresholds are not in it; pass --summary-export to gate on them',
    ],
  };
  const config = isObj(doc.config) ? doc.config : undefined;
  if (config && typeof config.duration === 'number') summary.durationMs = config.duration * 1000;
  const metadata = isObj(doc.metadata) ? doc.metadata : undefined;
  if (metadata && typeof metadata.k6_version === 'string') summary.k6Version = metadata.k6_version;
  return summary;
}

/** Marker of summaries written by backend-ci's local engine (in k6's handleSummary shape). */
const LOCAL_ENGINE_MARKER = 'backend-ci-local';

/**
 * A summary as k6 handleSummary-shaped JSON (`{metrics: {name: {type, values}}, options, state}`), so the local
 * engine's file can be read back by `backend-ci gate` and by tools that read k6 summaries.
 */
export function toHandleSummaryJson(summary: NormalizedSummary): Record<string, unknown> {
  const metrics: Record<string, unknown> = {};
  for (const m of Object.values(summary.metrics)) {
    const entry: Record<string, unknown> = { type: m.type, values: m.values };
    if (m.thresholds.length > 0) entry.thresholds = Object.fromEntries(m.thresholds.map((t) => [t.expression, { ok: t.ok }]));
    metrics[m.name] = entry;
  }
  return {
    engine: summary.format === 'local' ? LOCAL_ENGINE_MARKER : summary.format,
    options: summary.trendStats ? { summaryTrendStats: summary.trendStats } : {},
    state: summary.durationMs !== undefined ? { testRunDurationMs: summary.durationMs } : {},
    notes: summary.notes,
    metrics,
  };
}

/** Normalizes any of the three k6 summary shapes; throws SummaryParseError naming `sourceName` otherwise. */
export function parseK6Summary(json: unknown, sourceName: string): NormalizedSummary {
  if (!isObj(json)) fail(sourceName, `the JSON is ${Array.isArray(json) ? 'an array' : typeof json}, not an object`);
  if ('version' in json && isObj(json.results)) return parseMachineReadable(json, sourceName);
  if (!isObj(json.metrics)) {
    if (json.type === 'Metric' || json.type === 'Point') {
      fail(sourceName, NDJSON_MESSAGE);
    }
    fail(sourceName, `no "metrics" object (top-level keys: ${Object.keys(json).join(', ') || 'none'})`);
  }
  const metricValues = Object.values(json.metrics);
  const handleShape = metricValues.length > 0 && metricValues.every((m) => isObj(m) && isObj(m.values));
  if (handleShape || 'options' in json || 'state' in json) {
    const summary = parseHandleSummary(json, sourceName);
    if (json.engine === LOCAL_ENGINE_MARKER) {
      summary.format = 'local';
      summary.thresholdsRecorded = false;
      if (Array.isArray(json.notes)) summary.notes = json.notes.filter((n): n is string => typeof n === 'string');
    }
    return summary;
  }
  return parseSummaryExport(json.metrics, sourceName);
}

/**
 * Parses the text of a summary file. `--out json` NDJSON (several JSON documents, one per line) is rejected with a
 * message saying what to pass instead: a per-sample stream is not a summary, and re-aggregating it would only
 * approximate what k6 already computes with --summary-export.
 */
export function parseK6SummaryText(text: string, sourceName: string): NormalizedSummary {
  const trimmed = text.trim();
  if (trimmed === '') fail(sourceName, 'the file is empty');
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch (err) {
    const firstLine = trimmed.split('\n', 1)[0] ?? '';
    try {
      const first = JSON.parse(firstLine) as unknown;
      if (isObj(first) && (first.type === 'Metric' || first.type === 'Point')) {
        fail(sourceName, NDJSON_MESSAGE);
      }
    } catch (inner) {
      if (inner instanceof SummaryParseError) throw inner;
    }
    fail(sourceName, `not valid JSON (${(err as Error).message})`);
  }
  return parseK6Summary(json, sourceName);
}
