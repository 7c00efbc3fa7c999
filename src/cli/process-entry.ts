/**
 * Wires the CLI to the real process: argv, stdio, Ctrl-C / SIGTERM (first: cancel the run cleanly, stopping every
 * stage's process group and the services; second: exit at once) and the exit code.
 */
import { main } from './app.js';

export function runCli(): void {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(`\nbackend-ci: ${sig} received, stopping stages and services (again to exit at once)\n`);
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  main(process.argv.slice(2), { cwd: process.cwd(), env: process.env, stdout: process.stdout, stderr: process.stderr }, controller.signal).then(
    (code) => {
      // Interrupted runs exit 130 (128 + SIGINT) whatever the stages did, as shells expect; the report is written anyway.
      process.exitCode = controller.signal.aborted ? 130 : code;
    },
    (e: unknown) => {
      process.stderr.write(`backend-ci: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      if (process.env.BACKEND_CI_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
      process.exitCode = 3;
    },
  );
}
