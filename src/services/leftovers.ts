/**
 * Leftovers of an embedded run whose Node process was killed outright (SIGKILL, OOM, power loss): its postmaster and
 * redis-server keep running, because nothing told them to stop. Each embedded start records who owns its folder
 * (`owner.json`: our pid) and what it started (`<service dir>/service.json`: pid, port, data dir); the next start in
 * the same work dir stops the processes of folders whose owner is gone and removes those folders.
 * A pid is only signalled when /proc shows it is still the recorded program (guards against pid reuse), so on systems
 * without /proc (macOS) leftovers are reported, not killed.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface ServiceRecord {
  kind: 'postgres' | 'redis';
  pid: number;
  port: number;
  /** Postgres only: its data dir (may be outside the service folder, see embedded-postgres.ts). */
  dataDir?: string;
}

const OWNER_FILE = 'owner.json';
const RECORD_FILE = 'service.json';

export async function writeOwner(root: string): Promise<void> {
  await writeFile(join(root, OWNER_FILE), JSON.stringify({ pid: process.pid }));
}

export async function writeServiceRecord(dir: string, record: ServiceRecord): Promise<void> {
  await writeFile(join(dir, RECORD_FILE), JSON.stringify(record));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readJson<T>(path: string): Promise<T | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** True when /proc says `pid` is still the process the record describes. */
async function stillTheRecordedProcess(record: ServiceRecord): Promise<boolean | 'unknown'> {
  if (!existsSync('/proc/self')) return 'unknown';
  let cmdline: string;
  try {
    cmdline = (await readFile(`/proc/${record.pid}/cmdline`, 'utf8')).replace(/\0/g, ' ');
  } catch {
    return false;
  }
  if (record.kind === 'postgres') return record.dataDir !== undefined && cmdline.includes(record.dataDir);
  return cmdline.includes('redis-server') && cmdline.includes(`:${record.port}`);
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (alive(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 25));
  }
  return true;
}

/**
 * Stops the processes of `services-*` folders in `workDir` whose owner process is gone, and removes the folders.
 * Returns what it cleaned (for the log). Never throws.
 */
export async function reapLeftovers(workDir: string, log: (line: string) => void): Promise<string[]> {
  const cleaned: string[] = [];
  let entries: string[];
  try {
    entries = (await readdir(workDir)).filter((e) => e.startsWith('services-'));
  } catch {
    return cleaned;
  }
  for (const entry of entries) {
    const root = join(workDir, entry);
    try {
      const owner = await readJson<{ pid: number }>(join(root, OWNER_FILE));
      if (!owner || owner.pid === process.pid || alive(owner.pid)) continue;
      let keep = false;
      for (const sub of await readdir(root)) {
        const record = await readJson<ServiceRecord>(join(root, sub, RECORD_FILE));
        if (!record || !alive(record.pid)) continue;
        const same = await stillTheRecordedProcess(record);
        if (same === 'unknown') {
          log(`warning: ${root} is left from an earlier run; ${record.kind} pid ${record.pid} may still run: stop it by hand`);
          keep = true;
          continue;
        }
        if (!same) continue;
        // Postgres: SIGINT = fast shutdown; redis-server: SIGTERM. SIGKILL if they do not go.
        process.kill(record.pid, record.kind === 'postgres' ? 'SIGINT' : 'SIGTERM');
        if (!(await waitGone(record.pid, 5000))) {
          process.kill(record.pid, 'SIGKILL');
          await waitGone(record.pid, 2000);
        }
        cleaned.push(`${record.kind} pid ${record.pid} on port ${record.port}`);
        if (record.dataDir) await rm(record.dataDir, { recursive: true, force: true });
      }
      if (keep) continue;
      await rm(root, { recursive: true, force: true });
      cleaned.push(root);
    } catch (err) {
      log(`warning: could not clean up ${root} left from an earlier run: ${(err as Error).message}`);
    }
  }
  if (cleaned.length > 0) log(`cleaned up after an earlier run that was killed: ${cleaned.join(', ')}`);
  return cleaned;
}
