/**
 * `backend-ci gate SUMMARY.json [--p95-ms N] [--error-rate R] [--k6-exit-code C] [--junit FILE]`: gates an existing
 * k6 summary (summary-export, handleSummary dump or machine-readable summary). Exit 0 pass, 1 gate failed
 * (threshold crossed, empty run, k6 error exit code), 2 unusable input.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { gunzipSync } from 'node:zlib';
import type { CliCommand, CliIO, GateReport } from '../types.js';
import { evaluateGate } from './gate.js';
import type { GateInputs } from './gate.js';
import { gateJUnitXml } from './junit.js';
import { parseK6SummaryText, SummaryParseError } from './summary.js';
import type { NormalizedSummary } from './summary.js';
import { formatGateTable } from './table.js';

export const GATE_USAGE = `usage: backend-ci gate SUMMARY.json [--p95-ms N] [--error-rate R] [--k6-exit-code C] [--junit FILE]
  SUMMARY.json     k6 --summary-export file, a handleSummary(data) dump, or a --new-machine-readable-summary file
  --p95-ms N       fail when http_req_duration p(95) is not below N ms
  --error-rate R   fail when http_req_failed rate is not below R (0..1; default builtin 0.01)
  --k6-exit-code C k6's exit code for this run (non-zero codes other than 99 fail the gate with their meaning)
  --junit FILE     also write the thresholds as JUnit (one testcase each)
exit code: 0 gate passed, 1 gate failed, 2 unusable input
`;

/** Reads a summary file (gzip-compressed accepted); throws SummaryParseError naming the file. */
export async function readK6SummaryFile(path: string): Promise<NormalizedSummary> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new SummaryParseError(`${path}: ${code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (err) {
      throw new SummaryParseError(`${path}: a corrupt gzip file (${(err as Error).message})`);
    }
  }
  return parseK6SummaryText(bytes.toString('utf8'), path);
}

export interface GateFileOptions {
  inputs: GateInputs;
  k6ExitCode?: number;
}

/** The code path shared by `backend-ci gate` and the pipeline: read, normalize, evaluate. */
export async function gateSummaryFile(path: string, opts: GateFileOptions): Promise<{ summary: NormalizedSummary; gate: GateReport }> {
  const summary = await readK6SummaryFile(path);
  const gate = evaluateGate({
    summary,
    inputs: opts.inputs,
    ...(opts.k6ExitCode !== undefined ? { k6ExitCode: opts.k6ExitCode } : {}),
    engine: summary.format === 'local' ? 'local' : 'k6',
  });
  return { summary, gate };
}

class UsageError extends Error {}

function parseNumber(flag: string, raw: string | undefined, check: (n: number) => boolean, expected: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n) || !check(n)) throw new UsageError(`${flag} ${JSON.stringify(raw)}: expected ${expected}`);
  return n;
}

function parseGateArgs(argv: string[], io: CliIO) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        'p95-ms': { type: 'string' },
        'error-rate': { type: 'string' },
        'k6-exit-code': { type: 'string' },
        junit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { help: true as const };
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'missing SUMMARY.json' : `expected one summary file, got ${positionals.length}`);
  }
  const inputs: GateInputs = {};
  const p95 = parseNumber('--p95-ms', values['p95-ms'], (n) => n > 0, 'a positive number of milliseconds');
  if (p95 !== undefined) inputs.p95Ms = p95;
  const rate = parseNumber('--error-rate', values['error-rate'], (n) => n >= 0 && n <= 1, 'a ratio between 0 and 1, e.g. 0.01');
  if (rate !== undefined) inputs.errorRate = rate;
  const code = parseNumber('--k6-exit-code', values['k6-exit-code'], (n) => Number.isInteger(n) && n >= 0 && n <= 255, 'an integer 0..255');
  return {
    help: false as const,
    file: resolve(io.cwd, positionals[0] ?? ''),
    inputs,
    k6ExitCode: code,
    junit: values.junit === undefined ? undefined : resolve(io.cwd, values.junit),
  };
}

export const gateCommand: CliCommand = async (argv, io) => {
  let args;
  try {
    args = parseGateArgs(argv, io);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`backend-ci gate: ${err.message}\n${GATE_USAGE}`);
    return 2;
  }
  if (args.help) {
    io.stdout.write(GATE_USAGE);
    return 0;
  }
  let result;
  try {
    result = await gateSummaryFile(args.file, {
      inputs: args.inputs,
      ...(args.k6ExitCode !== undefined ? { k6ExitCode: args.k6ExitCode } : {}),
    });
  } catch (err) {
    if (!(err instanceof SummaryParseError)) throw err;
    io.stderr.write(`backend-ci gate: ${err.message}\n`);
    return 2;
  }
  for (const note of result.summary.notes) io.stdout.write(`note: ${note}\n`);
  io.stdout.write(formatGateTable(result.gate));
  if (args.junit) await writeFile(args.junit, gateJUnitXml(result.gate));
  return result.gate.passed ? 0 : 1;
};
