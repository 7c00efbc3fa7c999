/**
 * The k6 command line backend-ci runs, finding the k6 binary, and what the GitHub front end needs to install k6
 * (pinned version, release-asset URL). No download happens here.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

/** The k6 release the GitHub front end installs (and caches). */
export const K6_VERSION = '2.2.0';

export type K6Arch = 'amd64' | 'arm64';

/** The official linux tarball of a k6 release, e.g. for `actions/cache` keyed on the version. */
export function k6ReleaseAssetUrl(arch: K6Arch, version: string = K6_VERSION): string {
  const v = version.replace(/^v/, '');
  return `https://github.com/grafana/k6/releases/download/v${v}/k6-v${v}-linux-${arch}.tar.gz`;
}

/** Node's `process.arch` → the k6 asset's architecture (null when k6 ships no linux build for it). */
export function k6ArchFor(nodeArch: string): K6Arch | null {
  if (nodeArch === 'x64') return 'amd64';
  if (nodeArch === 'arm64') return 'arm64';
  return null;
}

/** Trend stats always exported, so the report and the gate can show p90/p95/p99 whatever the script uses. */
export const DEFAULT_TREND_STATS = ['avg', 'min', 'med', 'max', 'p(90)', 'p(95)', 'p(99)'] as const;

/**
 * The percentiles a k6 script's thresholds name. k6 thresholds live inside the script (JS/TS), which we cannot
 * evaluate without k6, so we scan its text for `p(NN)` tokens: a token in a comment or string only adds an extra
 * exported stat, which is harmless, while a missed one would leave a threshold's figure unexported.
 */
export function scanScriptPercentiles(scriptText: string): number[] {
  const found = new Set<number>();
  for (const m of scriptText.matchAll(/\bp\(\s*(\d+(?:\.\d+)?)\s*\)/g)) {
    const p = Number(m[1]);
    if (p >= 0 && p <= 100) found.add(p);
  }
  return [...found].sort((a, b) => a - b);
}

/** DEFAULT_TREND_STATS plus `p(N)` for every extra percentile, without duplicates. */
export function trendStatsFor(percentiles: number[]): string[] {
  const stats: string[] = [...DEFAULT_TREND_STATS];
  for (const p of percentiles) {
    const key = `p(${p})`;
    if (!stats.includes(key)) stats.push(key);
  }
  return stats;
}

export interface BuildK6CommandOptions {
  /** Path of the k6 binary (see findK6). */
  binary: string;
  script: string;
  /** Passed to the script as `__ENV.BASE_URL`. */
  baseUrl: string;
  summaryExportPath: string;
  /** Percentiles the script's thresholds name (scanScriptPercentiles). */
  thresholdsPercentiles: number[];
  vus?: number;
  /** k6 duration string, e.g. `30s`. */
  duration?: string;
  env: NodeJS.ProcessEnv;
}

export interface K6Command {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
}

export function buildK6Command(opts: BuildK6CommandOptions): K6Command {
  const args = [
    'run',
    // CI logs: no progress bar redraws, no ANSI colours; the end-of-test summary is still printed.
    '--quiet',
    '--no-color',
    '--summary-export',
    opts.summaryExportPath,
    `--summary-trend-stats=${trendStatsFor(opts.thresholdsPercentiles).join(',')}`,
    '-e',
    `BASE_URL=${opts.baseUrl}`,
  ];
  if (opts.vus !== undefined) args.push('--vus', String(opts.vus));
  if (opts.duration !== undefined) args.push('--duration', opts.duration);
  args.push(opts.script);
  return {
    command: opts.binary,
    args,
    env: { ...opts.env, BASE_URL: opts.baseUrl, K6_NO_USAGE_REPORT: 'true' },
  };
}

export interface ExecutableProbe {
  /** True when `path` is an executable regular file. */
  isExecutable(path: string): boolean;
}

export const nodeExecutableProbe: ExecutableProbe = {
  isExecutable(path) {
    try {
      if (!statSync(path).isFile()) return false;
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  },
};

/**
 * Finds k6 like `which`: `K6_BINARY` (an explicit path) first, then each PATH entry. Returns null when absent
 * (the caller then falls back to the local engine).
 */
export function findK6(env: NodeJS.ProcessEnv, probe: ExecutableProbe = nodeExecutableProbe): string | null {
  const explicit = env.K6_BINARY;
  if (explicit && isAbsolute(explicit) && probe.isExecutable(explicit)) return explicit;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'k6');
    if (probe.isExecutable(candidate)) return candidate;
  }
  return null;
}
