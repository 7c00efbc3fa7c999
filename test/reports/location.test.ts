import { describe, expect, it } from 'vitest';
import { locateFailure, toRepoPath } from '../../src/reports/location.js';

const root = { repoRoot: '/home/runner/work/api/api' };

describe('failure locations', () => {
  it('prefers file and line attributes when both are present', () => {
    expect(locateFailure('at x (/home/runner/work/api/api/src/a.ts:9:1)', { file: 'test/a.test.ts', line: '4' }, root)).toEqual({
      file: 'test/a.test.ts',
      line: 4,
    });
  });

  it('takes the first frame inside the repository, skipping node_modules and node internals', () => {
    const stack = [
      'Error: boom',
      '    at expect (/home/runner/work/api/api/node_modules/expect/build/index.js:113:15)',
      '    at node:internal/process/task_queues:95:5',
      '    at Object.<anonymous> (/home/runner/work/api/api/src/users.test.ts:57:37)',
    ].join('\n');
    expect(locateFailure(stack, {}, root)).toEqual({ file: 'src/users.test.ts', line: 57 });
  });

  it('understands file:// URLs, bare "at path:line:col" frames and vitest ❯ frames', () => {
    expect(locateFailure('    at file:///home/runner/work/api/api/src/a.ts:3:9', {}, root)).toEqual({ file: 'src/a.ts', line: 3 });
    expect(locateFailure('    at async /home/runner/work/api/api/src/b.ts:8:1', {}, root)).toEqual({ file: 'src/b.ts', line: 8 });
    expect(locateFailure(' ❯ test/c.test.ts:12:7', {}, root)).toEqual({ file: 'test/c.test.ts', line: 12 });
    expect(locateFailure(' ❯ handler src/d.ts:2:3', {}, root)).toEqual({ file: 'src/d.ts', line: 2 });
  });

  it('prefers a frame in the test’s own file over an earlier frame in a helper', () => {
    const stack = 'at helper (src/helpers.ts:5:1)\nat test (test/e.test.ts:20:3)';
    expect(locateFailure(stack, { file: 'test/e.test.ts' }, root)).toEqual({ file: 'test/e.test.ts', line: 20 });
  });

  it('maps an absolute path from another machine by the test file suffix; otherwise gives no line', () => {
    expect(locateFailure('at /builds/x/test/f.test.ts:9:9', { file: 'test/f.test.ts' }, root)).toEqual({ file: 'test/f.test.ts', line: 9 });
    expect(locateFailure('at /somewhere/else.ts:9:9', { file: 'test/g.test.ts' }, root)).toEqual({ file: 'test/g.test.ts' });
    expect(locateFailure('no frames at all', {}, root)).toEqual({});
  });

  it('ignores Java frames, which carry no repository path', () => {
    expect(locateFailure('\tat com.example.FooTest.bar(FooTest.java:42)', {}, root)).toEqual({});
  });

  it('normalises Windows paths and rejects paths outside the repository', () => {
    expect(toRepoPath('C:\\a\\repo\\src\\x.ts', { repoRoot: 'C:\\a\\repo' })).toBe('src/x.ts');
    expect(toRepoPath('../outside.ts', root)).toBeUndefined();
    expect(toRepoPath('./src/y.ts', root)).toBe('src/y.ts');
  });
});
