import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateGate } from '../../src/load/gate.js';
import { expandRoutes, localLoadConfigSchema, runLocalLoad } from '../../src/load/local-engine.js';
import { netPortProbe } from '../../src/load/ports.js';

const SLOW_MS = 60;
let server: Server;
let baseUrl: string;
const served = { fast: 0, slow: 0, error: 0, post: 0 };
let lastPostBody = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/slow') {
      served.slow++;
      setTimeout(() => res.end('slow'), SLOW_MS);
    } else if (req.url === '/error') {
      served.error++;
      res.writeHead(500);
      res.end();
    } else if (req.url === '/items' && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        served.post++;
        lastPostBody = `${req.headers['content-type']} ${body}`;
        res.writeHead(201);
        res.end();
      });
    } else {
      served.fast++;
      res.end('ok');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('the local load engine', () => {
  it('measures a true p95 and the error rate against a real server (slow and failing routes)', async () => {
    for (const k of Object.keys(served) as (keyof typeof served)[]) served[k] = 0;
    // 6% of requests take 60 ms, 10% answer 500: p(90) is fast, p(95) must land on the slow requests.
    const started = Date.now();
    const result = await runLocalLoad({
      baseUrl,
      durationMs: 1500,
      vus: 4,
      routes: [
        { method: 'GET', path: '/fast', weight: 84 },
        { method: 'GET', path: '/slow', weight: 6 },
        { method: 'GET', path: '/error', weight: 10 },
      ],
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(2200);
    const m = result.summary.metrics;
    const total = m.http_reqs?.values.count ?? 0;
    const serverTotal = served.fast + served.slow + served.error;
    // Only requests in flight when the run stopped (at most one per connection) differ.
    expect(Math.abs(total - serverTotal)).toBeLessThanOrEqual(4);
    expect(result.statusCounts['500']).toBeGreaterThanOrEqual(served.error - 4);
    const failed = m.http_req_failed?.values.passes ?? 0;
    expect(failed).toBe((result.statusCounts['500'] ?? 0) + result.connectionErrors);
    expect(m.http_req_failed?.values.rate).toBeCloseTo(failed / total, 10);
    expect(m.http_req_failed?.values.rate).toBeGreaterThan(0.08);
    expect(m.http_req_failed?.values.rate).toBeLessThan(0.12);
    const d = m.http_req_duration?.values ?? {};
    expect(d['p(90)']).toBeLessThan(SLOW_MS / 2);
    expect(d['p(95)']).toBeGreaterThanOrEqual(SLOW_MS * 0.95);
    expect(d['p(95)']).toBeLessThan(SLOW_MS * 3);
    expect(d.max).toBeGreaterThanOrEqual(SLOW_MS * 0.95);
    expect(d.count).toBe(total - result.connectionErrors);
    // The 2xx/3xx-only trend excludes the 500s.
    expect(m['http_req_duration{expected_response:true}']?.values.count).toBe(total - failed);
    // Per-route sub-metrics: the slow route carries the latency, the error route the failures.
    const slow = m['http_req_duration{name:GET /slow}']?.values ?? {};
    const fast = m['http_req_duration{name:GET /fast}']?.values ?? {};
    expect(slow.min).toBeGreaterThanOrEqual(SLOW_MS * 0.95);
    expect(fast['p(95)']).toBeLessThan(SLOW_MS / 2);
    expect(m['http_req_failed{name:GET /error}']?.values.rate).toBe(1);
    expect(m['http_req_failed{name:GET /fast}']?.values.rate).toBe(0);
    const perRoute = ['GET /fast', 'GET /slow', 'GET /error'].map((r) => m[`http_reqs{name:${r}}`]?.values.count ?? 0);
    expect(perRoute.reduce((a, b) => a + b, 0)).toBe(total - result.connectionErrors);
    expect(Math.abs((perRoute[1] ?? 0) - served.slow)).toBeLessThanOrEqual(4);
    expect(result.summary.format).toBe('local');
    expect(result.summary.durationMs).toBeGreaterThanOrEqual(1400);

    const gate = evaluateGate({ summary: result.summary, inputs: { p95Ms: 1000, errorRate: 0.2 }, engine: 'local' });
    expect(gate).toMatchObject({ engine: 'local', passed: true, requests: total });
    expect(evaluateGate({ summary: result.summary, inputs: { p95Ms: 1000 }, engine: 'local' }).reason).toBe('thresholds crossed: http_req_failed rate<0.01');
  });

  it('sends configured methods, bodies and headers, and exports the extra percentiles asked for', async () => {
    served.post = 0;
    const started = Date.now();
    const result = await runLocalLoad({
      baseUrl,
      durationMs: 300,
      vus: 1,
      routes: [{ method: 'POST', path: '/items', body: { name: 'widget' } }],
      extraPercentiles: [99.9, 75],
    });
    expect(Date.now() - started).toBeLessThan(800);
    expect(served.post).toBeGreaterThan(0);
    expect(lastPostBody).toBe('application/json {"name":"widget"}');
    expect(result.statusCounts['201']).toBeGreaterThan(0);
    expect(Object.keys(result.summary.metrics.http_req_duration?.values ?? {})).toEqual(
      expect.arrayContaining(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)', 'p(99.9)', 'p(75)']),
    );
  });

  it('counts refused connections as failed requests, so the gate fails a run that never reached the service', async () => {
    const port = await netPortProbe.findFree();
    const result = await runLocalLoad({ baseUrl: `http://127.0.0.1:${port}`, durationMs: 400, vus: 2, routes: [{ path: '/' }] });
    expect(result.connectionErrors).toBeGreaterThan(0);
    expect(result.summary.metrics.http_req_failed?.values.rate).toBe(1);
    expect(result.summary.metrics.http_req_duration).toBeUndefined();
    const gate = evaluateGate({ summary: result.summary, inputs: { p95Ms: 300 }, engine: 'local' });
    expect(gate.passed).toBe(false);
    expect(gate.reason).toMatch(/^every request failed/);
  });

  it('stops early when aborted', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    const result = await runLocalLoad({ baseUrl, durationMs: 10_000, vus: 2, routes: [{ path: '/fast' }], signal: controller.signal });
    expect(Date.now() - started).toBeLessThan(600);
    expect(result.summary.metrics.http_reqs?.values.count).toBeGreaterThan(0);
  });
});

describe('local load config', () => {
  it('fills defaults', () => {
    expect(localLoadConfigSchema.parse({})).toEqual({
      durationSec: 10,
      vus: 10,
      routes: [{ method: 'GET', path: '/health', weight: 1 }],
      requestTimeoutSec: 10,
    });
  });

  it('rejects bad values with the offending key', () => {
    const r = localLoadConfigSchema.safeParse({ vus: 0, routes: [{ path: 'users' }], extra: 1 });
    expect(r.success).toBe(false);
    const paths = r.error?.issues.map((i) => i.path.join('.'));
    expect(paths).toEqual(expect.arrayContaining(['vus', 'routes.0.path']));
    expect(r.error?.issues.find((i) => i.path.join('.') === 'routes.0.path')?.message).toMatch(/starts with "\/"/);
  });

  it('interleaves weighted routes', () => {
    const seq = expandRoutes([
      { path: 'a', weight: 3 },
      { path: 'b', weight: 1 },
    ]).map((r) => r.path);
    expect(seq).toEqual(['a', 'a', 'b', 'a']);
  });
});
