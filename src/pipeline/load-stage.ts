/**
 * The pipeline's `load` stage: the k6 smoke gate module (src/load) run with the resolved config: the project's start
 * script, k6 when it is installed and a script is configured (else the local engine), and a per-branch baseline kept
 * under .backend-ci/baselines.
 */
import { join } from 'node:path';
import { createFileBaselineStore } from '../load/baseline.js';
import { defaultSmokeStageDeps, runSmokeStage } from '../load/stage.js';
import type { LoadStageContext, StageDeps } from './stages.js';

export async function runLoadStage(ctx: LoadStageContext): ReturnType<NonNullable<StageDeps['runLoad']>> {
  const { config } = ctx;
  const s = config.stages.load;
  if (s.error) throw new Error(s.error);
  const cmd = s.command!;
  const startCommand = cmd.kind === 'npm-script' ? { command: 'npm', args: ['run', cmd.value] } : { command: 'sh', args: ['-c', cmd.value] };
  const branch = ctx.env.GITHUB_HEAD_REF || ctx.env.GITHUB_REF_NAME || ctx.env.BACKEND_CI_BRANCH || 'local';
  const baseBranch = ctx.env.GITHUB_BASE_REF || undefined;
  const r = await runSmokeStage(
    {
      cwd: config.projectDir,
      env: { ...ctx.env, ...s.env },
      startCommand,
      healthPath: s.healthPath,
      healthTimeoutMs: s.healthTimeoutMs,
      ...(s.k6Script ? { k6Script: s.k6Script } : {}),
      thresholds: {
        ...(s.p95Ms !== undefined ? { p95Ms: s.p95Ms } : {}),
        ...(s.errorRate !== undefined ? { errorRate: s.errorRate } : {}),
        ...(s.maxRegressionPct !== undefined ? { maxRegressionPct: s.maxRegressionPct } : {}),
      },
      localLoad: s.local,
      outDir: join(config.outDir, 'load'),
      signal: ctx.signal,
      timeoutMs: ctx.timeoutMs,
      baseline: { branch, ...(baseBranch ? { baseBranch } : {}), ...(ctx.env.GITHUB_SHA ? { sha: ctx.env.GITHUB_SHA } : {}) },
    },
    { ...defaultSmokeStageDeps(), baselineStore: createFileBaselineStore(join(config.projectDir, '.backend-ci', 'baselines')) },
  );
  return {
    gate: r.gate,
    junitPath: r.junitPath,
    status: r.status === 'passed' ? 'passed' : 'failed',
    ...(r.reason ? { reason: r.reason } : {}),
  };
}
