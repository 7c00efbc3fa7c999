import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { GraphError, runGraph, validateGraph, type StageDefinition, type StageOutcome } from '../../src/pipeline/scheduler.js';

/** A stage that takes `ms` of (fake) time, then ends with `status`; it stops early when its signal fires. */
function timed(id: string, ms: number, status: StageOutcome['status'] = 'passed', extra: Partial<StageDefinition> = {}): StageDefinition {
  return {
    id,
    title: id,
    timeoutMs: 60_000,
    ...extra,
    run: ({ signal }) =>
      new Promise<StageOutcome>((resolve) => {
        const t = setTimeout(() => resolve({ status, ...(status === 'failed' ? { reason: `${id} broke` } : {}) }), ms);
        signal.addEventListener('abort', () => {
          clearTimeout(t);
          resolve({ status: 'failed', reason: 'killed' });
        });
      }),
  };
}

async function runWithClock(stages: StageDefinition[], opts: Parameters<typeof runGraph>[1] = {}) {
  const events: string[] = [];
  const p = runGraph(stages, {
    ...opts,
    onEvent: (e) => events.push(e.type === 'start' ? `start ${e.id} @${e.atMs}` : `end ${e.result.id} ${e.result.status}`),
  });
  await vi.runAllTimersAsync();
  return { results: await p, events };
}

