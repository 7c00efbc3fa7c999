import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestCollector } from '../../src/reports/collector.js';
import { ingestJUnitFile } from '../../src/reports/junit.js';
import type { JUnitIngestOptions } from '../../src/reports/junit.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
export const fixture = (name: string): string => join(FIXTURES, name);

/** Ingests one JUnit file into a fresh collector. */
export async function ingestOne(path: string, opts: JUnitIngestOptions = {}) {
  const c = new TestCollector(opts.limits);
  const r = await ingestJUnitFile(path, c, opts);
  return { ...r, tests: c.finish() };
}

/** A temp directory removed by the returned cleanup. */
export function tempDir(): { dir: string; file: (name: string, content: string | Buffer) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'bci-reports-'));
  return {
    dir,
    file: (name, content) => {
      const p = join(dir, name);
      writeFileSync(p, content);
      return p;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A JUnit document with `n` test cases; `failing(i)` picks failed ones. */
export function junitDoc(n: number, opts: { failing?: (i: number) => boolean; suite?: string; name?: (i: number) => string } = {}): string {
  const parts = ['<?xml version="1.0"?>\n<testsuites>\n<testsuite name="', opts.suite ?? 'test/a.test.ts', '">\n'];
  for (let i = 0; i < n; i++) {
    const name = opts.name ? opts.name(i) : `case ${i}`;
    if (opts.failing?.(i)) {
      parts.push(
        `<testcase classname="test/a.test.ts" name="${name}" time="0.001"><failure message="boom ${i}" type="Error">Error: boom ${i}\n    at /repo/test/a.test.ts:${i + 1}:5</failure></testcase>\n`,
      );
    } else parts.push(`<testcase classname="test/a.test.ts" name="${name}" time="0.001"/>\n`);
  }
  parts.push('</testsuite>\n</testsuites>\n');
  return parts.join('');
}
