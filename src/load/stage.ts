/**
 * The load smoke stage: start the service, wait for its health endpoint, put a short load on it (k6 when it is on
 * PATH and a script is given, else the local engine), always stop the service, gate the figures and write the
 * summary + JUnit files. Every fault ends as a failed gate with a clear reason, never an exception or an orphan.
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import type { GateReport, StageStatus } from '../types.js';
import type { ProcessResult, RunningProcess, RunProcessOptions } from '../process/run-process.js';
import { runProcess, startProcess } from '../process/run-process.js';
import { applyBaseline, BaselineError, figuresFromGate } from './baseline.js';
import type { BaselineStore, RegressionPolicy } from './baseline.js';
import { evaluateGate } from './gate.js';
import type { GateInputs } from './gate.js';
import type { Clock, FetchLike } from './health.js';
import { realClock, tailLines, waitForHealthy } from './health.js';
import { gateJUnitXml } from './junit.js';
import type { K6Command } from './k6-command.js';
import { buildK6Command, findK6, scanScriptPercentiles } from './k6-command.js';
import { localLoadConfigSchema, runLocalLoad } from './local-engine.js';
import type { LocalLoadConfigInput } from './local-engine.js';
import type { PortProbe } from './ports.js';
import { netPortProbe } from './ports.js';
import { parseK6SummaryText, SummaryParseError, toHandleSummaryJson } from './summary.js';
import type { NormalizedSummary } from './summary.js';

export interface SmokeStageOptions {
  /** The project directory (service start command and relative script paths resolve from here). */
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** How to start the service, e.g. `{command: 'npm', args: ['run', 'start']}`. It gets PORT in its env. */
  startCommand: { command: string; args: string[] };
  /** Port for the service; a free one is picked when omitted. */
  port?: number;
  /** Default `/health`. */
  healthPath?: string;
  /** Default 30 s. */
  healthTimeoutMs?: number;
  /** k6 script (JS or TS); used when k6 is on PATH. */
  k6Script?: string;
  /** k6 `--vus` / `--duration` overrides (the script's options otherwise). */
  k6?: { vus?: number; duration?: string };
  thresholds: GateInputs & RegressionPolicy;
  /** The config file's `load` section (local engine). */
  localLoad?: LocalLoadConfigInput;
  /** Where the summary, JUnit and logs go. */
  outDir: string;
  signal?: AbortSignal;
  /** Whole-stage limit (service start + load); default 5 min. */
  timeoutMs?: number;
  log?: (line: string) => void;
  /** Save this run's figures under `branch`, compare with `baseBranch`'s (default: branch itself). */
  baseline?: { branch: string; baseBranch?: string; sha?: string };
}

export interface RunK6Options {
  cwd: string;
  signal: AbortSignal;
  logPath: string;
  onLine?: (line: string) => void;
}

export interface SmokeStageDeps {
  startProcess: (opts: RunProcessOptions) => RunningProcess;
  findK6: (env: NodeJS.ProcessEnv) => string | null;
  runK6: (cmd: K6Command, opts: RunK6Options) => Promise<ProcessResult>;
  fetch: FetchLike;
  clock: Clock;
  runLocalLoad?: typeof runLocalLoad;
  ports?: PortProbe;
  baselineStore?: BaselineStore;
}

export interface SmokeStageResult {
  gate: GateReport;
  junitPath: string;
  /** k6-summary.json or local-summary.json, when one was written. */
  summaryPath: string | null;
  /** The service's combined output. */
  serviceLogPath: string;
  status: StageStatus;
  /** One line (as GateReport.reason). */
  reason?: string;
  /** Multi-line context for a failure: the tail of the service's or k6's output. Also in the JUnit file. */
  details?: string;
}

/** The real side effects. */
export function defaultSmokeStageDeps(): SmokeStageDeps {
  return {
    startProcess,
    findK6: (env) => findK6(env),
    runK6: (cmd, o) =>
      runProcess({ command: cmd.command, args: cmd.args, env: cmd.env, cwd: o.cwd, signal: o.signal, logPath: o.logPath, onLine: o.onLine }),
    fetch: (url, init) => fetch(url, init),
    clock: realClock,
    runLocalLoad,
    ports: netPortProbe,
  };
}

function failedGate(engine: GateReport['engine'], reason: string): GateReport {
  return { engine, passed: false, reason, thresholds: [], requests: 0, failedRate: 0, p95Ms: null, p99Ms: null };
}

/** ` (last output: "...")` from a process's output tail, or nothing. */
function lastLine(output: string): string {
  const line = output
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .pop();
  if (!line) return '';
  return ` (last output: ${JSON.stringify(line.length > 200 ? `${line.slice(0, 200)}…` : line)})`;
}

function failGate(gate: GateReport, reason: string): GateReport {
  return { ...gate, passed: false, reason: gate.reason ? `${reason}; ${gate.reason}` : reason };
}

