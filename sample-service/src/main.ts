// Entry point: validate the environment, serve, and shut down cleanly on SIGTERM / SIGINT.
import { run } from './run.js';

process.exitCode = await run(process.env, process);
