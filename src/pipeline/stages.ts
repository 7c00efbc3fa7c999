/**
 * Builds the pipeline's stage graph from the resolved config:
 *
 *   install ─┬─ lint ──────────┐
 *            ├─ typecheck ─────┤
 *            ├─ unit ──────────┤
 *   services ┴─ migrate ─ integration:critical ─ integration:non-critical
 *                       └─ load (start service, smoke gate)
 *
 * Disabled stages are left out of the graph (their dependants do not wait for them) and reported as skipped.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { ResolvedConfig, ResolvedStage, ResolvedTestStage, StageCommand } from '../config/resolve.js';
import { stageLogPath } from '../config/resolve.js';
import type { ProcessResult, RunProcessOptions } from '../process/run-process.js';
import type { ServiceProvider, StartedServices } from '../services/types.js';
import type { GateReport, StageResult } from '../types.js';
import type { StageDefinition, StageOutcome } from './scheduler.js';
import { suiteInvocations, vitestReportArgs, type SuitePart } from './test-invocations.js';
import { shardStageRun, shardsOnlyInFirst, type ShardState } from '../shard/stage.js';
import { shardSlug } from '../shard/spec.js';
import { SHARD_GATE_FILE } from '../shard/manifest.js';

/** Side effects the stages need, passed in so the graph can be tested without real processes. */
export interface StageDeps {
  runProcess(opts: RunProcessOptions): Promise<ProcessResult>;
  createProvider(name: ResolvedConfig['provider']): ServiceProvider;
  /** Globs relative to `cwd`, ignoring node_modules; returns project-relative paths, sorted. */
  glob(patterns: string[], cwd: string): Promise<string[]>;
  readText(path: string): Promise<string>;
  /** Failed + errored test cases in a JUnit file (0 when the file is missing or unreadable). */
  countFailedTests(junitPath: string): Promise<number>;
  /** True when node_modules matches the lockfile (no install needed). */
  installIsCurrent(projectDir: string): Promise<boolean>;
  /** Runs the load smoke stage (service start + k6 or the local engine + the gate). */
  runLoad?(ctx: LoadStageContext): Promise<{ gate: GateReport; junitPath?: string; status: 'passed' | 'failed'; reason?: string }>;
  /** Progress lines (stage output is in the stage logs); the implementation masks the run's secrets (see createPipelineDeps). */
  log(line: string): void;
  /** Writes a small file, creating its folder (default: node:fs); the shard stage writes shard.json with it. */
  writeText?(path: string, text: string): Promise<void>;
}

async function writeTextFile(path: string, text: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, text);
}

export interface LoadStageContext {
  config: ResolvedConfig;
  env: NodeJS.ProcessEnv;
  signal: AbortSignal;
  timeoutMs: number;
  logPath: string;
}

/** State shared by the stages of one run. */
export interface PipelineRuntime {
  /** Environment of every stage; the services stage adds DATABASE_URL / REDIS_URL. */
  env: NodeJS.ProcessEnv;
  services: StartedServices | null;
  /** Values masked in logs and output. */
  secrets: string[];
  /** Told about each new secret (the GitHub action masks it with core.setSecret). */
  onSecret?: (value: string) => void;
  gate: GateReport | null;
  /** Last output line per running stage, for live progress. */
  lastLine: Map<string, string>;
}

/** Records a secret: masked in logs and output from now on, and announced to the front end (core.setSecret). */
export function addSecret(runtime: PipelineRuntime, secret: string): void {
  if (!secret || runtime.secrets.includes(secret)) return;
  runtime.secrets.push(secret);
  runtime.onSecret?.(secret);
}

export function maskSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 4) out = out.split(s).join('***');
  return out;
}

const TEST_FILE_RE = /\.(test|spec)\.[cm]?[jt]sx?$/;

