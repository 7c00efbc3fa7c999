import { describe, expect, it } from 'vitest';
import { parseRunFlags } from '../../src/cli/run-flags.js';
import { ConfigError } from '../../src/config/errors.js';

function problems(argv: string[]): string[] {
  try {
    parseRunFlags(argv);
  } catch (e) {
    if (e instanceof ConfigError) return e.problems;
    throw e;
  }
  throw new Error('expected a ConfigError');
}

describe('backend-ci run flags', () => {
  it('maps flags onto the config shape', () => {
    const f = parseRunFlags(['--suite', 'critical', '--p95-ms', '250', '--error-rate', '0.02', '--stages', 'lint,unit', '--fail-fast', '--coverage-lines', '80']);
    expect(f.overlay).toEqual({
      suite: 'critical',
      failFast: true,
      coverage: { lines: 80 },
      stages: { load: { p95Ms: 250, errorRate: 0.02 } },
    });
    expect(f.only).toEqual(['lint', 'unit']);
  });

  it('names the flag, the bad value and the allowed values', () => {
    expect(problems(['--suite', 'smoke'])).toEqual(['--suite: "smoke" is not allowed; allowed values: critical, non-critical, all']);
    expect(problems(['--p95-ms', 'fast'])).toEqual(['--p95-ms: "fast" is not a number']);
    expect(problems(['--error-rate', '5'])).toEqual(['--error-rate: 5 is too big; it must be <= 1']);
    expect(problems(['--stages', 'lint,tests'])).toEqual([
      '--stages: unknown stage "tests"; allowed: install, lint, typecheck, unit, migrate, integration, load',
    ]);
  });

  it('rejects unknown flags with a pointer to --help', () => {
    expect(problems(['--sute', 'all'])[0]).toMatch(/Unknown option '--sute'.*see backend-ci run --help$/);
  });
});

describe('backend-ci run sharding flags', () => {
  it('maps --shard, --shard-plan and --durations onto the shard settings', () => {
    const f = parseRunFlags(['--shard', '2/3', '--shard-plan', 'plan.json', '--durations', 'd.json']);
    expect(f.overlay).toEqual({ shard: { index: 2, total: 3, plan: 'plan.json', durations: 'd.json' } });
  });

  it('explains a bad shard', () => {
    expect(problems(['--shard', '4/3'])).toEqual(['--shard: index 4 is outside 1..3; use INDEX/COUNT with 1 <= INDEX <= COUNT']);
    expect(problems(['--shard', 'two'])).toEqual(['--shard: "two" is not a shard; use INDEX/COUNT, e.g. --shard 2/3 for the second of three shards']);
  });
});
