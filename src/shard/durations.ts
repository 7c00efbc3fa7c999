/**
 * Duration history: how long each test file took in earlier runs, as `{ version: 1, files: { path: ms } }`.
 * Extracted from JUnit XML (per file: the sum of its testcases' times; the file is the testcase's `file` attribute,
 * else its `classname`, which is where vitest puts the project-relative path), stored locally in
 * .backend-ci/durations.json and on GitHub in the actions cache.
 */
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { SaxesParser } from 'saxes';
import { z } from 'zod';

export const DURATIONS_VERSION = 1;
/** Default location of the history, relative to the project. */
export const DEFAULT_DURATIONS_PATH = '.backend-ci/durations.json';

export interface Durations {
  version: typeof DURATIONS_VERSION;
  /** Project-relative test file path (forward slashes) -> milliseconds. */
  files: Record<string, number>;
}

const durationsSchema = z.object({
  version: z.literal(DURATIONS_VERSION),
  files: z.record(z.string().min(1), z.number().nonnegative().finite()),
});

export class DurationsError extends Error {
  override name = 'DurationsError';
}

export function emptyDurations(): Durations {
  return { version: DURATIONS_VERSION, files: {} };
}

/** Validates a durations document; the message names the file and what is wrong. */
export function parseDurations(text: string, label: string): Durations {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new DurationsError(`${label}: not valid JSON (${(e as Error).message}); delete it to start a new history`);
  }
  const parsed = durationsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new DurationsError(
      `${label}: ${where}: ${issue?.message ?? 'invalid'}; expected {"version": ${DURATIONS_VERSION}, "files": {"path": milliseconds}} (delete the file to start a new history)`,
    );
  }
  return parsed.data as Durations;
}

/** Reads a durations file; a missing file is an empty history (the first run has none). */
export async function readDurations(path: string): Promise<Durations> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return emptyDurations();
    throw new DurationsError(`${path}: cannot be read (${(e as Error).message})`);
  }
  return parseDurations(text, path);
}

/** Writes a durations file atomically (a cancelled job never leaves half a file in the cache). */
export async function writeDurations(path: string, d: Durations): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const sorted: Record<string, number> = {};
  for (const k of Object.keys(d.files).sort()) sorted[k] = d.files[k] as number;
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, `${JSON.stringify({ version: DURATIONS_VERSION, files: sorted }, null, 2)}\n`);
  await rename(tmp, path);
}

const TEST_FILE_RE = /\.(test|spec)\.[cm]?[jt]sx?$/;

/** Normalises a path from a report to the history's key form: forward slashes, no leading `./`. */
export function durationKey(path: string): string {
  return path.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
}

/**
 * Per-file durations (ms) in one JUnit file, streamed. Testcases whose file is not a test file path (e.g. a mocha
 * classname that is a describe title) are ignored. The result is rounded to whole milliseconds.
 */
export async function durationsFromJUnit(path: string): Promise<Record<string, number>> {
  const totals = new Map<string, number>();
  const parser = new SaxesParser();
  let error: Error | null = null;
  parser.on('opentag', (tag) => {
    if (tag.name !== 'testcase') return;
    const attrs = tag.attributes as Record<string, string>;
    const file = attrs.file ?? attrs.classname;
    if (!file || !TEST_FILE_RE.test(file)) return;
    const seconds = Number(attrs.time ?? '0');
    const key = durationKey(file);
    totals.set(key, (totals.get(key) ?? 0) + (Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0));
  });
  parser.on('error', (e) => {
    error ??= e;
  });
  for await (const chunk of createReadStream(path, { encoding: 'utf8' })) {
    if (error) break;
    parser.write(chunk as string);
  }
  if (!error) parser.close();
  if (error) throw new DurationsError(`${path}: not well-formed JUnit XML (${(error as Error).message})`);
  const out: Record<string, number> = {};
  for (const [k, ms] of totals) out[k] = Math.round(ms);
  return out;
}

/**
 * The new history: files measured in this run take their new time (summed over the run's JUnit files, e.g. a file
 * split into a critical and a tagged run); files not run this time (another suite) keep their old time.
 */
export function updateDurations(previous: Durations, measured: readonly Record<string, number>[]): Durations {
  const fresh = new Map<string, number>();
  for (const m of measured) for (const [k, ms] of Object.entries(m)) fresh.set(k, (fresh.get(k) ?? 0) + ms);
  return { version: DURATIONS_VERSION, files: { ...previous.files, ...Object.fromEntries(fresh) } };
}
