// The process lifecycle of the service, with the process passed in so it is testable:
// bad configuration -> one line per variable on stderr, exit code 1; otherwise serve until a signal, then close
// the HTTP server, the database pool and Redis, and resolve with exit code 0.
import { ConfigError, loadConfig, type Config } from './config.js';
import { jsonLogger, type Logger } from './ports.js';
import { startServer, type RunningServer } from './server.js';

export interface ProcessLike {
  once(signal: 'SIGTERM' | 'SIGINT', listener: () => void): unknown;
  stderr: { write(text: string): unknown };
}

export interface RunOptions {
  logger?: Logger;
  start?: (config: Config, logger: Logger) => Promise<RunningServer>;
}

export async function run(
  env: Record<string, string | undefined>,
  proc: ProcessLike,
  options: RunOptions = {},
): Promise<number> {
  const logger = options.logger ?? jsonLogger;
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    proc.stderr.write(`sample-service: invalid configuration, fix these environment variables:\n`);
    for (const problem of error.problems) proc.stderr.write(`  ${problem}\n`);
    return 1;
  }

  const start = options.start ?? ((cfg, log) => startServer(cfg, { logger: log }));
  let server: RunningServer;
  try {
    server = await start(config, logger);
  } catch (error) {
    proc.stderr.write(`sample-service: could not start: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  logger.info('listening', { url: server.url, port: server.port });

  const signal = await new Promise<string>((resolve) => {
    proc.once('SIGTERM', () => resolve('SIGTERM'));
    proc.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info('shutting down', { signal });
  await server.close();
  logger.info('stopped');
  return 0;
}
