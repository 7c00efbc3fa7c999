/**
 * Report layer benchmark: ingest + merge + render + write of JUnit XML made by /work/shared/tools/gen_junit.py
 * (or $GEN_JUNIT), generated into a temp dir at bench time.
 *
 * Cases: 200,000 test cases (~61 MB) in one file and in 4,000 files; 1,000,000 test cases (~300 MB) in one file.
 * Each measurement runs in its own child process (plain node on an esbuild bundle, so no TypeScript loader cost):
 *   - baseline: a bare saxes pass over the same bytes (same 1 MiB reads and UTF-8 decoding, counting <testcase>);
 *   - report:   `backend-ci report FILES --out DIR` through `reportCommand` (the CLI's code path).
 * Printed: process wall time, in-process time, peak RSS (process.resourceUsage().maxRSS), best of RUNS runs, and
 * PASS/FAIL against the targets (200k: <= 1.0 s and <= 250 MiB; 1M: <= 4 s and <= 300 MiB, on process wall).
 * Env: RUNS (default 3), BENCH_SKIP_1M=1 to skip the 1M case.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GEN = process.env.GEN_JUNIT ?? '/work/shared/tools/gen_junit.py';
const RUNS = Number(process.env.RUNS ?? 3);

interface Case {
  name: string;
  args: string[];
  bytes: number;
  tests: number;
  maxMs: number;
  maxMiB: number;
}
interface Sample {
  wallMs: number;
  innerMs: number;
  rssMiB: number;
  detail: string;
}

const RUNNER = `
import { reportCommand } from './report-entry.js';
const t0 = performance.now();
const sink = { write: () => true, isTTY: false };
const code = await reportCommand(process.argv.slice(2), { cwd: process.cwd(), env: {}, stdout: sink, stderr: process.stderr });
const innerMs = performance.now() - t0;
console.log(JSON.stringify({ innerMs, rssMiB: process.resourceUsage().maxRSS / 1024, detail: 'exit ' + code }));
`;

const BASELINE = `
import { openSync, readSync, closeSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { SaxesParser } from 'saxes';
const t0 = performance.now();
let files = process.argv.slice(2).filter((a) => !a.startsWith('--'));
files = files.flatMap((f) => (statSync(f).isDirectory() ? readdirSync(f).sort().map((n) => join(f, n)) : [f]));
const buf = Buffer.allocUnsafe(1 << 20);
let cases = 0;
for (const f of files) {
  const p = new SaxesParser({ xmlns: false, position: true });
  p.on('opentag', (t) => { if (t.name === 'testcase') cases++; });
  p.on('text', () => {});
  const dec = new TextDecoder('utf-8', { fatal: true });
  const fd = openSync(f, 'r');
  for (;;) { const n = readSync(fd, buf, 0, buf.length, null); if (!n) break; p.write(dec.decode(buf.subarray(0, n), { stream: true })); }
  closeSync(fd);
  p.close();
}
console.log(JSON.stringify({ innerMs: performance.now() - t0, rssMiB: process.resourceUsage().maxRSS / 1024, detail: cases + ' testcases' }));
`;

function run(script: string, args: string[], cwd: string): Sample {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [script, ...args], { cwd, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wallMs = performance.now() - t0;
  if (r.status !== 0 && !r.stdout.includes('innerMs')) throw new Error(`${script} failed: ${r.stderr}`);
  const last = r.stdout.trim().split('\n').pop() ?? '{}';
  const j = JSON.parse(last) as { innerMs: number; rssMiB: number; detail: string };
  return { wallMs, innerMs: j.innerMs, rssMiB: j.rssMiB, detail: j.detail };
}

function best(samples: Sample[]): Sample {
  return samples.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
}

function gen(args: string[]): void {
  const r = spawnSync('python3', [GEN, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`gen_junit.py ${args.join(' ')} failed: ${r.stderr}`);
}

async function main(): Promise<void> {
  if (!existsSync(GEN)) throw new Error(`generator not found: ${GEN} (set GEN_JUNIT)`);
  const tmp = mkdtempSync(join(tmpdir(), 'bci-report-bench-'));
  try {
    // bundle the command once; saxes & co. stay external (resolved from the repo's node_modules via NODE_PATH-free symlink)
    const bundleDir = join(root, 'node_modules', '.cache', 'bci-report-bench');
    mkdirSync(bundleDir, { recursive: true });
    await build({
      entryPoints: [join(root, 'src/reports/command.ts')],
      outfile: join(bundleDir, 'report-entry.js'),
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      packages: 'external',
      logLevel: 'error',
    });
    const runner = join(bundleDir, 'runner.mjs');
    const baseline = join(bundleDir, 'baseline.mjs');
    writeFileSync(runner, RUNNER);
    writeFileSync(baseline, BASELINE);

    console.log('generating inputs with gen_junit.py ...');
    const single = join(tmp, 'single-200k.xml');
    const many = join(tmp, 'many-200k');
    const big = join(tmp, 'single-1m.xml');
    gen(['--tests', '200000', '--single', single]);
    gen(['--tests', '200000', '--per-file', '50', '--out', many]);
    const cases: Case[] = [
      { name: '200k tests, 1 file', args: [single], bytes: statSync(single).size, tests: 200_000, maxMs: 1000, maxMiB: 250 },
      { name: '200k tests, 4000 files', args: [`${many}/*.xml`], bytes: dirBytes(many), tests: 200_000, maxMs: 1000, maxMiB: 250 },
    ];
    if (!process.env.BENCH_SKIP_1M) {
      gen(['--tests', '1000000', '--single', big]);
      cases.push({ name: '1M tests, 1 file', args: [big], bytes: statSync(big).size, tests: 1_000_000, maxMs: 4000, maxMiB: 300 });
    }

    const rows: string[] = [];
    let failed = 0;
    for (const c of cases) {
      const baseArgs = c.args[0]?.endsWith('*.xml') ? [many] : c.args;
      const base = best(Array.from({ length: RUNS }, () => run(baseline, baseArgs, tmp)));
      const reps = Array.from({ length: RUNS }, (_, i) => run(runner, [...c.args, '--out', join(tmp, `out-${i}`), '--repo-root', '/home/runner/work/repo/repo'], tmp));
      const rep = best(reps);
      const rssMax = Math.max(...reps.map((r) => r.rssMiB));
      const ok = rep.wallMs <= c.maxMs && rssMax <= c.maxMiB;
      if (!ok) failed++;
      rows.push(
        [
          c.name.padEnd(24),
          `${(c.bytes / 1e6).toFixed(0)} MB`.padStart(7),
          `${base.wallMs.toFixed(0)} ms / ${base.rssMiB.toFixed(0)} MiB`.padStart(20),
          `${rep.wallMs.toFixed(0)} ms (in-process ${rep.innerMs.toFixed(0)}) / ${rssMax.toFixed(0)} MiB`.padStart(38),
          `${(rep.wallMs / base.wallMs).toFixed(2)}x`.padStart(6),
          `<= ${c.maxMs} ms, <= ${c.maxMiB} MiB`.padStart(22),
          ok ? 'PASS' : 'FAIL',
          `(${rep.detail}; runs: ${reps.map((r) => r.wallMs.toFixed(0)).join('/')} ms)`,
        ].join(' | '),
      );
    }
    console.log(`\nbest of ${RUNS} runs each, child processes; baseline = bare saxes pass over the same bytes`);
    console.log(
      ['case'.padEnd(24), 'input'.padStart(7), 'baseline wall / RSS'.padStart(20), 'report wall / peak RSS (max of runs)'.padStart(38), 'ratio'.padStart(6), 'target'.padStart(22), 'verdict'].join(' | '),
    );
    for (const r of rows) console.log(r);
    if (failed) process.exitCode = 1;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function dirBytes(dir: string): number {
  const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
  return Number(r.stdout.split('\t')[0]);
}

await main();
