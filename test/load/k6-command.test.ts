import { describe, expect, it } from 'vitest';
import { buildK6Command, findK6, k6ArchFor, K6_VERSION, k6ReleaseAssetUrl, scanScriptPercentiles, trendStatsFor } from '../../src/load/k6-command.js';

describe('the k6 command line', () => {
  it('always exports the summary with avg,min,med,max,p(90),p(95),p(99) plus every percentile a threshold names', () => {
    const cmd = buildK6Command({
      binary: '/opt/k6/k6',
      script: '/repo/tests/load/smoke.ts',
      baseUrl: 'http://127.0.0.1:4310',
      summaryExportPath: '/repo/.backend-ci/report/k6-summary.json',
      thresholdsPercentiles: [95, 99.9, 75],
      env: { PATH: '/usr/bin', CI: 'true' },
    });
    expect(cmd.command).toBe('/opt/k6/k6');
    expect(cmd.args).toEqual([
      'run',
      '--quiet',
      '--no-color',
      '--summary-export',
      '/repo/.backend-ci/report/k6-summary.json',
      '--summary-trend-stats=avg,min,med,max,p(90),p(95),p(99),p(99.9),p(75)',
      '-e',
      'BASE_URL=http://127.0.0.1:4310',
      '/repo/tests/load/smoke.ts',
    ]);
    expect(cmd.env).toEqual({ PATH: '/usr/bin', CI: 'true', BASE_URL: 'http://127.0.0.1:4310', K6_NO_USAGE_REPORT: 'true' });
  });

  it('passes --vus and --duration only when given, before the script', () => {
    const cmd = buildK6Command({
      binary: 'k6',
      script: 'smoke.js',
      baseUrl: 'http://localhost:3000',
      summaryExportPath: 's.json',
      thresholdsPercentiles: [],
      vus: 5,
      duration: '20s',
      env: {},
    });
    expect(cmd.args.slice(-5)).toEqual(['--vus', '5', '--duration', '20s', 'smoke.js']);
  });

  it('finds the percentiles a script names by scanning its text for p(NN) tokens', () => {
    const script = `export const options = { thresholds: {
      http_req_duration: ['p(95)<300', "p( 99.9 )<900", 'avg<200'],
      'http_req_duration{endpoint:index}': [{ threshold: 'p(90)<250', abortOnFail: true }],
      http_req_failed: ['rate<0.01'],
    } }; // also p(95) again, and up(3) is not a percentile`;
    expect(scanScriptPercentiles(script)).toEqual([90, 95, 99.9]);
    expect(scanScriptPercentiles('no thresholds here')).toEqual([]);
  });

  it('does not repeat a default stat', () => {
    expect(trendStatsFor([90, 95, 99])).toEqual(['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)']);
  });
});

describe('finding k6', () => {
  const probe = (executables: string[]) => ({ isExecutable: (p: string) => executables.includes(p) });

  it('looks through PATH like which, first match wins', () => {
    expect(findK6({ PATH: '/usr/local/bin:/opt/k6:/usr/bin' }, probe(['/opt/k6/k6', '/usr/bin/k6']))).toBe('/opt/k6/k6');
  });

  it('prefers an explicit absolute K6_BINARY', () => {
    expect(findK6({ PATH: '/usr/bin', K6_BINARY: '/tools/k6' }, probe(['/tools/k6', '/usr/bin/k6']))).toBe('/tools/k6');
  });

  it('returns null when k6 is absent (the stage then runs the local engine)', () => {
    expect(findK6({ PATH: '/usr/bin:/bin' }, probe([]))).toBeNull();
    expect(findK6({}, probe(['k6']))).toBeNull();
  });

  it('finds nothing on this machine, where k6 is not installed, through the real filesystem', () => {
    expect(findK6({ PATH: '/usr/bin:/bin' })).toBeNull();
  });
});

describe('installing k6 (for the GitHub front end)', () => {
  it('pins a version and builds the official linux tarball URLs', () => {
    expect(K6_VERSION).toMatch(/^\d+\.\d+\.\d+$/);
    expect(k6ReleaseAssetUrl('amd64', '2.2.0')).toBe('https://github.com/grafana/k6/releases/download/v2.2.0/k6-v2.2.0-linux-amd64.tar.gz');
    expect(k6ReleaseAssetUrl('arm64', 'v1.8.1')).toBe('https://github.com/grafana/k6/releases/download/v1.8.1/k6-v1.8.1-linux-arm64.tar.gz');
    expect(k6ReleaseAssetUrl('amd64')).toContain(`/v${K6_VERSION}/k6-v${K6_VERSION}-linux-amd64.tar.gz`);
  });

  it('maps node architectures to k6 asset architectures', () => {
    expect(k6ArchFor('x64')).toBe('amd64');
    expect(k6ArchFor('arm64')).toBe('arm64');
    expect(k6ArchFor('ia32')).toBeNull();
  });
});
