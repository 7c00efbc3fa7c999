/**
 * Line-level union of lcov files, for coverage measured in several shards: each shard ran part of the tests, so a
 * line is covered when ANY shard covered it. Per source file, hit counts are summed: DA (lines), BRDA (branches),
 * FNDA (functions, matched to FN by name). LF/LH, BRF/BRH and FNF/FNH are recomputed from the union.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

interface FileCoverage {
  lines: Map<number, number>;
  /** key `line,block,branch` -> taken count, or null when never evaluated (`-`). */
  branches: Map<string, number | null>;
  /** name -> first line */
  functions: Map<string, number>;
  functionHits: Map<string, number>;
}

export class LcovUnion {
  readonly files = new Map<string, FileCoverage>();

  private file(path: string): FileCoverage {
    let f = this.files.get(path);
    if (!f) {
      f = { lines: new Map(), branches: new Map(), functions: new Map(), functionHits: new Map() };
      this.files.set(path, f);
    }
    return f;
  }

  /** Adds one lcov document, line by line. */
  addLine(raw: string, current: { file: FileCoverage | null }): void {
    const line = raw.trim();
    if (line.startsWith('SF:')) current.file = this.file(line.slice(3));
    else if (line === 'end_of_record') current.file = null;
    else if (current.file) {
      const f = current.file;
      const colon = line.indexOf(':');
      if (colon < 0) return;
      const tag = line.slice(0, colon);
      const parts = line.slice(colon + 1).split(',');
      if (tag === 'DA') {
        const ln = Number(parts[0]);
        const hits = Number(parts[1]);
        if (Number.isFinite(ln) && Number.isFinite(hits)) f.lines.set(ln, (f.lines.get(ln) ?? 0) + hits);
      } else if (tag === 'BRDA' && parts.length >= 4) {
        const key = parts.slice(0, 3).join(',');
        const taken = parts[3] === '-' ? null : Number(parts[3]);
        const prev = f.branches.get(key);
        f.branches.set(key, taken === null || !Number.isFinite(taken) ? (prev ?? null) : (prev ?? 0) + taken);
      } else if (tag === 'FN' && parts.length >= 2) {
        const name = parts.slice(1).join(',');
        if (!f.functions.has(name)) f.functions.set(name, Number(parts[0]));
      } else if (tag === 'FNDA' && parts.length >= 2) {
        const name = parts.slice(1).join(',');
        const hits = Number(parts[0]);
        if (Number.isFinite(hits)) f.functionHits.set(name, (f.functionHits.get(name) ?? 0) + hits);
      }
    }
  }

  addText(text: string): void {
    const current = { file: null as FileCoverage | null };
    for (const line of text.split('\n')) this.addLine(line, current);
  }

  async addFile(path: string): Promise<void> {
    const current = { file: null as FileCoverage | null };
    const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    for await (const line of rl) this.addLine(line, current);
  }

  /** The union as one lcov document (files sorted by path). */
  toString(): string {
    const out: string[] = [];
    for (const path of [...this.files.keys()].sort()) {
      const f = this.files.get(path) as FileCoverage;
      out.push('TN:', `SF:${path}`);
      const fnNames = [...f.functions.keys()];
      for (const name of fnNames) out.push(`FN:${f.functions.get(name)},${name}`);
      for (const name of fnNames) out.push(`FNDA:${f.functionHits.get(name) ?? 0},${name}`);
      out.push(`FNF:${fnNames.length}`, `FNH:${fnNames.filter((n) => (f.functionHits.get(n) ?? 0) > 0).length}`);
      const branchKeys = [...f.branches.keys()].sort((a, b) => {
        const pa = a.split(',').map(Number);
        const pb = b.split(',').map(Number);
        return (pa[0] as number) - (pb[0] as number) || (pa[1] as number) - (pb[1] as number) || (pa[2] as number) - (pb[2] as number);
      });
      for (const k of branchKeys) {
        const taken = f.branches.get(k);
        out.push(`BRDA:${k},${taken === null || taken === undefined ? '-' : taken}`);
      }
      out.push(`BRF:${branchKeys.length}`, `BRH:${branchKeys.filter((k) => (f.branches.get(k) ?? 0) > 0).length}`);
      const lineNos = [...f.lines.keys()].sort((a, b) => a - b);
      for (const ln of lineNos) out.push(`DA:${ln},${f.lines.get(ln)}`);
      out.push(`LF:${lineNos.length}`, `LH:${lineNos.filter((ln) => (f.lines.get(ln) ?? 0) > 0).length}`, 'end_of_record');
    }
    return out.length ? `${out.join('\n')}\n` : '';
  }
}

/** Unions lcov files into one lcov text. */
export async function unionLcovFiles(paths: readonly string[]): Promise<string> {
  const u = new LcovUnion();
  for (const p of paths) await u.addFile(p);
  return u.toString();
}
