/**
 * Per-branch baseline of the gate's figures, and the change against the base branch.
 *
 * How the gate avoids flapping on noisy runners:
 * - the absolute thresholds (script, `--p95-ms`, `--error-rate`, builtins) are authoritative; the baseline only
 *   reports the change, unless `maxRegressionPct` is set;
 * - with `maxRegressionPct`, a p95 regression fails the gate only when it is larger than that percentage AND larger
 *   than `noiseFloorMs` in absolute terms (default 5 ms): a 2 ms → 3 ms change is +50% but pure scheduler noise;
 * - figures are compared only between runs of the same engine (k6 and the local engine measure differently);
 * - only passing runs are saved as a branch's baseline, so one broken run does not become the reference.
 * The local store is a JSON file per branch under `.backend-ci/baselines/`; the GitHub front end implements the same
 * BaselineStore interface on top of the actions cache.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import type { GateReport, ThresholdResult } from '../types.js';

const figuresSchema = z.object({
  ref: z.string(),
  engine: z.enum(['k6', 'local']),
  p95Ms: z.number().nullable(),
  errorRate: z.number().nullable(),
  requests: z.number(),
  recordedAt: z.string(),
  sha: z.string().optional(),
});

export type BaselineFigures = z.infer<typeof figuresSchema>;

export interface BaselineStore {
  /** The branch's last saved figures, or null when there are none. Throws BaselineError on a corrupt record. */
  load(branch: string): Promise<BaselineFigures | null>;
  save(branch: string, figures: BaselineFigures): Promise<void>;
}

export class BaselineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaselineError';
  }
}

/** File name of a branch's baseline (slashes and other unsafe characters escaped). */
export function baselineFileName(branch: string): string {
  return `${encodeURIComponent(branch)}.json`;
}

/** The local store: `<dir>/<branch>.json`, typically `<project>/.backend-ci/baselines`. */
export function createFileBaselineStore(dir: string): BaselineStore {
  return {
    async load(branch) {
      const path = join(dir, baselineFileName(branch));
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
        throw err;
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (err) {
        throw new BaselineError(`${path}: not valid JSON (${(err as Error).message}); delete it to start a new baseline`);
      }
      const parsed = figuresSchema.safeParse(json);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new BaselineError(
          `${path}: not a backend-ci baseline (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}); delete it to start a new baseline`,
        );
      }
      return parsed.data;
    },
    async save(branch, figures) {
      await mkdir(dir, { recursive: true });
      const path = join(dir, baselineFileName(branch));
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(figures, null, 2) + '\n');
      await rename(tmp, path);
    },
  };
}

export function figuresFromGate(gate: GateReport, ref: string, recordedAt: Date, sha?: string): BaselineFigures {
  const figures: BaselineFigures = {
    ref,
    engine: gate.engine,
    p95Ms: gate.p95Ms,
    errorRate: gate.requests > 0 ? gate.failedRate : null,
    requests: gate.requests,
    recordedAt: recordedAt.toISOString(),
  };
  if (sha) figures.sha = sha;
  return figures;
}

export interface RegressionPolicy {
  /** Fail when p95 grew by more than this percentage (and more than noiseFloorMs). Unset: report only. */
  maxRegressionPct?: number;
  /** Absolute change in ms below which a regression is noise (default 5). */
  noiseFloorMs?: number;
}

export const DEFAULT_NOISE_FLOOR_MS = 5;

/** Adds the baseline comparison (and, with maxRegressionPct, the regression threshold) to a gate report. */
export function applyBaseline(gate: GateReport, baseline: BaselineFigures | null, policy: RegressionPolicy = {}): GateReport {
  if (!baseline) return gate;
  const comparable = baseline.engine === gate.engine;
  const changePct =
    comparable && gate.p95Ms !== null && baseline.p95Ms !== null && baseline.p95Ms > 0
      ? ((gate.p95Ms - baseline.p95Ms) / baseline.p95Ms) * 100
      : null;
  const out: GateReport = {
    ...gate,
    thresholds: [...gate.thresholds],
    baseline: { ref: baseline.ref, p95Ms: baseline.p95Ms, errorRate: baseline.errorRate, p95ChangePct: changePct },
  };
  if (policy.maxRegressionPct === undefined) return out;

  const floor = policy.noiseFloorMs ?? DEFAULT_NOISE_FLOOR_MS;
  const expression = `p(95) change<=${policy.maxRegressionPct}% vs ${baseline.ref}`;
  const result: ThresholdResult = { metric: 'http_req_duration', expression, source: 'input', observed: changePct, passed: true };
  if (!comparable) {
    result.note = `not compared: the baseline was measured by the ${baseline.engine} engine, this run by ${gate.engine}`;
  } else if (changePct === null) {
    result.note = 'not compared: p95 missing in this run or the baseline';
  } else {
    const deltaMs = (gate.p95Ms ?? 0) - (baseline.p95Ms ?? 0);
    result.passed = !(changePct > policy.maxRegressionPct && deltaMs > floor);
    result.note = `baseline p95 ${Number((baseline.p95Ms ?? 0).toPrecision(6))} ms, change ${deltaMs >= 0 ? '+' : ''}${Number(deltaMs.toPrecision(4))} ms (noise floor ${floor} ms)`;
  }
  out.thresholds.push(result);
  if (!result.passed && changePct !== null) {
    out.passed = false;
    const why = `p95 regressed ${changePct.toFixed(1)}% vs ${baseline.ref} (limit ${policy.maxRegressionPct}%)`;
    out.reason = out.reason ? `${out.reason}; ${why}` : why;
  }
  return out;
}
