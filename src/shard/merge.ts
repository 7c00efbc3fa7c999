/**
 * Merges the report folders of a sharded run into ONE report, as if the suite had run in one job:
 *   - tests: every shard's JUnit files, tagged with the stage that wrote them (so a test's identity is the same as
 *     in an unsharded run) and read in shard order; each test is counted once;
 *   - a re-run shard replaces its earlier attempt (see outputs.ts), and only the chosen attempt's files are read;
 *   - coverage: every shard's runs combined per file: exactly, statement by statement, from istanbul's
 *     coverage-final.json when the shards wrote it (the report layer's istanbul merge), else the line-level union of
 *     their lcov (hit counts summed per file and line, lcov-union.ts); the unioned lcov.info is written either way;
 *   - stages: one row per pipeline stage over all shards (worst status, longest duration), plus one row per shard;
 *     a shard with no output is a failed row "shard 2/3: missing (no artifact)", and the merged run fails;
 *   - the duration history is updated from the shards' JUnit files, for the next plan.
 * Writes summary.md, comment.md, annotations.json, junit.xml, report.html and result.json into `outDir`, the files
 * the GitHub publisher reads.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { findRepoRoot } from '../pipeline/report-writer.js';
import {
  buildRunReport,
  mergeIstanbulCoverageFiles,
  metaFromEnv,
  writeReportFiles,
  type CoverageThresholds,
  type JUnitSource,
  type ReportWarning,
  type RunReport,
} from '../reports/index.js';
import type { GateReport, StageResult, StageStatus } from '../types.js';
import { durationsFromJUnit, readDurations, updateDurations, writeDurations } from './durations.js';
import { unionLcovFiles } from './lcov-union.js';
import { findShardOutputs, selectShardOutputs, type ShardOutput } from './outputs.js';
import { SHARD_GATE_FILE } from './manifest.js';

export interface MergeInput {
  /** Shard report folders, or folders holding them (the download-artifact target). */
  inputs: string[];
  /** Number of shards the run was split into. */
  total: number;
  outDir: string;
  /** The project (for repository-relative paths in annotations and coverage). */
  projectDir: string;
  suite: string;
  env: NodeJS.ProcessEnv;
  coverageThresholds?: CoverageThresholds;
  /** Duration history to update from the shards' results (read, updated, written back). */
  durationsPath?: string;
}

export interface MergeResult {
  exitCode: 0 | 1;
  report: RunReport;
  /** What result.json holds. */
  result: Record<string, unknown>;
  /** Lines for the console: which folder was used for each shard, what was replaced or ignored. */
  notes: string[];
}

const STAGE_TITLES: Record<string, string> = {
  install: 'Install',
  lint: 'Lint',
  typecheck: 'Typecheck',
  unit: 'Unit tests',
  services: 'Services',
  migrate: 'Migrate',
  'integration:critical': 'Integration (critical)',
  'integration:non-critical': 'Integration (non-critical)',
  load: 'Load smoke gate',
};

const SEVERITY: Record<string, number> = { failed: 4, 'timed-out': 3, cancelled: 2, passed: 1, skipped: 0 };
const STATUSES = new Set<StageStatus>(['passed', 'failed', 'skipped', 'timed-out', 'cancelled']);

/** Stage id from a JUnit file name the engine wrote: `integration-critical.shard-2-of-3.xml` -> integration:critical. */
export function stageOfJUnitFile(name: string): string {
  if (name === 'load-junit.xml') return 'load';
  const head = name.split('.')[0] ?? name;
  const m = /^integration-(critical|non-critical)$/.exec(head);
  return m ? `integration:${m[1]}` : head;
}

async function junitFilesOf(o: ShardOutput): Promise<JUnitSource[]> {
  const out: JUnitSource[] = [];
  const dir = join(o.dir, 'junit');
  if (existsSync(dir)) {
    for (const name of (await readdir(dir)).filter((n) => n.endsWith('.xml')).sort()) out.push({ path: join(dir, name), stage: stageOfJUnitFile(name) });
  }
  const load = join(o.dir, 'load', 'load-junit.xml');
  if (existsSync(load)) out.push({ path: load, stage: 'load' });
  return out;
}

/** A shard's coverage files per test run (not the shard's own merged copy, which repeats them). */
async function coverageFilesOf(o: ShardOutput): Promise<{ lcov: string[]; finals: string[] }> {
  const dir = join(o.dir, 'coverage');
  if (!existsSync(dir)) return { lcov: [], finals: [] };
  const entries = (await readdir(dir, { recursive: true })).map((e) => e.replace(/\\/g, '/')).filter((e) => !e.startsWith('merged/')).sort();
  return {
    lcov: entries.filter((e) => e.endsWith('lcov.info')).map((e) => join(dir, e)),
    finals: entries.filter((e) => e.endsWith('coverage-final.json')).map((e) => join(dir, e)),
  };
}

