import { describe, expect, it } from 'vitest';
import { TestCollector, identityHash } from '../../src/reports/collector.js';
import type { TestCaseRecord } from '../../src/reports/collector.js';
import { ingestJUnitFiles } from '../../src/reports/build.js';
import { junitDoc, tempDir } from './helpers.js';

function rec(over: Partial<TestCaseRecord>): TestCaseRecord {
  return {
    suite: 's',
    classname: 'c',
    name: 't',
    durationMs: 1,
    status: 'passed',
    message: '',
    details: '',
    output: '',
    failedAttempts: 0,
    source: 'a.xml',
    ...over,
  };
}

describe('merge rules across files', () => {
  it('counts a test re-run in a later file once, and the later result wins', () => {
    const c = new TestCollector();
    c.beginFile('a.xml', true);
    c.add(rec({ name: 'x', status: 'skipped', durationMs: 5 }));
    c.add(rec({ name: 'y', durationMs: 7 }));
    c.endFile();
    c.beginFile('b.xml', false);
    c.add(rec({ name: 'x', durationMs: 3, source: 'b.xml' }));
    c.endFile();
    const r = c.finish();
    expect(r.totals).toMatchObject({ total: 2, passed: 2, skipped: 0, durationMs: 10 });
  });

  it('reports a test that failed in one file and passed in a later one as flaky, not failed', () => {
    const c = new TestCollector();
    c.beginFile('shard1.xml', true);
    c.add(rec({ name: 'x', status: 'failed', message: 'boom', failedAttempts: 1, file: 'test/x.ts', line: 3 }));
    c.endFile();
    c.beginFile('retry.xml', false);
    c.add(rec({ name: 'x', status: 'passed', source: 'retry.xml' }));
    c.endFile();
    const r = c.finish();
    expect(r.totals).toMatchObject({ total: 1, passed: 0, failed: 0, flaky: 1 });
    expect(r.failed).toEqual([]);
    expect(r.flaky[0]).toMatchObject({ name: 'x', message: 'boom', failedAttempts: 1, source: 'retry.xml' });
  });

  it('keeps a test failed when it passed first and failed in the later file', () => {
    const c = new TestCollector();
    c.beginFile('a.xml', true);
    c.add(rec({ name: 'x' }));
    c.endFile();
    c.beginFile('b.xml', false);
    c.add(rec({ name: 'x', status: 'failed', message: 'now broken', failedAttempts: 1 }));
    c.endFile();
    const r = c.finish();
    expect(r.totals).toMatchObject({ total: 1, passed: 0, failed: 1 });
    expect(r.failed[0]?.message).toBe('now broken');
  });

  it('counts same-named cases inside ONE file separately (parameterised tests), but dedups them across files', () => {
    const c = new TestCollector();
    c.beginFile('a.xml', true);
    c.add(rec({ name: 'p' }));
    c.add(rec({ name: 'p' }));
    c.endFile();
    expect(c.finish().totals.total).toBe(2);
    c.beginFile('b.xml', false);
    c.add(rec({ name: 'p' }));
    c.endFile();
    expect(c.finish().totals.total).toBe(2);
  });

  it('tells apart the same test in different stages (stage is part of the identity)', () => {
    const c = new TestCollector();
    c.beginFile('unit.xml', true);
    c.add(rec({ name: 'x', stage: 'unit' }));
    c.endFile();
    c.beginFile('int.xml', false);
    c.add(rec({ name: 'x', stage: 'integration:critical', status: 'failed', failedAttempts: 1 }));
    c.endFile();
    expect(c.finish().totals).toMatchObject({ total: 2, passed: 1, failed: 1 });
    expect(identityHash('', 'a', 'bc', 'd')).not.toBe(identityHash('', 'ab', 'c', 'd'));
    expect(identityHash('unit', 's', 'c', 'd')).not.toBe(identityHash('unit', 't', 'c', 'd'));
  });

  it('bounds failed and flaky lists and says how many were dropped', () => {
    const c = new TestCollector({ maxFailed: 3, maxFlaky: 1, slowest: 2 });
    c.beginFile('a.xml', false);
    for (let i = 0; i < 10; i++) c.add(rec({ name: `f${i}`, status: 'failed', failedAttempts: 1, durationMs: i }));
    for (let i = 0; i < 4; i++) c.add(rec({ name: `k${i}`, status: 'flaky', failedAttempts: 1 }));
    c.endFile();
    const r = c.finish();
    expect(r.failed).toHaveLength(3);
    expect(r.failedOmitted).toBe(7);
    expect(r.flaky).toHaveLength(1);
    expect(r.flakyOmitted).toBe(3);
    expect(r.slowest.map((s) => s.name)).toEqual(['f9', 'f8']);
  });

  it('merges real files: shards plus a retry file, through the JUnit reader', async () => {
    const t = tempDir();
    try {
      const a = t.file('shard-1.xml', junitDoc(4, { failing: (i) => i === 1 || i === 2 }));
      const b = t.file('retry.xml', junitDoc(1, { name: () => 'case 1' }));
      const { tests, warnings } = await ingestJUnitFiles([a, b]);
      expect(warnings).toEqual([]);
      expect(tests.totals).toMatchObject({ total: 4, passed: 2, failed: 1, flaky: 1 });
      expect(tests.failed.map((f) => f.name)).toEqual(['case 2']);
      expect(tests.flaky.map((f) => f.name)).toEqual(['case 1']);
      expect(tests.files).toEqual([a, b]);
    } finally {
      t.cleanup();
    }
  });

  it('takes JUnit and coverage files from the stages when none are given, tagging tests with the stage id', async () => {
    const { buildRunReport } = await import('../../src/reports/build.js');
    const { fixture } = await import('./helpers.js');
    const report = await buildRunReport({
      stages: [
        { id: 'unit', title: 'Unit', status: 'failed', durationMs: 10, required: true, junitPaths: [fixture('vitest.xml')], coveragePaths: [fixture('lcov.info')] },
        { id: 'integration:critical', title: 'Integration', status: 'passed', durationMs: 10, required: true, junitPaths: [fixture('mocha.xml')] },
      ],
    });
    expect(report.tests.totals.total).toBe(8);
    expect(report.tests.failed.map((f) => f.stage)).toEqual(['unit', 'integration:critical']);
    expect(report.coverage?.sources).toEqual([fixture('lcov.info')]);
    expect(report.passed).toBe(false);
  });
});
