import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergeIstanbulCoverageFiles } from '../../src/reports/index.js';

const dir = mkdtempSync(join(tmpdir(), 'bci-istanbul-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An istanbul file coverage of /repo/src/a.ts with three one-line statements, one function, one if/else branch. */
function fileCoverage(s: [number, number, number], f: number, b: [number, number]) {
  const loc = (line: number) => ({ start: { line, column: 0 }, end: { line, column: 10 } });
  return {
    path: '/repo/src/a.ts',
    statementMap: { '0': loc(1), '1': loc(2), '2': loc(3) },
    fnMap: { '0': { name: 'f', decl: loc(1), loc: loc(1), line: 1 } },
    branchMap: { '0': { type: 'if', line: 2, loc: loc(2), locations: [loc(2), loc(3)] } },
    s: { '0': s[0], '1': s[1], '2': s[2] },
    f: { '0': f },
    b: { '0': b },
  };
}

function write(name: string, data: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(data));
  return p;
}

describe('exact coverage merge of several runs (istanbul coverage-final.json)', () => {
  it('counts a statement, function or branch covered by either run once', () => {
    const unit = write('unit.json', { '/repo/src/a.ts': fileCoverage([1, 1, 0], 1, [1, 0]) });
    const integration = write('integration.json', { '/repo/src/a.ts': fileCoverage([1, 0, 2], 0, [0, 3]) });
    const r = mergeIstanbulCoverageFiles([unit, integration]);
    expect(r.sources).toEqual([unit, integration]);
    const total = r.summary!.total as Record<string, { covered: number; total: number }>;
    expect(total.statements).toMatchObject({ covered: 3, total: 3 });
    expect(total.branches).toMatchObject({ covered: 2, total: 2 });
    expect(total.functions).toMatchObject({ covered: 1, total: 1 });
    expect(Object.keys(r.summary!)).toEqual(['total', '/repo/src/a.ts']);
  });

  it('keeps the other runs when one file is broken, with a warning naming it', () => {
    const good = write('good.json', { '/repo/src/a.ts': fileCoverage([1, 0, 0], 0, [0, 0]) });
    const bad = write('bad.json', '[1, 2');
    writeFileSync(bad, '{"truncated":');
    const r = mergeIstanbulCoverageFiles([bad, good]);
    expect(r.sources).toEqual([good]);
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]!.message).toContain(`${bad}: cannot merge coverage`);
    expect((r.summary!.total as Record<string, { covered: number }>).statements!.covered).toBe(1);
  });

  it('returns no summary when nothing was usable', () => {
    expect(mergeIstanbulCoverageFiles([join(dir, 'missing.json')]).summary).toBeNull();
  });
});
