/**
 * `backend-ci run`: resolves the config, runs the pipeline with live progress, prints the report and returns the exit
 * code (0 only when every required stage passed; 1 when something failed; 2 for unusable config or flags).
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { ConfigError } from '../config/errors.js';
import { CONFIG_FILE_NAME, parseConfigText } from '../config/load-file.js';
import { resolveConfig } from '../config/resolve.js';
import type { ConfigFile } from '../config/schema.js';
import { runLoadStage } from '../pipeline/load-stage.js';
import { createReportWriter } from '../pipeline/report-writer.js';
import { createRuntime, runPipeline, type PipelineDeps } from '../pipeline/run-pipeline.js';
import { maskSecrets, type PipelineRuntime } from '../pipeline/stages.js';
import { runProcess } from '../process/run-process.js';
import { ingestJUnitFiles } from '../reports/index.js';
import { createProvider } from '../services/index.js';
import type { CliCommand, CliIO } from '../types.js';
import { createProgress, formatSeconds } from './progress.js';
import { installIsCurrent, readProjectFacts } from './project.js';
import { parseRunFlags, RUN_USAGE } from './run-flags.js';

async function loadConfigFile(projectDir: string, explicit: string | undefined, cwd: string): Promise<{ file: ConfigFile; path?: string }> {
  const path = explicit ? resolve(cwd, explicit) : join(projectDir, CONFIG_FILE_NAME);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    if (explicit) throw new ConfigError([`--config ${explicit}: file not found (looked at ${path})`]);
    return { file: {} };
  }
  return { file: parseConfigText(text, explicit ?? CONFIG_FILE_NAME), path };
}

/** The real side effects of a pipeline run (processes, files, services, the report). */
export function createPipelineDeps(opts: { runtime: PipelineRuntime; color: boolean; log: (line: string) => void }): PipelineDeps {
  return {
    runProcess,
    // Locally a config written for CI (e.g. postgres:16) still runs on the embedded PostgreSQL, with a warning.
    createProvider: (name) => createProvider(name, { external: { env: opts.runtime.env }, embedded: { versionMismatch: 'warn' } }),
    glob: async (patterns, cwd) =>
      (await glob(patterns, { cwd, ignore: ['**/node_modules/**', '**/.git/**'], onlyFiles: true, expandDirectories: false })).sort(),
    readText: (p) => readFile(p, 'utf8'),
    installIsCurrent,
    countFailedTests: async (path) => {
      const { tests } = await ingestJUnitFiles([path]);
      return tests.totals.failed + tests.totals.errored;
    },
    runLoad: runLoadStage,
    log: (line) => opts.log(maskSecrets(line, opts.runtime.secrets)),
    report: createReportWriter({ color: opts.color }),
  };
}

export interface RunCommandHooks {
  /** Outer cancellation (the CLI wires Ctrl-C / SIGTERM to it). */
  signal?: AbortSignal;
}

export function createRunCommand(hooks: RunCommandHooks = {}): CliCommand {
  return async (argv: string[], io: CliIO): Promise<number> => {
    const err = (line: string): void => void io.stderr.write(`${line}\n`);
    const out = (line: string): void => void io.stdout.write(`${line}\n`);
    let config;
    try {
      const flags = parseRunFlags(argv);
      if (flags.help) {
        io.stdout.write(RUN_USAGE);
        return 0;
      }
      const projectDir = resolve(io.cwd, flags.cwd ?? '.');
      const project = await readProjectFacts(projectDir);
      const { file, path } = await loadConfigFile(projectDir, flags.configPath, io.cwd);
      config = resolveConfig({
        projectDir,
        file,
        flags: flags.overlay,
        project,
        ...(flags.only ? { only: flags.only } : {}),
        ...(flags.skip ? { skip: flags.skip } : {}),
        ...(path ? { configPath: path, configLabel: flags.configPath ?? CONFIG_FILE_NAME } : {}),
      });
    } catch (e) {
      if (e instanceof ConfigError) {
        err('backend-ci run: the configuration cannot be used:');
        for (const p of e.problems) err(`  ${p}`);
        return 2;
      }
      throw e;
    }

    const runtime = createRuntime(io.env);
    if (io.onSecret) runtime.onSecret = io.onSecret;
    const color = io.stdout.isTTY === true && !io.env.NO_COLOR;
    const progress = createProgress({ write: out, color, lastLine: runtime.lastLine, mask: (t) => maskSecrets(t, runtime.secrets) });
    const deps = createPipelineDeps({ runtime, color, log: (line) => out(`  ${line}`) });
    out(`backend-ci: ${config.projectDir} · suite ${config.suite} · services ${config.services.length ? config.provider : 'none'}`);
    let result;
    try {
      result = await runPipeline(config, deps, { env: io.env, onEvent: progress.onEvent, ...(hooks.signal ? { signal: hooks.signal } : {}) }, runtime);
    } finally {
      progress.stop();
    }
    out('');
    io.stdout.write(maskSecrets(result.report.terminal, runtime.secrets));
    out('');
    out(
      `Wall time ${formatSeconds(result.wallMs)} (critical path ${formatSeconds(result.criticalPathMs)}). Report: ${config.outDir}/summary.md, report.html`,
    );
    out(result.exitCode === 0 ? 'backend-ci: PASSED' : 'backend-ci: FAILED');
    return result.exitCode;
  };
}

export const runCommand: CliCommand = createRunCommand();
