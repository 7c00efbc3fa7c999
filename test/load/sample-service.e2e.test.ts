/**
 * End to end: the bundled sample service (Hono + Postgres + Redis) started with `npm run start` by the smoke stage,
 * on real embedded Postgres and Redis, migrated, then loaded by the local engine (k6 is not installable here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../src/process/run-process.js';
import { createEmbeddedProvider } from '../../src/services/index.js';
import type { StartedServices } from '../../src/services/index.js';
import { defaultSmokeStageDeps, runSmokeStage } from '../../src/load/stage.js';
import type { SmokeStageOptions } from '../../src/load/stage.js';

const SAMPLE = join(process.cwd(), 'sample-service');
const work = mkdtempSync(join(tmpdir(), 'load-e2e-'));
let services: StartedServices | undefined;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  services = await createEmbeddedProvider().start([{ kind: 'postgres' }, { kind: 'redis' }], {
    signal: new AbortController().signal,
    readyTimeoutMs: 30_000,
    log: () => undefined,
    workDir: join(work, 'services'),
  });
  env = {
    ...process.env,
    ...services.env,
    JWT_SECRET: 'load-e2e-secret-that-is-at-least-32-characters',
    CRM_URL: 'http://127.0.0.1:9',
  };
  const migrate = await runProcess({ command: 'npm', args: ['run', 'db:migrate'], cwd: SAMPLE, env, timeoutMs: 60_000 });
  if (migrate.exitCode !== 0) throw new Error(`sample-service migrations failed:\n${migrate.outputTail}`);
});

afterAll(async () => {
  await services?.stop();
  rmSync(work, { recursive: true, force: true });
});

const stage = (p95Ms: number, out: string): SmokeStageOptions => ({
  cwd: SAMPLE,
  env,
  startCommand: { command: 'npm', args: ['run', 'start'] },
  healthPath: '/health',
  healthTimeoutMs: 30_000,
  thresholds: { p95Ms },
  localLoad: {
    durationSec: 2,
    vus: 4,
    routes: [
      { method: 'GET', path: '/health', weight: 1 },
      { method: 'GET', path: '/users?limit=10', weight: 3 },
    ],
  },
  outDir: join(work, out),
  timeoutMs: 90_000,
});

describe('the smoke stage against the sample service', () => {
  it('passes with a generous p95 and fails with an impossible one', async () => {
    const pass = await runSmokeStage(stage(2000, 'pass'), defaultSmokeStageDeps());
    expect(pass.reason).toBeUndefined();
    expect(pass.gate).toMatchObject({ engine: 'local', passed: true, failedRate: 0 });
    expect(pass.gate.requests).toBeGreaterThan(50);
    expect(pass.gate.p95Ms).toBeGreaterThan(0);

    const fail = await runSmokeStage(stage(0.001, 'fail'), defaultSmokeStageDeps());
    expect(fail.status).toBe('failed');
    expect(fail.reason).toBe('thresholds crossed: http_req_duration p(95)<0.001');
    expect(fail.gate.requests).toBeGreaterThan(50);
  });
});