export async function runSmokeStage(opts: SmokeStageOptions, deps: SmokeStageDeps): Promise<SmokeStageResult> {
  const log = opts.log ?? (() => undefined);
  const ports = deps.ports ?? netPortProbe;
  const outDir = resolve(opts.cwd, opts.outDir);
  await mkdir(outDir, { recursive: true });
  const junitPath = join(outDir, 'load-junit.xml');
  const serviceLogPath = join(outDir, 'service.log');
  const scriptPath = opts.k6Script ? (isAbsolute(opts.k6Script) ? opts.k6Script : resolve(opts.cwd, opts.k6Script)) : undefined;
  const k6Binary = scriptPath ? deps.findK6(opts.env) : null;
  const engine: GateReport['engine'] = k6Binary ? 'k6' : 'local';
  let summaryPath: string | null = null;
  let details: string | undefined;

  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), opts.timeoutMs ?? 300_000);
  timer.unref();
  const stageSignal = opts.signal ? AbortSignal.any([opts.signal, timeout.signal]) : timeout.signal;

  const finish = async (gate: GateReport): Promise<SmokeStageResult> => {
    clearTimeout(timer);
    await writeFile(junitPath, gateJUnitXml(gate, details));
    const status: StageStatus = opts.signal?.aborted ? 'cancelled' : timeout.signal.aborted ? 'timed-out' : gate.passed ? 'passed' : 'failed';
    log(`load gate ${gate.passed ? 'passed' : `failed: ${gate.reason ?? ''}`}`);
    const result: SmokeStageResult = { gate, junitPath, summaryPath, serviceLogPath, status };
    if (!gate.passed && gate.reason) result.reason = gate.reason;
    if (!gate.passed && details) {
      result.details = details;
      log(details);
    }
    return result;
  };

  // Pre-flight: everything that can be checked before the service starts.
  if (scriptPath && !existsSync(scriptPath)) {
    return finish(failedGate(engine, `k6 script not found: ${scriptPath} (check the k6-script input / --k6-script path)`));
  }
  if (scriptPath && !k6Binary) {
    log(`k6 is not on PATH: running the local engine; the thresholds inside ${opts.k6Script} are not applied (install k6 to use them)`);
  }
  const parsedLoad = localLoadConfigSchema.safeParse(opts.localLoad ?? {});
  if (!parsedLoad.success) {
    const issue = parsedLoad.error.issues[0];
    const where = issue ? `load.${issue.path.join('.')}` : 'load';
    return finish(failedGate(engine, `invalid load config at ${where}: ${issue?.message ?? 'invalid'}`));
  }
  const loadConfig = parsedLoad.data;
  let port: number;
  if (opts.port !== undefined) {
    if (!(await ports.isFree(opts.port))) {
      return finish(failedGate(engine, `port ${opts.port} is already in use: stop what listens there or choose another port`));
    }
    port = opts.port;
  } else {
    port = await ports.findFree();
  }
  const baseUrl = `http://127.0.0.1:${port}`;
  const healthUrl = `${baseUrl}${opts.healthPath ?? '/health'}`;

  log(`starting the service: ${[opts.startCommand.command, ...opts.startCommand.args].join(' ')} (PORT=${port})`);
  const service = deps.startProcess({
    command: opts.startCommand.command,
    args: opts.startCommand.args,
    cwd: opts.cwd,
    env: { ...opts.env, PORT: String(port) },
    logPath: serviceLogPath,
    signal: stageSignal,
  });
  let serviceExit: ProcessResult | undefined;
  let stopping = false;
  const loadAbort = new AbortController();
  const onStageAbort = (): void => loadAbort.abort();
  stageSignal.addEventListener('abort', onStageAbort, { once: true });
  void service.done.then((r) => {
    serviceExit = r;
    // A service that dies during the load makes the rest of the run meaningless: stop the load now.
    if (!stopping) loadAbort.abort();
  });

  let gate: GateReport;
  try {
    const health = await waitForHealthy({
      url: healthUrl,
      timeoutMs: opts.healthTimeoutMs ?? 30_000,
      fetch: deps.fetch,
      clock: deps.clock,
      exited: service.done,
      signal: stageSignal,
    });
    if (!health.healthy) {
      if (health.why === 'exited') {
        const exit = health.exit;
        const how = exit.spawnError ?? `exited with ${exit.signal ?? `code ${exit.exitCode}`}`;
        details = `the service's last log lines:\n${tailLines(exit.outputTail)}`;
        return finish(failedGate(engine, `the service ${how} before ${healthUrl} answered${lastLine(exit.outputTail)}; log: ${serviceLogPath}`));
      }
      if (health.why === 'timeout') {
        return finish(
          failedGate(engine, `the service did not become healthy: ${healthUrl} did not answer 2xx within ${opts.healthTimeoutMs ?? 30_000} ms (last: ${health.lastError}); log: ${serviceLogPath}`),
        );
      }
      return finish(failedGate(engine, 'cancelled before the service became healthy'));
    }
    log(`service healthy at ${healthUrl} after ${health.afterMs} ms; load engine: ${engine}`);

    if (k6Binary && scriptPath) {
      gate = await runWithK6(k6Binary, scriptPath);
    } else {
      gate = await runWithLocal();
    }
    if (serviceExit && !stageSignal.aborted) {
      const how = serviceExit.signal ?? `code ${serviceExit.exitCode}`;
      details = `the service's last log lines:\n${tailLines(serviceExit.outputTail)}`;
      gate = failGate(gate, `the service exited during the load (${how})${lastLine(serviceExit.outputTail)}; log: ${serviceLogPath}`);
    }
  } catch (err) {
    gate = failedGate(engine, `load run failed: ${(err as Error).message}`);
  } finally {
    stopping = true;
    stageSignal.removeEventListener('abort', onStageAbort);
    await service.stop();
  }
  if (timeout.signal.aborted) gate = failGate(gate, `the load stage timed out after ${opts.timeoutMs ?? 300_000} ms`);
  else if (opts.signal?.aborted) gate = failGate(gate, 'cancelled');
  gate = await withBaseline(gate);
  return finish(gate);

  async function runWithK6(binary: string, script: string): Promise<GateReport> {
    const exportPath = join(outDir, 'k6-summary.json');
    await rm(exportPath, { force: true });
    const scriptText = await readFile(script, 'utf8');
    const cmd = buildK6Command({
      binary,
      script,
      baseUrl,
      summaryExportPath: exportPath,
      thresholdsPercentiles: scanScriptPercentiles(scriptText),
      ...(opts.k6?.vus !== undefined ? { vus: opts.k6.vus } : {}),
      ...(opts.k6?.duration !== undefined ? { duration: opts.k6.duration } : {}),
      env: opts.env,
    });
    log(`running ${cmd.command} ${cmd.args.join(' ')}`);
    const res = await deps.runK6(cmd, { cwd: opts.cwd, signal: loadAbort.signal, logPath: join(outDir, 'k6.log') });
    if (res.spawnError) return failedGate('k6', `could not run k6: ${res.spawnError}`);
    let summary: NormalizedSummary | null = null;
    let parseProblem: string | undefined;
    if (existsSync(exportPath)) {
      summaryPath = exportPath;
      try {
        summary = parseK6SummaryText(await readFile(exportPath, 'utf8'), exportPath);
      } catch (err) {
        if (!(err instanceof SummaryParseError)) throw err;
        parseProblem = err.message;
      }
    }
    let gate = evaluateGate({ summary, inputs: opts.thresholds, k6ExitCode: res.exitCode ?? 255, engine: 'k6' });
    if (res.exitCode === null) gate = failGate(gate, `k6 was stopped by ${res.signal ?? 'a signal'}`);
    if (parseProblem) gate = failGate(gate, parseProblem);
    if (!gate.passed && res.outputTail && res.exitCode !== 0 && res.exitCode !== 99) {
      details = `k6's last output lines:\n${tailLines(res.outputTail, 15)}`;
      gate = { ...gate, reason: `${gate.reason ?? ''}${lastLine(res.outputTail)}` };
    }
    return gate;
  }

  async function runWithLocal(): Promise<GateReport> {
    const extra = scanScriptPercentiles(Object.values(loadConfig.thresholds ?? {}).flat().join(' '));
    const run = deps.runLocalLoad ?? runLocalLoad;
    const result = await run({
      baseUrl,
      durationMs: loadConfig.durationSec * 1000,
      vus: loadConfig.vus,
      routes: loadConfig.routes,
      requestTimeoutMs: loadConfig.requestTimeoutSec * 1000,
      extraPercentiles: extra,
      signal: loadAbort.signal,
    });
    for (const note of result.summary.notes) log(note);
    summaryPath = join(outDir, 'local-summary.json');
    await writeFile(summaryPath, JSON.stringify(toHandleSummaryJson(result.summary), null, 2) + '\n');
    return evaluateGate({
      summary: result.summary,
      ...(loadConfig.thresholds ? { configThresholds: loadConfig.thresholds } : {}),
      inputs: opts.thresholds,
      engine: 'local',
    });
  }

  async function withBaseline(current: GateReport): Promise<GateReport> {
    const store = deps.baselineStore;
    if (!store || !opts.baseline) return current;
    const { branch, baseBranch, sha } = opts.baseline;
    let next = current;
    try {
      const base = await store.load(baseBranch ?? branch);
      next = applyBaseline(current, base, opts.thresholds);
      if (!base) log(`no baseline for ${baseBranch ?? branch} yet`);
    } catch (err) {
      if (!(err instanceof BaselineError)) throw err;
      log(`baseline skipped: ${err.message}`);
    }
    if (next.passed && next.requests > 0) {
      await store.save(branch, figuresFromGate(next, branch, new Date(deps.clock.now()), sha));
    }
    return next;
  }
}
