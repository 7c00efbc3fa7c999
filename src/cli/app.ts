/** The `backend-ci` command: dispatches to sub-commands. */
import type { CliCommand, CliIO } from '../types.js';
import { gateCommand } from '../load/command.js';
import { reportCommand } from '../reports/command.js';
import { mergeCommand, planCommand } from '../shard/command.js';
import { createRunCommand } from './run.js';

export const USAGE = `Usage: backend-ci <command> [options]

Commands:
  run       run the pipeline on a project (lint, typecheck, unit, services, migrate, integration, load) and report
  report    merge JUnit XML and coverage files into one report (summary.md, comment.md, annotations.json, junit.xml, report.html)
  gate      gate a k6 summary on p95 latency and error rate
  plan      split the integration test files into N shards balanced by duration (run one with run --shard I/N)
  merge     merge the report folders of a sharded run into one report

Run "backend-ci <command> --help" for a command's options.
`;

export async function main(argv: string[], io: CliIO, signal?: AbortSignal): Promise<number> {
  const [name, ...rest] = argv;
  const commands: Record<string, CliCommand> = {
    run: createRunCommand(signal ? { signal } : {}),
    report: reportCommand,
    gate: gateCommand,
    plan: planCommand,
    merge: mergeCommand,
  };
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    io.stdout.write(USAGE);
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    io.stderr.write(`backend-ci: unknown command "${name}"; commands: ${Object.keys(commands).join(', ')}\n`);
    return 2;
  }
  return command(rest, io);
}
