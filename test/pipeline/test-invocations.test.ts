import { describe, expect, it } from 'vitest';
import { escapeRegExp, suiteInvocations, vitestReportArgs } from '../../src/pipeline/test-invocations.js';

const marking = { paths: ['**/critical/**'], tag: '@critical' };

describe('suite split for vitest', () => {
  it('runs the critical folder whole and the tagged tests of other files for the critical suite', () => {
    expect(suiteInvocations('critical', marking, ['test/integration/critical/users.test.ts'], ['test/integration/profile.test.ts'])).toEqual([
      { label: 'critical-paths', args: ['test/integration/critical/users.test.ts'] },
      { label: 'critical-tagged', args: ['test/integration/profile.test.ts', '--exclude', '**/critical/**', '-t', '@critical'] },
    ]);
  });

  it('needs no tagged run when no other file mentions the tag, and no run at all when nothing is critical', () => {
    expect(suiteInvocations('critical', marking, ['a/critical/x.test.ts'], [])).toHaveLength(1);
    expect(suiteInvocations('critical', marking, [], [])).toEqual([]);
  });

  it('excludes critical paths and tagged tests for the non-critical suite', () => {
    expect(suiteInvocations('non-critical', marking, [], [])).toEqual([
      { label: 'non-critical', args: ['--exclude', '**/critical/**', '--passWithNoTests', '-t', '^(?!.*@critical)'] },
    ]);
  });

  it('splits by tag only when no paths are configured, and by paths only when the tag is off', () => {
    expect(suiteInvocations('non-critical', { paths: [], tag: '[crit]' }, [], [])[0]!.args).toEqual(['--passWithNoTests', '-t', '^(?!.*\\[crit\\])']);
    expect(suiteInvocations('non-critical', { paths: ['test/critical/**'], tag: null }, [], [])[0]!.args).toEqual([
      '--exclude',
      'test/critical/**',
      '--passWithNoTests',
    ]);
  });

  it('escapes regular-expression characters in the tag', () => {
    expect(escapeRegExp('@crit(ical)+')).toBe('@crit\\(ical\\)\\+');
    expect(new RegExp(`^(?!.*${escapeRegExp('a.b')})`).test('x axb y')).toBe(true);
    expect(new RegExp(`^(?!.*${escapeRegExp('a.b')})`).test('x a.b y')).toBe(false);
  });

  it('asks vitest for JUnit and, when wanted, json-summary + lcov coverage', () => {
    expect(vitestReportArgs({ junitPath: '/o/junit/unit.xml', coverageDir: null })).toEqual([
      '--reporter=default',
      '--reporter=junit',
      '--outputFile.junit=/o/junit/unit.xml',
    ]);
    expect(vitestReportArgs({ junitPath: '/o/j.xml', coverageDir: '/o/cov' })).toContain('--coverage.reportsDirectory=/o/cov');
  });
});

describe('suite split within a shard', () => {
  const shard = ['test/integration/critical/users.test.ts', 'test/integration/profile.test.ts'];

  it('limits every run to the shard files, and the critical runs to the shard’s share of critical and tagged files', () => {
    expect(suiteInvocations('all', marking, [], [], shard)).toEqual([{ label: 'all', args: shard }]);
    expect(suiteInvocations('non-critical', marking, [], [], shard)[0]!.args).toEqual([...shard, '--exclude', '**/critical/**', '--passWithNoTests', '-t', '^(?!.*@critical)']);
    const critical = suiteInvocations(
      'critical',
      marking,
      ['test/integration/critical/users.test.ts', 'test/integration/critical/orders.test.ts'],
      ['test/integration/profile.test.ts', 'test/integration/cache.test.ts'],
      shard,
    );
    expect(critical).toEqual([
      { label: 'critical-paths', args: ['test/integration/critical/users.test.ts'] },
      { label: 'critical-tagged', args: ['test/integration/profile.test.ts', '--exclude', '**/critical/**', '-t', '@critical'] },
    ]);
  });

  it('has no run at all for an empty shard (vitest without filters would run every file)', () => {
    for (const part of ['all', 'critical', 'non-critical'] as const) expect(suiteInvocations(part, marking, ['a/critical/x.test.ts'], [], [])).toEqual([]);
  });
});
