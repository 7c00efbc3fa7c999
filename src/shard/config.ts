/** Resolves the project's config for `backend-ci plan` and `backend-ci merge` exactly as `backend-ci run` does. */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigError } from '../config/errors.js';
import { CONFIG_FILE_NAME, parseConfigText } from '../config/load-file.js';
import { resolveConfig, type ResolvedConfig } from '../config/resolve.js';
import type { ConfigFile } from '../config/schema.js';
import { readProjectFacts } from '../cli/project.js';

export async function loadProjectConfig(opts: { cwd: string; projectDir?: string; configPath?: string; overlay: ConfigFile }): Promise<ResolvedConfig> {
  const projectDir = resolve(opts.cwd, opts.projectDir ?? '.');
  const project = await readProjectFacts(projectDir);
  const path = opts.configPath ? resolve(opts.cwd, opts.configPath) : join(projectDir, CONFIG_FILE_NAME);
  let file: ConfigFile = {};
  let found = false;
  try {
    const text = await readFile(path, 'utf8');
    found = true;
    file = parseConfigText(text, opts.configPath ?? CONFIG_FILE_NAME);
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    if (opts.configPath) throw new ConfigError([`--config ${opts.configPath}: file not found (looked at ${path})`]);
  }
  return resolveConfig({
    projectDir,
    file,
    flags: opts.overlay,
    project,
    ...(found ? { configPath: path, configLabel: opts.configPath ?? CONFIG_FILE_NAME } : {}),
  });
}
