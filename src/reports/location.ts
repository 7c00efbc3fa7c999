/**
 * Finds where a failure happened: a repository-relative file and line, from JUnit `file`/`line` attributes or from
 * the first stack frame in the failure text that points into the repository (not node_modules, not node internals).
 * Understands `at fn (path:line:col)`, `at path:line:col`, vitest's `❯ path:line:col`, pytest's `path.py:12: Error`,
 * absolute paths, Windows paths and file:// URLs. Runs only for failed tests, so regexes are fine here.
 */
import { fileURLToPath } from 'node:url';
import type { SourceLocation } from './model.js';

export interface LocateOptions {
  /** Absolute path of the repository checkout; absolute paths under it become relative. */
  repoRoot?: string;
}

const POSITION = /^(.*?):(\d+)(?::(\d+))?$/;
const PYTEST_LINE = /^([^\s:]+\.py):(\d+): /;
const JAVA_FRAME = /^[\w$.<>]+\(/;

function toSlashes(p: string): string {
  return p.replace(/\\/g, '/');
}

function stripRoot(root: string): string {
  const r = toSlashes(root);
  return r.endsWith('/') ? r : `${r}/`;
}

function isAbsolute(p: string): boolean {
  return p.startsWith('/') || /^[A-Za-z]:\//.test(p);
}

/**
 * Maps a path as it appears in a report to a repository-relative path, or undefined when it is outside the
 * repository (node_modules, node internals, another absolute root). `hintFile` (the test's own relative file, when
 * known) lets an absolute path from another machine (e.g. /home/runner/work/r/r/src/a.ts) map by suffix.
 */
export function toRepoPath(raw: string, opts: LocateOptions = {}, hintFile?: string): string | undefined {
  let p = raw.trim();
  if (p === '' || p.startsWith('node:') || p.startsWith('internal/') || p.startsWith('<')) return undefined;
  if (p.includes('/node_modules/') || p.startsWith('node_modules/')) return undefined; // cheap check before URL parsing
  if (p.startsWith('file://')) {
    try {
      p = fileURLToPath(p);
    } catch {
      return undefined;
    }
  }
  p = toSlashes(p);
  if (p.includes('/node_modules/') || p.startsWith('node_modules/')) return undefined;
  if (isAbsolute(p)) {
    if (opts.repoRoot) {
      const root = stripRoot(opts.repoRoot);
      if (p.startsWith(root)) return p.slice(root.length);
    }
    if (hintFile) {
      const hint = toSlashes(hintFile);
      if (p.endsWith(`/${hint}`)) return hint;
    }
    return undefined;
  }
  while (p.startsWith('./')) p = p.slice(2);
  if (p.startsWith('../') || p === '') return undefined;
  return p;
}

/** Extracts `path:line[:col]` from one line of a stack trace, or undefined when the line is not a frame. */
function frameOf(line: string): { path: string; line: number } | undefined {
  const t = line.trim();
  let inside: string | undefined;
  if (t.startsWith('at ')) {
    const rest = t.slice(3).trim();
    if (rest.endsWith(')') && rest.includes('(')) {
      if (JAVA_FRAME.test(rest)) return undefined; // at com.x.FooTest.test(FooTest.java:42): no repository path
      inside = rest.slice(rest.lastIndexOf('(') + 1, -1);
    } else {
      inside = rest.startsWith('async ') ? rest.slice(6) : rest;
    }
  } else if (t.startsWith('❯ ')) {
    const parts = t.slice(2).trim().split(/\s+/);
    inside = parts[parts.length - 1];
  } else {
    const py = PYTEST_LINE.exec(t);
    if (py?.[1] && py[2]) return { path: py[1], line: Number(py[2]) };
    return undefined;
  }
  if (!inside) return undefined;
  const m = POSITION.exec(inside);
  if (!m?.[1] || !m[2]) return undefined;
  return { path: m[1], line: Number(m[2]) };
}

/**
 * The location of a failure. Order: the `file` and `line` attributes when both are present; else the first frame in
 * `text` inside the repository (frames in the test's own `file` preferred); else just the file, without a line.
 */
export function locateFailure(
  text: string,
  attrs: { file?: string; line?: string },
  opts: LocateOptions = {},
): SourceLocation {
  const attrFile = attrs.file ? toRepoPath(attrs.file, opts) : undefined;
  const attrLine = attrs.line !== undefined ? Number(attrs.line) : NaN;
  if (attrFile && Number.isInteger(attrLine) && attrLine > 0) return { file: attrFile, line: attrLine };
  let first: SourceLocation | undefined;
  if (text) {
    let start = 0;
    let scanned = 0;
    while (start < text.length && scanned < 200) {
      let end = text.indexOf('\n', start);
      if (end < 0) end = text.length;
      const frame = frameOf(text.slice(start, end));
      start = end + 1;
      scanned++;
      if (!frame || !(frame.line > 0)) continue;
      const file = toRepoPath(frame.path, opts, attrFile);
      if (!file) continue;
      if (!attrFile || file === attrFile) return { file, line: frame.line };
      first ??= { file, line: frame.line };
    }
  }
  if (first) return first;
  return attrFile ? { file: attrFile } : {};
}
