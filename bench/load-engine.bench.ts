/**
 * Cost of the local engine's true percentiles: requests/s of plain autocannon vs runLocalLoad (autocannon + one HDR
 * histogram record per response) against the same HTTP server (a separate process), measured in the same run:
 * one warm-up, then three A/B rounds; medians printed (the machine is shared, single runs are noisy).
 */
import { spawn } from 'node:child_process';
import autocannon from 'autocannon';
import { runLocalLoad } from '../src/load/local-engine.js';
import { netPortProbe } from '../src/load/ports.js';

const DURATION_S = 2;
const CONNECTIONS = 8;

const port = await netPortProbe.findFree();
const server = spawn(
  process.execPath,
  ['-e', `require('node:http').createServer((q, s) => s.end('ok')).listen(${port}, () => console.log('up'))`],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
await new Promise<void>((resolve) => server.stdout.once('data', () => resolve()));
const url = `http://127.0.0.1:${port}`;

async function plain(): Promise<{ rps: number }> {
  const r = await autocannon({ url, connections: CONNECTIONS, duration: DURATION_S });
  return { rps: r.requests.total / r.duration };
}

async function local(): Promise<{ rps: number; p95: number; p99: number }> {
  const r = await runLocalLoad({ baseUrl: url, durationMs: DURATION_S * 1000, vus: CONNECTIONS, routes: [{ path: '/' }] });
  const m = r.summary.metrics;
  return {
    rps: (m.http_reqs?.values.count ?? 0) / ((r.summary.durationMs ?? 1) / 1000),
    p95: m.http_req_duration?.values['p(95)'] ?? NaN,
    p99: m.http_req_duration?.values['p(99)'] ?? NaN,
  };
}

try {
  await plain();
  const a: number[] = [];
  const b: number[] = [];
  let last: Awaited<ReturnType<typeof local>> | undefined;
  for (let round = 0; round < 3; round++) {
    a.push((await plain()).rps);
    last = await local();
    b.push(last.rps);
  }
  const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? NaN;
  const base = median(a);
  const ours = median(b);
  console.log(`plain autocannon (baseline): median ${base.toFixed(0)} req/s  (${a.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`local engine (HDR per response): median ${ours.toFixed(0)} req/s  (${b.map((x) => x.toFixed(0)).join(', ')})`);
  console.log(`throughput change vs baseline: ${(((ours - base) / base) * 100).toFixed(1)}%`);
  console.log(`local engine last round: p95 ${last?.p95.toFixed(3)} ms, p99 ${last?.p99.toFixed(3)} ms`);
} finally {
  server.kill('SIGTERM');
}