describe('stage scheduler', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('runs independent stages concurrently: wall time is the critical path, not the sum', async () => {
    const { results, events } = await runWithClock([
      timed('install', 1000),
      timed('lint', 3000, 'passed', { needs: ['install'] }),
      timed('typecheck', 4000, 'passed', { needs: ['install'] }),
      timed('unit', 2000, 'passed', { needs: ['install'] }),
    ]);
    expect(events.slice(0, 4)).toEqual(['start install @0', 'end install passed', 'start lint @1000', 'start typecheck @1000']);
    expect(events).toContain('start unit @1000');
    expect(Date.now()).toBe(5000);
    expect(results.map((r) => [r.id, r.status, r.durationMs])).toEqual([
      ['install', 'passed', 1000],
      ['lint', 'passed', 3000],
      ['typecheck', 'passed', 4000],
      ['unit', 'passed', 2000],
    ]);
  });

  it('keeps independent stages running when one fails and skips only its dependants, naming the cause', async () => {
    const { results } = await runWithClock([
      timed('services', 500, 'failed'),
      timed('lint', 2000),
      timed('migrate', 100, 'passed', { needs: ['services'] }),
      timed('integration', 100, 'passed', { needs: ['migrate'] }),
    ]);
    const byId = Object.fromEntries(results.map((r) => [r.id, r]));
    expect(byId.services!.status).toBe('failed');
    expect(byId.services!.reason).toBe('services broke');
    expect(byId.lint!.status).toBe('passed');
    expect(byId.migrate).toMatchObject({ status: 'skipped', reason: 'skipped: needs "services", which failed' });
    expect(byId.integration).toMatchObject({ status: 'skipped', reason: 'skipped: needs "migrate", which was skipped' });
  });

  it('runs an `after` stage once its predecessor settles, even when that one failed', async () => {
    const { results, events } = await runWithClock([
      timed('critical', 1000, 'failed'),
      timed('non-critical', 1000, 'passed', { after: ['critical'] }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['failed', 'passed']);
    expect(events).toEqual(['start critical @0', 'end critical failed', 'start non-critical @1000', 'end non-critical passed']);
  });

  it('marks a stage that outlives its timeout as timed-out and aborts its signal', async () => {
    let aborted = false;
    const hang: StageDefinition = {
      id: 'hang',
      title: 'Hang',
      timeoutMs: 5000,
      run: ({ signal }) =>
        new Promise((resolve) => {
          signal.addEventListener('abort', () => {
            aborted = true;
            resolve({ status: 'failed', exitCode: null, logPath: '/tmp/hang.log' });
          });
        }),
    };
    const { results } = await runWithClock([hang, timed('after-hang', 10, 'passed', { needs: ['hang'] })]);
    expect(aborted).toBe(true);
    expect(results[0]).toMatchObject({
      status: 'timed-out',
      durationMs: 5000,
      logPath: '/tmp/hang.log',
      reason: 'timed out after 5 s; its processes were stopped',
    });
    expect(results[1]).toMatchObject({ status: 'skipped', reason: 'skipped: needs "hang", which timed-out' });
  });

  it('gives up on a stage that ignores its abort signal after the grace period', async () => {
    const stubborn: StageDefinition = { id: 'stubborn', title: 's', timeoutMs: 1000, run: () => new Promise(() => {}) };
    const { results } = await runWithClock([stubborn], { abortGraceMs: 2000 });
    expect(results[0]).toMatchObject({ status: 'timed-out', durationMs: 3000 });
  });

  it('in fail-fast mode cancels running stages and skips pending ones at the first required failure', async () => {
    const { results } = await runWithClock(
      [
        timed('lint', 1000, 'failed'),
        timed('typecheck', 5000),
        timed('unit', 100, 'passed', { needs: ['typecheck'] }),
      ],
      { failFast: true },
    );
    expect(results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['lint', 'failed', 'lint broke'],
      ['typecheck', 'cancelled', 'fail-fast: "lint" failed'],
      ['unit', 'skipped', 'fail-fast: "lint" failed'],
    ]);
    expect(Date.now()).toBe(1000);
  });

  it('does not fail fast on a stage that is not required', async () => {
    const { results } = await runWithClock([timed('optional', 100, 'failed', { required: false }), timed('unit', 1000)], {
      failFast: true,
    });
    expect(results.map((r) => r.status)).toEqual(['failed', 'passed']);
    expect(results[0]!.required).toBe(false);
  });

  it('cancels everything on an outer abort (Ctrl-C) and reports what was cancelled and what never started', async () => {
    const ctl = new AbortController();
    setTimeout(() => ctl.abort(), 1500);
    const { results } = await runWithClock([timed('a', 1000), timed('b', 5000, 'passed', { needs: ['a'] }), timed('c', 10, 'passed', { needs: ['b'] })], {
      signal: ctl.signal,
    });
    expect(results.map((r) => [r.id, r.status, r.reason])).toEqual([
      ['a', 'passed', undefined],
      ['b', 'cancelled', 'run cancelled'],
      ['c', 'skipped', 'not started: run cancelled'],
    ]);
  });

  it('turns a stage that throws into a failed stage with the error message', async () => {
    const boom: StageDefinition = {
      id: 'boom',
      title: 'Boom',
      timeoutMs: 1000,
      run: async () => {
        throw new Error('package.json has no script "lint"');
      },
    };
    const { results } = await runWithClock([boom, timed('other', 10)]);
    expect(results[0]).toMatchObject({ status: 'failed', reason: 'package.json has no script "lint"' });
    expect(results[1]!.status).toBe('passed');
  });

  it('honours a concurrency limit', async () => {
    const { events } = await runWithClock([timed('a', 1000), timed('b', 1000), timed('c', 1000)], { concurrency: 2 });
    expect(events.filter((e) => e.startsWith('start'))).toEqual(['start a @0', 'start b @0', 'start c @1000']);
    expect(Date.now()).toBe(2000);
  });

  it('rejects unknown dependencies, duplicate ids and cycles with messages that name the stages', () => {
    expect(() => validateGraph([timed('a', 1, 'passed', { needs: ['nope'] })])).toThrow(
      new GraphError('stage "a" depends on unknown stage "nope"; known stages: a'),
    );
    expect(() => validateGraph([timed('a', 1), timed('a', 1)])).toThrow('stage "a" is defined twice');
    expect(() =>
      validateGraph([timed('a', 1, 'passed', { needs: ['b'] }), timed('b', 1, 'passed', { after: ['a'] })]),
    ).toThrow('stages depend on each other in a cycle: a -> b -> a');
  });
});

describe('critical path', () => {
  it('is the longest chain of durations through needs and after edges', async () => {
    const { criticalPathMs } = await import('../../src/pipeline/critical-path.js');
    const graph = [
      { id: 'install', needs: [] },
      { id: 'lint', needs: ['install'] },
      { id: 'services', needs: [] },
      { id: 'migrate', needs: ['install', 'services'] },
      { id: 'critical', needs: ['migrate'] },
      { id: 'non-critical', needs: ['migrate'], after: ['critical'] },
    ];
    const durations = { install: 1000, lint: 5000, services: 3000, migrate: 500, critical: 2000, 'non-critical': 1000 };
    const results = Object.entries(durations).map(([id, durationMs]) => ({ id, durationMs }));
    expect(criticalPathMs(graph, results)).toBe(3000 + 500 + 2000 + 1000);
    expect(criticalPathMs(graph, results.map((r) => (r.id === 'lint' ? { ...r, durationMs: 9000 } : r)))).toBe(10_000);
  });
});