function shellQuote(arg: string): string {
  return /^[A-Za-z0-9_\-./=:@,+%]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function commandLine(cmd: StageCommand, extraArgs: string[]): { command: string; args: string[]; display: string } {
  if (cmd.kind === 'npm-script') {
    const args = ['run', cmd.value, ...(extraArgs.length ? ['--', ...extraArgs] : [])];
    return { command: 'npm', args, display: `npm run ${cmd.value}` };
  }
  const text = [cmd.value, ...extraArgs.map(shellQuote)].join(' ');
  return { command: 'sh', args: ['-c', text], display: cmd.value };
}

function lastMeaningfulLine(output: string): string | undefined {
  const lines = output
    .split('\n')
    .map((l) => stripVTControlCharacters(l).trim())
    .filter((l) => l && !/^npm (error|ERR!) (A complete log|code|path|command|workspace|location)/.test(l) && !/^> /.test(l));
  return lines.at(-1);
}

function failureReason(display: string, r: ProcessResult): string {
  if (r.spawnError) return `${display}: ${r.spawnError}`;
  const last = lastMeaningfulLine(r.outputTail);
  const how = r.exitCode !== null ? `exited with code ${r.exitCode}` : `was killed by ${r.signal ?? 'a signal'}`;
  return `"${display}" ${how}${last ? `: ${last.slice(0, 300)}` : ''}`;
}

/** A stage that ran one command: passed on exit code 0, else failed with the command's last meaningful output line. */
function commandOutcome(r: { result: ProcessResult; display: string; logPath: string }): StageOutcome {
  return r.result.exitCode === 0
    ? { status: 'passed', exitCode: 0, logPath: r.logPath }
    : { status: 'failed', exitCode: r.result.exitCode, logPath: r.logPath, reason: failureReason(r.display, r.result) };
}

export function buildStages(config: ResolvedConfig, deps: StageDeps, runtime: PipelineRuntime): { graph: StageDefinition[]; disabled: StageResult[] } {
  const s = config.stages;
  const graph: StageDefinition[] = [];
  const disabled: StageResult[] = [];
  const enabledIds = new Set<string>();

  const runCommand = async (
    id: string,
    stage: ResolvedStage,
    extraArgs: string[],
    signal: AbortSignal,
    extraEnv: Record<string, string> = {},
  ): Promise<{ result: ProcessResult; display: string; logPath: string }> => {
    if (stage.error) throw new Error(stage.error);
    const { command, args, display } = commandLine(stage.command!, extraArgs);
    const logPath = stageLogPath(config.outDir, id);
    const result = await deps.runProcess({
      command,
      args,
      cwd: config.projectDir,
      env: { ...runtime.env, ...extraEnv },
      signal,
      logPath,
      redact: (t) => maskSecrets(t, runtime.secrets),
      onLine: (line) => {
        if (line.trim()) runtime.lastLine.set(id, line);
      },
    });
    return { result, display, logPath };
  };

  const simple = (id: string, title: string, stage: ResolvedStage, needs: string[]): StageDefinition => ({
    id,
    title,
    needs,
    required: stage.required,
    timeoutMs: stage.timeoutMs,
    run: async ({ signal }) => {
      return commandOutcome(await runCommand(id, stage, [], signal));
    },
  });

  const add = (def: StageDefinition | null, stage: ResolvedStage, title: string, id: string = stage.name): void => {
    if (stage.enabled && def) {
      graph.push(def);
      enabledIds.add(def.id);
    } else {
      disabled.push({ id, title, status: 'skipped', durationMs: 0, reason: stage.disabledReason ?? 'disabled', required: stage.required });
    }
  };
  const present = (...ids: string[]): string[] => ids.filter((id) => enabledIds.has(id));

  // Sharded run: the `shard` stage picks this shard's test files (from a plan file or the duration history) and the
  // integration stages run only those; lint, typecheck, unit and load run in shard 1 only.
  const shard = config.sharding?.shard;
  const shardState: ShardState = { files: null };
  const firstShardOnly = <T extends ResolvedStage>(stage: T): T => (shard ? shardsOnlyInFirst(stage, shard) : stage);

  // install
  add(
    {
      id: 'install',
      title: 'Install',
      required: s.install.required,
      timeoutMs: s.install.timeoutMs,
      run: async ({ signal }) => {
        const isDefault = s.install.command?.value === 'npm ci' || s.install.command?.value === 'npm install';
        if (isDefault && (await deps.installIsCurrent(config.projectDir))) {
          return { status: 'passed', reason: 'node_modules is current with package-lock.json; npm ci not needed' };
        }
        return commandOutcome(await runCommand('install', s.install, [], signal));
      },
    },
    s.install,
    'Install',
  );

  if (shard && config.sharding) {
    const sharding = config.sharding;
    const integrationRuns = s.integration.enabled && s.integration.runner === 'vitest';
    add(
      {
        id: 'shard',
        title: `Shard ${shard.index}/${shard.total}`,
        required: true,
        timeoutMs: 60_000,
        run: () =>
          shardStageRun({
            config,
            sharding,
            shard,
            state: shardState,
            env: runtime.env,
            glob: deps.glob,
            readText: deps.readText,
            writeText: deps.writeText ?? writeTextFile,
          }),
      },
      {
        name: 'integration',
        enabled: integrationRuns,
        timeoutMs: 60_000,
        required: true,
        disabledReason: s.integration.runner === 'custom' ? 'a custom integration runner cannot be sharded by file' : 'the integration stage does not run',
      },
      `Shard ${shard.index}/${shard.total}`,
      'shard',
    );
  }

  const lint = firstShardOnly(s.lint);
  const typecheck = firstShardOnly(s.typecheck);
  const unit = firstShardOnly(s.unit);
  add(simple('lint', 'Lint', lint, present('install')), lint, 'Lint');
  add(simple('typecheck', 'Typecheck', typecheck, present('install')), typecheck, 'Typecheck');
  add(testStageDef('unit', 'Unit tests', unit, 'all', present('install')), unit, 'Unit tests');

  // services: only when a stage that talks to them runs
  const servicesNeeded = s.migrate.enabled || s.integration.enabled || s.load.enabled;
  const servicesStage: ResolvedStage = {
    name: 'migrate',
    enabled: servicesNeeded && config.services.length > 0,
    timeoutMs: config.servicesReadyTimeoutMs + 60_000,
    required: true,
    disabledReason: config.services.length === 0 ? 'no services configured' : 'no stage needs services',
  };
  add(
    {
      id: 'services',
      title: `Services (${config.provider})`,
      required: true,
      timeoutMs: servicesStage.timeoutMs,
      run: async ({ signal }) => {
        const provider = deps.createProvider(config.provider);
        const workDir = join(config.outDir, '..', 'services');
        const started = await provider.start(config.services, {
          signal,
          readyTimeoutMs: config.servicesReadyTimeoutMs,
          log: deps.log,
          workDir,
        });
        runtime.services = started;
        for (const secret of started.secrets) addSecret(runtime, secret);
        Object.assign(runtime.env, started.env);
        const what = started.services
          .map((x) => `${x.spec.kind}${x.actualVersion ? ` ${x.actualVersion}` : ''} ready in ${x.readyMs} ms as ${x.envVar}`)
          .join('; ');
        return { status: 'passed', reason: what };
      },
    },
    servicesStage,
    `Services (${config.provider})`,
    'services',
  );

  add(simple('migrate', 'Migrate', s.migrate, present('install', 'services')), s.migrate, 'Migrate');

  const integrationNeeds = present('install', 'services', 'migrate', 'shard');
  // A custom integration runner cannot be given files: in a sharded run it runs whole, in shard 1.
  const integration = shard && s.integration.runner === 'custom' ? firstShardOnly(s.integration) : s.integration;
  if (config.suite === 'all' || config.suite === 'critical') {
    add(testStageDef('integration:critical', 'Integration (critical)', integration, 'critical', integrationNeeds), integration, 'Integration (critical)', 'integration:critical');
  }
  if (config.suite === 'all' || config.suite === 'non-critical') {
    const def = testStageDef('integration:non-critical', 'Integration (non-critical)', integration, 'non-critical', integrationNeeds);
    def.after = present('integration:critical');
    add(def, integration, 'Integration (non-critical)', 'integration:non-critical');
  }

  const runLoad = deps.runLoad;
  const load = firstShardOnly(s.load);
  add(
    runLoad
      ? {
          id: 'load',
          title: 'Load smoke gate',
          needs: present('install', 'services', 'migrate'),
          required: s.load.required,
          timeoutMs: s.load.timeoutMs,
          run: async ({ signal }) => {
            if (s.load.error) throw new Error(s.load.error);
            const logPath = stageLogPath(config.outDir, 'load');
            const r = await runLoad({ config, env: { ...runtime.env }, signal, timeoutMs: s.load.timeoutMs, logPath });
            runtime.gate = r.gate;
            // A sharded run keeps the whole gate for the merge, which reports it as an unsharded run would.
            if (shard) await (deps.writeText ?? writeTextFile)(join(config.outDir, 'load', SHARD_GATE_FILE), `${JSON.stringify(r.gate)}\n`);
            const outcome: StageOutcome = { status: r.status, logPath };
            if (r.reason) outcome.reason = r.reason;
            if (r.junitPath) outcome.junitPaths = [r.junitPath];
            return outcome;
          },
        }
      : null,
    runLoad ? load : { ...load, enabled: false, disabledReason: load.disabledReason ?? 'no load engine available' },
    'Load smoke gate',
  );

  return { graph, disabled };

  function testStageDef(id: string, title: string, stage: ResolvedTestStage, part: SuitePart, needs: string[]): StageDefinition {
    return {
      id,
      title,
      needs,
      required: stage.required,
      timeoutMs: stage.timeoutMs,
      run: async ({ signal }) => {
        if (stage.error) throw new Error(stage.error);
        // In a sharded run, the integration stages' file names carry the shard so merged artifacts never collide.
        const sharded = shard && id.startsWith('integration') ? shardState.files : null;
        const fileId = `${id.replace(/[^a-z0-9-]+/gi, '-')}${shard && sharded ? `.${shardSlug(shard)}` : ''}`;
        if (stage.runner === 'custom') {
          const { result, display, logPath } = await runCommand(id, stage, [], signal, { BACKEND_CI_SUITE: part });
          const junitPaths = stage.junitGlobs.length ? await deps.glob(stage.junitGlobs, config.projectDir) : [];
          const coveragePaths = stage.coverageGlobs.length ? await deps.glob(stage.coverageGlobs, config.projectDir) : [];
          const outcome: StageOutcome = {
            status: result.exitCode === 0 ? 'passed' : 'failed',
            exitCode: result.exitCode,
            logPath,
            junitPaths: junitPaths.map((p) => join(config.projectDir, p)),
            coveragePaths: coveragePaths.map((p) => join(config.projectDir, p)),
          };
          if (result.exitCode !== 0) outcome.reason = failureReason(display, result);
          return outcome;
        }

        let criticalFiles: string[] = [];
        const taggedFiles: string[] = [];
        if (part === 'critical') {
          criticalFiles = (await deps.glob(config.critical.paths, config.projectDir)).filter((f) => TEST_FILE_RE.test(f));
          if (config.critical.tag) {
            const critical = new Set(criticalFiles);
            const inShard = sharded ? new Set(sharded) : null;
            const all = (await deps.glob(['**/*.{test,spec}.{ts,tsx,mts,cts,js,jsx,mjs,cjs}'], config.projectDir)).filter(
              (f) => !critical.has(f) && (!inShard || inShard.has(f)),
            );
            for (const f of all) {
              if ((await deps.readText(join(config.projectDir, f))).includes(config.critical.tag)) taggedFiles.push(f);
            }
          }
        }
        const runs = suiteInvocations(part, config.critical, criticalFiles, taggedFiles, sharded);
        if (sharded && runs.length === 0) {
          return { status: 'passed', reason: `no ${part === 'all' ? '' : `${part} `}test files in shard ${shard!.index}/${shard!.total}` };
        }
        if (runs.length === 0) {
          return {
            status: 'passed',
            reason: `no critical tests found: put them under ${config.critical.paths.join(' or ') || '(no paths)'}${
              config.critical.tag ? ` or add "${config.critical.tag}" to their names` : ''
            }`,
          };
        }
        const junitPaths: string[] = [];
        const coveragePaths: string[] = [];
        const failures: string[] = [];
        let logPath = '';
        let exitCode: number | null = 0;
        for (const run of runs) {
          if (signal.aborted) break;
          const suffix = runs.length > 1 || run.label !== 'all' ? `${fileId}.${run.label}` : fileId;
          const junitPath = join(config.outDir, 'junit', `${runs.length > 1 ? suffix : fileId}.xml`);
          const coverageDir = stage.collectCoverage ? join(config.outDir, 'coverage', runs.length > 1 ? suffix : fileId) : null;
          const reportArgs = vitestReportArgs({ junitPath, coverageDir });
          const r = await runCommand(id, stage, [...reportArgs, ...run.args], signal);
          logPath = r.logPath;
          junitPaths.push(junitPath);
          if (coverageDir) coveragePaths.push(join(coverageDir, 'coverage-final.json'), join(coverageDir, 'coverage-summary.json'), join(coverageDir, 'lcov.info'));
          const label = `${r.display}${runs.length > 1 ? ` (${run.label})` : ''}`;
          if (r.result.exitCode !== 0) {
            exitCode = r.result.exitCode;
            failures.push(failureReason(label, r.result));
          } else if (!signal.aborted) {
            // Some test setups clobber the runner's exit code (a library's exit hook calling process.exit(0)):
            // the JUnit file is the second witness.
            const failed = await deps.countFailedTests(junitPath);
            if (failed > 0) failures.push(`"${label}" exited with code 0 but its JUnit report has ${failed} failed test(s)`);
          }
        }
        const outcome: StageOutcome = { status: failures.length ? 'failed' : 'passed', exitCode, logPath, junitPaths, coveragePaths };
        if (failures.length) outcome.reason = failures.join('; ');
        else if (part === 'critical') {
          const inShard = sharded ? new Set(sharded) : null;
          const n = inShard ? criticalFiles.filter((f) => inShard.has(f)).length : criticalFiles.length;
          outcome.reason = `${n} file(s) under critical paths, ${taggedFiles.length} file(s) with "${config.critical.tag}" tests${
            shard && sharded ? ` in shard ${shard.index}/${shard.total}` : ''
          }`;
        } else if (shard && sharded) {
          outcome.reason = `${sharded.length} file(s) of shard ${shard.index}/${shard.total}`;
        }
        return outcome;
      },
    };
  }
}

/** Project-relative path for display. */
export function displayPath(projectDir: string, path: string): string {
  return relative(projectDir, path) || '.';
}