/** The full load gate a shard kept (load/gate.json); null when it has none or it is unreadable. */
async function gateOf(o: ShardOutput): Promise<GateReport | null> {
  try {
    const g = JSON.parse(await readFile(join(o.dir, 'load', SHARD_GATE_FILE), 'utf8')) as Partial<GateReport>;
    const ok = (g.engine === 'k6' || g.engine === 'local') && typeof g.passed === 'boolean' && Array.isArray(g.thresholds) && typeof g.requests === 'number';
    return ok ? (g as GateReport) : null;
  } catch {
    return null;
  }
}

function shardRow(index: number, total: number, o: ShardOutput | undefined): StageResult {
  const id = `shard:${index}/${total}`;
  const title = `Shard ${index}/${total}`;
  if (!o) {
    return { id, title, status: 'failed', durationMs: 0, required: true, reason: 'missing (no artifact): the shard job was cancelled, timed out or failed before it wrote a report' };
  }
  if (!o.result) return { id, title, status: 'failed', durationMs: 0, required: true, reason: `incomplete: ${o.problem ?? 'no result'} (${o.dir})` };
  const bad = o.result.stages.filter((s) => (SEVERITY[s.status] ?? 0) >= 2).map((s) => `${s.id} ${s.status}`);
  const attempt = o.attempt > 1 ? `, attempt ${o.attempt}` : '';
  const shardStage = o.result.stages.find((s) => s.id === 'shard');
  const wall = o.result.timing?.wallMs ?? o.result.stages.reduce((max, s) => Math.max(max, s.durationMs ?? 0), 0);
  const planned = o.manifest ? `${o.manifest.files.length} test file(s), expected ${(o.manifest.expectedMs / 1000).toFixed(1)} s` : 'ran';
  return {
    id,
    title,
    status: o.result.exitCode === 0 ? 'passed' : 'failed',
    durationMs: wall,
    required: true,
    reason:
      o.result.exitCode === 0
        ? `${planned}${attempt}`
        : `failed${attempt}${bad.length ? `: ${bad.join(', ')}` : ` (exit code ${o.result.exitCode})`}${shardStage?.status === 'failed' && shardStage.reason ? `; ${shardStage.reason}` : ''}`,
  };
}

/** One row per pipeline stage over all shards: the worst status among the shards that ran it. */
function combinedStages(chosen: (ShardOutput | undefined)[], total: number): StageResult[] {
  const ids: string[] = [];
  const rows = new Map<string, { shard: number; status: string; durationMs: number; reason?: string; exitCode: number }[]>();
  chosen.forEach((o, i) => {
    for (const s of o?.result?.stages ?? []) {
      if (s.id === 'shard') continue;
      if (!rows.has(s.id)) {
        ids.push(s.id);
        rows.set(s.id, []);
      }
      rows.get(s.id)!.push({ shard: i + 1, status: s.status, durationMs: s.durationMs ?? 0, exitCode: o!.result!.exitCode, ...(s.reason ? { reason: s.reason } : {}) });
    }
  });
  return ids.map((id) => {
    const all = rows.get(id)!;
    const ran = all.filter((r) => r.status !== 'skipped');
    const title = STAGE_TITLES[id] ?? id;
    if (ran.length === 0) {
      const first = all[0]!;
      return { id, title, status: 'skipped', durationMs: 0, required: true, ...(first.reason ? { reason: first.reason } : {}) };
    }
    const worst = ran.reduce((w, r) => ((SEVERITY[r.status] ?? 4) > (SEVERITY[w.status] ?? 4) ? r : w));
    const status: StageStatus = STATUSES.has(worst.status as StageStatus) ? (worst.status as StageStatus) : 'failed';
    const bad = ran.filter((r) => r.status !== 'passed');
    const shards = ran.map((r) => r.shard).join(', ');
    const reason =
      bad.length > 0
        ? bad.map((r) => `shard ${r.shard}/${total}: ${r.reason ?? r.status}`).join('; ')
        : ran.length === 1
          ? `${ran[0]!.reason ? `${ran[0]!.reason} ` : ''}(shard ${ran[0]!.shard}/${total})`
          : `ran in shards ${shards}`;
    // A stage that failed in a shard whose run still passed was not required there (e.g. required: false).
    const required = !(status !== 'passed' && bad.every((r) => r.exitCode === 0));
    return { id, title, status, durationMs: Math.max(...ran.map((r) => r.durationMs)), required, reason };
  });
}

