/**
 * The engine against a plain sequential run of the same stages on sample-service.
 *
 * - sequential: the very same stage commands (same npm scripts, same reporter flags, same embedded services), one after
 *   another, as a shell script would run them (the scheduler with concurrency 1);
 * - engine: the stage graph with independent stages in parallel.
 * Prints both wall times and their ratio (target: engine <= 0.7x sequential), and the engine's orchestration overhead
 * (wall time minus the critical path of stage durations; target < 1 s). Runs each mode twice, alternating, and
 * reports the faster run of each, since these machines are noisy.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPipelineDeps } from '../src/cli/run.js';
import { readProjectFacts } from '../src/cli/project.js';
import { resolveConfig } from '../src/config/resolve.js';
import { parseConfigText } from '../src/config/load-file.js';
import { readFileSync, existsSync } from 'node:fs';
import { createRuntime, runPipeline } from '../src/pipeline/run-pipeline.js';

const root = resolve(fileURLToPath(import.meta.url), '../..');
const projectDir = join(root, 'sample-service');
const rounds = Number(process.env.BENCH_ROUNDS ?? 2);

async function once(mode: 'sequential' | 'engine'): Promise<{ wallMs: number; criticalPathMs: number; exitCode: number; stages: string }> {
  const out = mkdtempSync(join(tmpdir(), `bci-bench-${mode}-`));
  try {
    const project = await readProjectFacts(projectDir);
    const cfgPath = join(projectDir, 'backend-ci.config.json');
    const file = existsSync(cfgPath) ? parseConfigText(readFileSync(cfgPath, 'utf8'), cfgPath) : {};
    const config = resolveConfig({ projectDir, file, flags: { out, suite: 'all' }, project });
    const runtime = createRuntime(process.env);
    const deps = createPipelineDeps({ runtime, color: false, log: () => {} });
    const started = Date.now();
    const r = await runPipeline(config, deps, { env: process.env, ...(mode === 'sequential' ? { concurrency: 1 } : {}) }, runtime);
    return {
      wallMs: Date.now() - started,
      criticalPathMs: r.criticalPathMs,
      exitCode: r.exitCode,
      stages: r.stages.map((s) => `${s.id}:${s.status}:${(s.durationMs / 1000).toFixed(1)}s`).join(' '),
    };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

const results: Record<'sequential' | 'engine', Awaited<ReturnType<typeof once>>[]> = { sequential: [], engine: [] };
for (let i = 0; i < rounds; i++) {
  for (const mode of i % 2 === 0 ? (['sequential', 'engine'] as const) : (['engine', 'sequential'] as const)) {
    const r = await once(mode);
    results[mode].push(r);
    console.log(`${mode.padEnd(10)} round ${i + 1}: wall ${(r.wallMs / 1000).toFixed(2)} s, exit ${r.exitCode}  ${r.stages}`);
  }
}
const best = (xs: { wallMs: number }[]) => xs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const seq = best(results.sequential);
const eng = best(results.engine) as Awaited<ReturnType<typeof once>>;
const ratio = eng.wallMs / seq.wallMs;
const overhead = eng.wallMs - eng.criticalPathMs;
console.log('');
console.log(`sequential (same stages, one after another): ${(seq.wallMs / 1000).toFixed(2)} s`);
console.log(`engine (parallel graph):                     ${(eng.wallMs / 1000).toFixed(2)} s`);
console.log(`ratio engine/sequential: ${ratio.toFixed(2)}x (target <= 0.70x) ${ratio <= 0.7 ? 'PASS' : 'FAIL'}`);
console.log(
  `engine overhead: wall ${(eng.wallMs / 1000).toFixed(2)} s - critical path ${(eng.criticalPathMs / 1000).toFixed(2)} s = ${(overhead / 1000).toFixed(2)} s (target < 1 s) ${
    overhead < 1000 ? 'PASS' : 'FAIL'
  }`,
);
if ([...results.sequential, ...results.engine].some((r) => r.exitCode !== 0)) {
  console.log('note: a run exited non-zero; the figures still compare the same work, see the stage lists above');
}
