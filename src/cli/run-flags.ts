/**
 * `backend-ci run` flags: parsed with node:util parseArgs and validated with the SAME schema as the config file,
 * so a bad flag gets the same kind of message (flag name, bad value, allowed values).
 */
import { parseArgs } from 'node:util';
import { ConfigError, describeIssue, dottedPath } from '../config/errors.js';
import { configSchema, STAGE_NAMES, type ConfigFile, type StageName } from '../config/schema.js';
import { parseShardSpec, ShardSpecError } from '../shard/spec.js';

export const RUN_USAGE = `Usage: backend-ci run [options]

Runs the pipeline (install, lint, typecheck, unit, services, migrate, integration, load) on a project and
writes the report (summary.md, comment.md, annotations.json, junit.xml, report.html, result.json).

Options:
  --cwd DIR                 project directory (default: the current directory)
  --config FILE             config file (default: backend-ci.config.json in the project, if present)
  --suite S                 critical | non-critical | all (default: all)
  --stages LIST             run only these stages (comma separated: ${STAGE_NAMES.join(',')})
  --skip LIST               skip these stages
  --services LIST           services to provision, e.g. "postgres,redis" or "postgres:16,redis:7"; "" for none
  --provider P              embedded | external | containers (default: embedded)
  --out DIR                 report folder (default: .backend-ci/report in the project)
  --fail-fast               cancel everything at the first failed stage
  --timeout SEC             default stage timeout in seconds (default: 900)
  --k6-script FILE          k6 script for the load smoke gate
  --p95-ms N                gate: p95 latency limit in ms
  --error-rate R            gate: failed-request rate limit (0..1)
  --coverage-lines N        minimum line coverage % (also --coverage-branches, -functions, -statements)
  --shard I/N               run only shard I of N: the integration suites get this shard's test files; lint,
                            typecheck, unit and load run in shard 1/N only (see "backend-ci plan")
  --shard-plan FILE         take the shard's files from a plan written by "backend-ci plan --json"
                            (default: plan from the duration history)
  --durations FILE          duration history used to plan shards (default: .backend-ci/durations.json)
  -h, --help                this help
`;

export interface RunFlags {
  cwd?: string;
  configPath?: string;
  overlay: ConfigFile;
  only?: StageName[];
  skip?: StageName[];
  help: boolean;
}

const FLAG_FOR_PATH: Record<string, string> = {
  suite: '--suite',
  services: '--services',
  provider: '--provider',
  out: '--out',
  failFast: '--fail-fast',
  timeoutSec: '--timeout',
  'stages.load.k6Script': '--k6-script',
  'stages.load.p95Ms': '--p95-ms',
  'stages.load.errorRate': '--error-rate',
  'coverage.lines': '--coverage-lines',
  'coverage.branches': '--coverage-branches',
  'coverage.functions': '--coverage-functions',
  'coverage.statements': '--coverage-statements',
  'shard.plan': '--shard-plan',
  'shard.durations': '--durations',
};

function num(v: string | undefined): number | string | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  return v.trim() !== '' && Number.isFinite(n) ? n : v;
}

function stageList(flag: string, v: string | undefined): StageName[] | undefined {
  if (v === undefined) return undefined;
  const names = v.split(',').map((x) => x.trim()).filter(Boolean);
  const bad = names.filter((n) => !(STAGE_NAMES as readonly string[]).includes(n));
  if (bad.length) {
    throw new ConfigError([`${flag}: unknown stage${bad.length > 1 ? 's' : ''} ${bad.map((b) => `"${b}"`).join(', ')}; allowed: ${STAGE_NAMES.join(', ')}`]);
  }
  return names as StageName[];
}

export function parseRunFlags(argv: string[]): RunFlags {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      allowPositionals: false,
      strict: true,
      options: {
        cwd: { type: 'string' },
        config: { type: 'string' },
        suite: { type: 'string' },
        stages: { type: 'string' },
        skip: { type: 'string' },
        services: { type: 'string' },
        provider: { type: 'string' },
        out: { type: 'string' },
        'fail-fast': { type: 'boolean' },
        timeout: { type: 'string' },
        'k6-script': { type: 'string' },
        'p95-ms': { type: 'string' },
        'error-rate': { type: 'string' },
        'coverage-lines': { type: 'string' },
        'coverage-branches': { type: 'string' },
        'coverage-functions': { type: 'string' },
        'coverage-statements': { type: 'string' },
        shard: { type: 'string' },
        'shard-plan': { type: 'string' },
        durations: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    throw new ConfigError([`${(e as Error).message.split('\n')[0]}; see backend-ci run --help`]);
  }
  const str = (k: string): string | undefined => values[k] as string | undefined;
  let shard: { index: number; total: number } | undefined;
  try {
    if (str('shard') !== undefined) shard = parseShardSpec(str('shard')!);
  } catch (e) {
    if (e instanceof ShardSpecError) throw new ConfigError([e.message]);
    throw e;
  }
  const raw: Record<string, unknown> = {
    suite: str('suite'),
    services: str('services'),
    provider: str('provider'),
    out: str('out'),
    failFast: values['fail-fast'] as boolean | undefined,
    timeoutSec: num(str('timeout')),
    coverage: {
      lines: num(str('coverage-lines')),
      branches: num(str('coverage-branches')),
      functions: num(str('coverage-functions')),
      statements: num(str('coverage-statements')),
    },
    stages: { load: { k6Script: str('k6-script'), p95Ms: num(str('p95-ms')), errorRate: num(str('error-rate')) } },
    shard: { ...shard, plan: str('shard-plan'), durations: str('durations') },
  };
  const overlay = prune(raw) as Record<string, unknown>;
  const parsed = configSchema.safeParse(overlay);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const { path, message } = describeIssue(issue, overlay, configSchema);
        const key = dottedPath(path);
        const flag = FLAG_FOR_PATH[key];
        return flag ? message.replace(`${key}:`, `${flag}:`) : message;
      }),
    );
  }
  const flags: RunFlags = { overlay: parsed.data, help: values.help === true };
  const only = stageList('--stages', str('stages'));
  const skip = stageList('--skip', str('skip'));
  if (only) flags.only = only;
  if (skip) flags.skip = skip;
  if (str('cwd') !== undefined) flags.cwd = str('cwd')!;
  if (str('config') !== undefined) flags.configPath = str('config')!;
  return flags;
}

/** Drops undefined values and empty objects. */
function prune(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const p = prune(x);
    if (p === undefined) continue;
    if (p && typeof p === 'object' && !Array.isArray(p) && Object.keys(p).length === 0) continue;
    out[k] = p;
  }
  return out;
}