export async function mergeShards(input: MergeInput): Promise<MergeResult> {
  const outDir = resolve(input.outDir);
  const notes: string[] = [];
  const { outputs, warnings } = await findShardOutputs(input.inputs.map((p) => resolve(p)));
  const ownOutput = outputs.find((o) => resolve(o.dir) === outDir);
  if (ownOutput) throw new Error(`--out ${input.outDir} is one of the shard folders; write the merged report elsewhere`);
  const { chosen, replaced, foreign } = selectShardOutputs(outputs, input.total);
  notes.push(...warnings);
  for (const r of replaced) notes.push(`shard ${r.index}/${r.total}: ${r.dir} (attempt ${r.attempt}) replaced by a later attempt`);
  for (const f of foreign) notes.push(`${f.dir}: shard ${f.index}/${f.total} is not part of a ${input.total}-shard run; ignored`);
  chosen.forEach((o, i) => notes.push(`shard ${i + 1}/${input.total}: ${o ? `${o.dir} (attempt ${o.attempt})` : 'missing (no artifact)'}`));

  const complete = chosen.filter((o): o is ShardOutput => !!o?.result);
  const junit: JUnitSource[] = [];
  const lcov: string[] = [];
  const finals: string[] = [];
  for (const o of complete) {
    junit.push(...(await junitFilesOf(o)));
    const c = await coverageFilesOf(o);
    lcov.push(...c.lcov);
    finals.push(...c.finals);
  }

  // Fresh output: nothing of an earlier merge may be published as this one's.
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const coverage: string[] = [];
  const reportWarnings: ReportWarning[] = warnings.map((message) => ({
    message,
    hint: 'Download every shard artifact into one folder and pass it to backend-ci merge.',
  }));
  if (lcov.length) {
    const union = join(outDir, 'coverage', 'lcov.info');
    await mkdir(join(outDir, 'coverage'), { recursive: true });
    await writeFile(union, await unionLcovFiles(lcov));
    coverage.push(union);
  }
  if (finals.length) {
    const exact = mergeIstanbulCoverageFiles(finals);
    reportWarnings.push(...exact.warnings);
    if (exact.summary) {
      const dir = join(outDir, 'coverage', 'merged');
      await mkdir(dir, { recursive: true });
      await writeFile(join(dir, 'coverage-summary.json'), JSON.stringify(exact.summary));
      await writeFile(join(dir, 'coverage-final.json'), JSON.stringify(exact.merged));
      coverage.splice(0, coverage.length, join(dir, 'coverage-summary.json'));
    }
  }

  const stages = [...chosen.map((o, i) => shardRow(i + 1, input.total, o)), ...combinedStages(chosen, input.total)];
  let fullGate: GateReport | null = null;
  for (const o of complete) fullGate ??= await gateOf(o);
  const gate = fullGate
    ? { passed: fullGate.passed, p95Ms: fullGate.p95Ms, engine: fullGate.engine }
    : (complete.map((o) => o.result!.gate).find((g) => g) ?? null);
  const report = await buildRunReport({
    ...(fullGate ? { gate: fullGate } : {}),
    junit,
    coverage,
    ...(input.coverageThresholds ? { coverageThresholds: input.coverageThresholds } : {}),
    stages,
    meta: { title: 'backend-ci', suite: input.suite, ...metaFromEnv(input.env) },
    repoRoot: findRepoRoot(input.projectDir),
    cwd: input.projectDir,
    warnings: reportWarnings,
  });
  await writeReportFiles(report, outDir);

  const t = report.tests.totals;
  const tests = { passed: t.passed, failed: t.failed + t.errored, flaky: t.flaky, skipped: t.skipped, total: t.total };
  const stageFailed = stages.some((s) => s.required && (s.status === 'failed' || s.status === 'timed-out' || s.status === 'cancelled'));
  const coveragePassed = report.coverage ? report.coverage.passed : true;
  const exitCode: 0 | 1 = stageFailed || tests.failed > 0 || !coveragePassed || gate?.passed === false ? 1 : 0;
  const result = {
    exitCode,
    tests,
    coverage: { lines: report.coverage?.totals.lines?.pct ?? null },
    gate,
    stages: stages.map((s) => ({ id: s.id, status: s.status, durationMs: s.durationMs, ...(s.reason ? { reason: s.reason } : {}) })),
    shards: chosen.map((o, i) => ({
      index: i + 1,
      status: !o ? 'missing' : !o.result ? 'incomplete' : o.result.exitCode === 0 ? 'passed' : 'failed',
      ...(o ? { attempt: o.attempt, dir: o.dir } : {}),
    })),
  };
  await writeFile(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);

  if (input.durationsPath && complete.length) {
    const measured = [];
    for (const src of junit) {
      try {
        measured.push(await durationsFromJUnit(typeof src === 'string' ? src : src.path));
      } catch (e) {
        notes.push(`durations: ${(e as Error).message}; that file is left out of the history`);
      }
    }
    const previous = await readDurations(input.durationsPath).catch((e: Error) => {
      notes.push(`durations: ${e.message}; starting a new history`);
      return { version: 1 as const, files: {} };
    });
    const next = updateDurations(previous, measured);
    await writeDurations(input.durationsPath, next);
    notes.push(`durations: ${Object.keys(next.files).length} file(s) in ${input.durationsPath}`);
  }
  return { exitCode, report, result, notes };
}
