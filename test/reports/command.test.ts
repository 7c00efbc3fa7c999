import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { reportCommand } from '../../src/reports/command.js';
import type { CliIO } from '../../src/types.js';
import { fixture, junitDoc, tempDir } from './helpers.js';

function io(cwd: string, env: NodeJS.ProcessEnv = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const value: CliIO = {
    cwd,
    env,
    stdout: { write: (s: string) => out.push(s), isTTY: false },
    stderr: { write: (s: string) => err.push(s) },
  };
  return { io: value, out: () => out.join(''), err: () => err.join('') };
}

describe('backend-ci report', () => {
  it('exits 0 and writes every report file when all tests pass', async () => {
    const t = tempDir();
    try {
      t.file('a.xml', junitDoc(3));
      t.file('b.xml', junitDoc(2, { suite: 'test/b.test.ts' }));
      const c = io(t.dir);
      const code = await reportCommand(['*.xml', '--out', 'out'], c.io);
      expect(code).toBe(0);
      expect(c.out()).toContain('PASSED');
      expect(c.out()).toContain('5 total');
      for (const f of ['summary.md', 'comment.md', 'annotations.json', 'junit.xml', 'report.html']) {
        expect(readFileSync(join(t.dir, 'out', f), 'utf8').length).toBeGreaterThan(0);
      }
      expect(JSON.parse(readFileSync(join(t.dir, 'out', 'annotations.json'), 'utf8'))).toEqual([]);
    } finally {
      t.cleanup();
    }
  });

  it('exits 1 when a test failed, annotating it at its repository-relative file:line', async () => {
    const t = tempDir();
    try {
      t.file('a.xml', junitDoc(3, { failing: (i) => i === 2 }));
      const c = io(t.dir, { GITHUB_REPOSITORY: 'o/r', GITHUB_SHA: 'abc', GITHUB_RUN_ID: '7' });
      const code = await reportCommand(['a.xml', '--out', 'out', '--repo-root', '/repo'], c.io);
      expect(code).toBe(1);
      const ann = JSON.parse(readFileSync(join(t.dir, 'out', 'annotations.json'), 'utf8'));
      expect(ann).toEqual([expect.objectContaining({ path: 'test/a.test.ts', startLine: 3, level: 'failure' })]);
      const summary = readFileSync(join(t.dir, 'out', 'summary.md'), 'utf8');
      expect(summary).toContain('https://github.com/o/r/blob/abc/test/a.test.ts#L3');
      expect(readFileSync(join(t.dir, 'out', 'comment.md'), 'utf8').startsWith('<!-- backend-ci:report -->')).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  it('exits 1 when coverage is below a --min-* threshold', async () => {
    const t = tempDir();
    try {
      const c = io(t.dir);
      expect(await reportCommand(['--coverage', fixture('coverage-summary.json'), '--min-lines', '80', '--out', 'o'], c.io)).toBe(1);
      expect(await reportCommand(['--coverage', fixture('coverage-summary.json'), '--min-lines', '70', '--out', 'o'], c.io)).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('exits 2 when no input file is usable, with a warning per file and for a glob that matched nothing', async () => {
    const t = tempDir();
    try {
      t.file('empty.xml', '');
      const c = io(t.dir);
      const code = await reportCommand(['empty.xml', 'reports/**/*.xml', '--out', 'out'], c.io);
      expect(code).toBe(2);
      expect(c.out()).toContain('empty.xml: empty file (0 bytes)');
      expect(c.out()).toContain('JUnit pattern reports/**/*.xml matched no file');
      expect(c.err()).toContain('no usable report file');
    } finally {
      t.cleanup();
    }
  });

  it('still reports the good files (exit by their result) when another file is broken', async () => {
    const t = tempDir();
    try {
      t.file('good.xml', junitDoc(2));
      t.file('broken.xml', '<testsuites><testsuite name="x"><testcase');
      const c = io(t.dir);
      expect(await reportCommand(['good.xml', 'broken.xml', '--out', 'out'], c.io)).toBe(0);
      expect(c.out()).toContain('broken.xml: malformed XML');
      expect(readFileSync(join(t.dir, 'out', 'summary.md'), 'utf8')).toContain('### ⚠️ Warnings (1)');
    } finally {
      t.cleanup();
    }
  });

  it('exits 2 on bad flags or no input, printing usage', async () => {
    const c = io('/tmp');
    expect(await reportCommand(['--nope'], c.io)).toBe(2);
    expect(c.err()).toContain('Usage: backend-ci report');
    expect(await reportCommand([], c.io)).toBe(2);
    expect(await reportCommand(['a.xml', '--min-lines', 'abc'], c.io)).toBe(2);
    expect(await reportCommand(['--help'], c.io)).toBe(0);
  });

  it('writes a summary within 1 MiB and a comment within 65,536 characters for a file with 200,000 failures', async () => {
    const t = tempDir();
    try {
      const parts = ['<testsuites><testsuite name="s">'];
      for (let i = 0; i < 200_000; i++) {
        parts.push(`<testcase classname="test/f.test.ts" name="fails #${i}" time="0.001"><failure message="expected ${i} to be 0">at /repo/test/f.test.ts:${(i % 500) + 1}:3</failure></testcase>`);
      }
      parts.push('</testsuite></testsuites>');
      t.file('huge.xml', parts.join('\n'));
      const c = io(t.dir);
      expect(await reportCommand(['huge.xml', '--out', 'out', '--repo-root', '/repo'], c.io)).toBe(1);
      const summary = readFileSync(join(t.dir, 'out', 'summary.md'), 'utf8');
      const comment = readFileSync(join(t.dir, 'out', 'comment.md'), 'utf8');
      expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1024 * 1024);
      expect(comment.length).toBeLessThanOrEqual(65_536);
      expect(summary).toContain('**200000** failed');
      expect(summary).toMatch(/…and \d+ more failed test\(s\) not shown/);
      const ann = JSON.parse(readFileSync(join(t.dir, 'out', 'annotations.json'), 'utf8')) as unknown[];
      expect(ann.length).toBe(1000); // the kept failures (DEFAULT_LIMITS.maxFailed), each at its file:line
      expect(c.out()).toContain('…and 199980 more failed test(s)');
    } finally {
      t.cleanup();
    }
  });
});
