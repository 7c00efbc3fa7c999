/**
 * The embedded load engine used when k6 is absent: autocannon drives the connections, and every response's latency
 * goes into an HDR histogram so p95/p99 are true percentiles (autocannon's own table only has fixed buckets).
 * The result is the same normalized summary a k6 run gives, so the same gate and report apply.
 */
import autocannon from 'autocannon';
import { build as buildHistogram } from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import { z } from 'zod';
import type { NormalizedMetric, NormalizedSummary } from './summary.js';
import { DEFAULT_TREND_STATS } from './k6-command.js';

const routeSchema = z
  .object({
    method: z.enum(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']).default('GET'),
    path: z.string().startsWith('/', { message: 'a route path starts with "/", e.g. "/users"' }),
    /** A string is sent as is; anything else as JSON (with content-type: application/json). */
    body: z.unknown().optional(),
    headers: z.record(z.string(), z.string()).optional(),
    /** Relative share of requests (default 1). */
    weight: z.number().int().min(1).max(100).default(1),
  })
  .strict();

/** The config file's `load` section (the lead embeds it in the config schema). */
export const localLoadConfigSchema = z
  .object({
    durationSec: z.number().positive().max(600).default(10),
    /** Concurrent connections (k6's virtual users). */
    vus: z.number().int().min(1).max(1000).default(10),
    routes: z.array(routeSchema).min(1).default([{ method: 'GET', path: '/health', weight: 1 }]),
    /** Per-request timeout; a request that takes longer counts as failed. */
    requestTimeoutSec: z.number().positive().max(120).default(10),
    /** Extra thresholds in k6 syntax, keyed by metric, e.g. `{"http_req_duration": ["p(99)<500"]}`. */
    thresholds: z.record(z.string(), z.array(z.string())).optional(),
  })
  .strict();

export type LocalLoadConfig = z.infer<typeof localLoadConfigSchema>;
export type LocalLoadConfigInput = z.input<typeof localLoadConfigSchema>;
export type LocalRoute = z.input<typeof routeSchema>;

export interface RunLocalLoadOptions {
  baseUrl: string;
  durationMs: number;
  /** Concurrent connections. */
  vus: number;
  routes: LocalRoute[];
  signal?: AbortSignal;
  requestTimeoutMs?: number;
  /** Percentiles to export besides p(90), p(95), p(99) (e.g. those the thresholds name). */
  extraPercentiles?: number[];
}

export interface LocalLoadResult {
  summary: NormalizedSummary;
  /** Responses by status code. */
  statusCounts: Record<string, number>;
  /** Connection errors and timeouts (no response at all). */
  connectionErrors: number;
}

/** Smooth weighted round robin: weights 3,1 give A,A,B,A (interleaved, not A,A,A,B). */
export function expandRoutes<T extends { weight?: number }>(routes: T[]): T[] {
  const weights = routes.map((r) => r.weight ?? 1);
  const total = weights.reduce((a, b) => a + b, 0);
  const current = weights.map(() => 0);
  const out: T[] = [];
  for (let i = 0; i < total; i++) {
    let best = 0;
    for (let j = 0; j < routes.length; j++) {
      current[j] = (current[j] ?? 0) + (weights[j] ?? 1);
      if ((current[j] ?? 0) > (current[best] ?? 0)) best = j;
    }
    current[best] = (current[best] ?? 0) - total;
    out.push(routes[best] as T);
  }
  return out;
}

/** The k6-style tag of a route's sub-metrics: `http_req_duration{name:GET /users}`. */
export function routeName(route: LocalRoute): string {
  return `${route.method ?? 'GET'} ${route.path}`;
}

function toRequest(route: LocalRoute, onResponse: () => void): autocannon.Request {
  const headers: Record<string, string> = { ...(route.headers ?? {}) };
  // autocannon calls a request's onResponse synchronously right before the client's `response` event for it, so
  // the listener below knows which route each latency belongs to.
  const req: autocannon.Request = { method: route.method ?? 'GET', path: route.path, onResponse };
  if (route.body !== undefined) {
    if (typeof route.body === 'string') {
      req.body = route.body;
    } else {
      req.body = JSON.stringify(route.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['content-type'] = 'application/json';
    }
  }
  if (Object.keys(headers).length > 0) req.headers = headers;
  return req;
}

const newHistogram = (): Histogram =>
  // Microseconds, 1 µs .. 1 h, 3 significant digits (0.1% error on any percentile).
  buildHistogram({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });

function trendValues(h: Histogram, percentiles: number[]): Record<string, number> {
  const ms = (us: number): number => us / 1000;
  const values: Record<string, number> = {
    avg: ms(h.mean),
    min: ms(h.minNonZeroValue),
    med: ms(h.getValueAtPercentile(50)),
    max: ms(h.maxValue),
    count: h.totalCount,
  };
  for (const p of percentiles) values[`p(${p})`] = ms(h.getValueAtPercentile(p));
  return values;
}

/** Runs the load; resolves when the duration elapsed or `signal` aborted (with what was measured so far). */
export function runLocalLoad(opts: RunLocalLoadOptions): Promise<LocalLoadResult> {
  if (opts.routes.length === 0) return Promise.reject(new Error('local load: no routes to request'));
  const all = newHistogram();
  const expected = newHistogram();
  const perRoute = new Map<string, { histogram: Histogram; count: number; failed: number }>();
  for (const route of opts.routes) perRoute.set(routeName(route), { histogram: newHistogram(), count: 0, failed: 0 });
  let respondedRoute: string | undefined;
  const statusCounts: Record<string, number> = {};
  let responses = 0;
  let failedResponses = 0;
  let connectionErrors = 0;
  const startedAt = performance.now();

  return new Promise<LocalLoadResult>((resolve, reject) => {
    const instance = autocannon(
      {
        url: opts.baseUrl,
        connections: opts.vus,
        duration: opts.durationMs / 1000,
        // autocannon checks its stop flag once per sample: 100 ms keeps the duration and aborts precise.
        sampleInt: 100,
        timeout: Math.max(1, Math.ceil((opts.requestTimeoutMs ?? 10_000) / 1000)),
        requests: expandRoutes(opts.routes).map((route) => {
          const name = routeName(route);
          return toRequest(route, () => {
            respondedRoute = name;
          });
        }),
      },
      (err: Error | null) => {
        opts.signal?.removeEventListener('abort', onAbort);
        if (err) {
          reject(new Error(`local load: ${err.message}`));
          return;
        }
        resolve(finish());
      },
    );
    instance.on('response', (_client, statusCode, _bytes, responseTime) => {
      responses++;
      statusCounts[statusCode] = (statusCounts[statusCode] ?? 0) + 1;
      const us = Math.max(1, Math.round(responseTime * 1000));
      all.recordValue(us);
      const ok = statusCode >= 200 && statusCode < 400;
      if (ok) expected.recordValue(us);
      else failedResponses++;
      const route = respondedRoute === undefined ? undefined : perRoute.get(respondedRoute);
      respondedRoute = undefined;
      if (route) {
        route.count++;
        route.histogram.recordValue(us);
        if (!ok) route.failed++;
      }
    });
    instance.on('reqError', () => {
      connectionErrors++;
    });
    const onAbort = (): void => instance.stop();
    if (opts.signal?.aborted) onAbort();
    else opts.signal?.addEventListener('abort', onAbort, { once: true });
  });

  function finish(): LocalLoadResult {
    const elapsedMs = performance.now() - startedAt;
    const total = responses + connectionErrors;
    const failed = failedResponses + connectionErrors;
    const percentiles = [90, 95, 99, ...(opts.extraPercentiles ?? [])].filter((p, i, a) => a.indexOf(p) === i);
    const metrics: Record<string, NormalizedMetric> = {
      http_reqs: { name: 'http_reqs', type: 'counter', values: { count: total, rate: total / (elapsedMs / 1000) }, thresholds: [] },
      http_req_failed: {
        name: 'http_req_failed',
        type: 'rate',
        // As in k6: `passes` counts failed requests.
        values: { rate: total > 0 ? failed / total : 0, passes: failed, fails: total - failed },
        thresholds: [],
      },
    };
    if (all.totalCount > 0) {
      metrics.http_req_duration = { name: 'http_req_duration', type: 'trend', values: trendValues(all, percentiles), thresholds: [] };
    }
    if (expected.totalCount > 0) {
      const name = 'http_req_duration{expected_response:true}';
      metrics[name] = { name, type: 'trend', values: trendValues(expected, percentiles), thresholds: [] };
    }
    // Per-route sub-metrics, named like k6's `name` tag (connection errors cannot be attributed to a route).
    for (const [name, r] of perRoute) {
      if (r.count === 0) continue;
      const tag = `{name:${name}}`;
      metrics[`http_reqs${tag}`] = { name: `http_reqs${tag}`, type: 'counter', values: { count: r.count, rate: r.count / (elapsedMs / 1000) }, thresholds: [] };
      metrics[`http_req_failed${tag}`] = {
        name: `http_req_failed${tag}`,
        type: 'rate',
        values: { rate: r.failed / r.count, passes: r.failed, fails: r.count - r.failed },
        thresholds: [],
      };
      metrics[`http_req_duration${tag}`] = { name: `http_req_duration${tag}`, type: 'trend', values: trendValues(r.histogram, percentiles), thresholds: [] };
    }
    const codes = Object.entries(statusCounts)
      .map(([code, n]) => `${code}×${n}`)
      .join(', ');
    const summary: NormalizedSummary = {
      format: 'local',
      source: 'local engine',
      metrics,
      thresholdsRecorded: false,
      trendStats: [...DEFAULT_TREND_STATS, ...percentiles.filter((p) => ![90, 95, 99].includes(p)).map((p) => `p(${p})`)],
      durationMs: elapsedMs,
      notes: [`${total} requests over ${opts.vus} connections: ${codes || 'no responses'}; connection errors/timeouts: ${connectionErrors}`],
    };
    return { summary, statusCounts, connectionErrors };
  }
}
