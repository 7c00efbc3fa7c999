import { runCli } from './process-entry.js';
runCli();
