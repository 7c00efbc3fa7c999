import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { applyBaseline, BaselineError, createFileBaselineStore, figuresFromGate } from '../../src/load/baseline.js';
import type { BaselineFigures } from '../../src/load/baseline.js';
import type { GateReport } from '../../src/types.js';

const gate = (p95Ms: number | null, engine: GateReport['engine'] = 'k6'): GateReport => ({
  engine,
  passed: true,
  thresholds: [],
  requests: 100,
  failedRate: 0,
  p95Ms,
  p99Ms: null,
});
const base = (p95Ms: number | null, engine: BaselineFigures['engine'] = 'k6'): BaselineFigures => ({
  ref: 'main',
  engine,
  p95Ms,
  errorRate: 0,
  requests: 120,
  recordedAt: '2026-11-24T10:00:00.000Z',
});

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('the file baseline store', () => {
  it('saves and loads figures per branch, branch names with slashes included', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baselines-'));
    dirs.push(dir);
    const store = createFileBaselineStore(join(dir, '.backend-ci', 'baselines'));
    expect(await store.load('main')).toBeNull();
    const figures = figuresFromGate(gate(42), 'feature/login', new Date('2026-11-24T12:00:00Z'), 'abc123');
    await store.save('feature/login', figures);
    expect(await store.load('feature/login')).toEqual(figures);
    expect(JSON.parse(readFileSync(join(dir, '.backend-ci', 'baselines', 'feature%2Flogin.json'), 'utf8'))).toEqual({
      ref: 'feature/login',
      engine: 'k6',
      p95Ms: 42,
      errorRate: 0,
      requests: 100,
      recordedAt: '2026-11-24T12:00:00.000Z',
      sha: 'abc123',
    });
  });

  it('reports a corrupt baseline file clearly instead of crashing', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'baselines-'));
    dirs.push(dir);
    writeFileSync(join(dir, 'main.json'), '{"ref": "main", "p95Ms": "fast"}');
    const store = createFileBaselineStore(dir);
    await expect(store.load('main')).rejects.toThrow(BaselineError);
    await expect(store.load('main')).rejects.toThrow(/main\.json: not a backend-ci baseline .*delete it/);
    writeFileSync(join(dir, 'dev.json'), '{oops');
    await expect(store.load('dev')).rejects.toThrow(/dev\.json: not valid JSON/);
  });
});

describe('comparing with the base branch', () => {
  it('reports the p95 change without failing when no regression limit is set', () => {
    const out = applyBaseline(gate(150), base(100));
    expect(out.passed).toBe(true);
    expect(out.baseline).toEqual({ ref: 'main', p95Ms: 100, errorRate: 0, p95ChangePct: 50 });
    expect(out.thresholds).toEqual([]);
  });

  it('fails a p95 regression beyond maxRegressionPct and the noise floor', () => {
    const out = applyBaseline(gate(150), base(100), { maxRegressionPct: 20 });
    expect(out.passed).toBe(false);
    expect(out.reason).toBe('p95 regressed 50.0% vs main (limit 20%)');
    expect(out.thresholds[0]).toMatchObject({ metric: 'http_req_duration', expression: 'p(95) change<=20% vs main', source: 'input', observed: 50, passed: false });
  });

  it('does not flap on a large relative change that is tiny in milliseconds', () => {
    const out = applyBaseline(gate(3), base(2), { maxRegressionPct: 20 });
    expect(out.baseline?.p95ChangePct).toBe(50);
    expect(out.passed).toBe(true);
    expect(out.thresholds[0]?.note).toMatch(/noise floor 5 ms/);
    expect(applyBaseline(gate(3), base(2), { maxRegressionPct: 20, noiseFloorMs: 0.5 }).passed).toBe(false);
  });

  it('does not compare figures of different engines', () => {
    const out = applyBaseline(gate(500, 'local'), base(10, 'k6'), { maxRegressionPct: 10 });
    expect(out.passed).toBe(true);
    expect(out.baseline?.p95ChangePct).toBeNull();
    expect(out.thresholds[0]?.note).toMatch(/measured by the k6 engine, this run by local/);
  });

  it('leaves the report unchanged without a baseline', () => {
    const g = gate(10);
    expect(applyBaseline(g, null, { maxRegressionPct: 10 })).toBe(g);
  });
});
