/** Facts about the project backend-ci runs on, read from its package.json and lockfile. */
import { lstat, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError } from '../config/errors.js';
import type { ProjectFacts } from '../config/resolve.js';

export async function readProjectFacts(projectDir: string): Promise<ProjectFacts> {
  const pkgPath = join(projectDir, 'package.json');
  let text: string;
  try {
    text = await readFile(pkgPath, 'utf8');
  } catch {
    throw new ConfigError([`${pkgPath}: not found; run backend-ci in your project's folder or pass --cwd DIR`]);
  }
  let pkg: { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  try {
    pkg = JSON.parse(text) as typeof pkg;
  } catch (e) {
    throw new ConfigError([`${pkgPath}: invalid JSON (${(e as Error).message}); fix the file`]);
  }
  return {
    scripts: pkg.scripts ?? {},
    dependencies: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
    hasLockfile: await exists(join(projectDir, 'package-lock.json')),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * node_modules is current when npm's own record of the installed tree (node_modules/.package-lock.json) is at least as
 * new as package.json and package-lock.json: then `npm ci` would reinstall the same tree. A node_modules that is a
 * symbolic link counts as current: it belongs to another install, and `npm ci` here would wipe it.
 */
export async function installIsCurrent(projectDir: string): Promise<boolean> {
  try {
    // A linked node_modules (a workspace or a shared install) is managed elsewhere: npm ci would empty its target.
    if ((await lstat(join(projectDir, 'node_modules'))).isSymbolicLink()) return true;
  } catch {
    return false;
  }
  try {
    const [installed, lock, pkg] = await Promise.all(
      ['node_modules/.package-lock.json', 'package-lock.json', 'package.json'].map((p) => stat(join(projectDir, p))),
    );
    return installed!.mtimeMs >= lock!.mtimeMs && installed!.mtimeMs >= pkg!.mtimeMs;
  } catch {
    return false;
  }
}
