/**
 * Cobertura XML (coverage.py, istanbul `cobertura`, JaCoCo converters), read with saxes. Per file: lines are the
 * class-level `<line>` elements (covered when hits > 0), branches from `condition-coverage="50% (1/2)"`, functions
 * from `<method>` elements (covered when a line of theirs was hit or hits/line-rate > 0). Cobertura has no statement
 * counts (n/a). Several `<class>` elements with the same filename are summed.
 */
import { SaxesParser } from 'saxes';
import { join } from 'node:path';
import type { CoverageFile } from '../model.js';
import type { LocateOptions } from '../location.js';
import { toRepoPath } from '../location.js';
import { counter } from './counters.js';

interface Acc {
  linesTotal: number;
  linesHit: number;
  brTotal: number;
  brHit: number;
  fnTotal: number;
  fnHit: number;
}

/** Incremental cobertura parser: feed text chunks, then `end()`. Throws on malformed XML / wrong root. */
export class CoberturaParser {
  private readonly parser = new SaxesParser({ xmlns: false, position: true });
  private readonly byFile = new Map<string, Acc>();
  private readonly sources: string[] = [];
  private sawRoot = false;
  private inSource = false;
  private sourceText = '';
  private current: Acc | undefined;
  private inMethod = false;
  private methodHit = false;

  constructor(private readonly opts: LocateOptions = {}) {
    const p = this.parser;
    p.on('opentag', (tag) => {
      const a = tag.attributes;
      if (!this.sawRoot) {
        this.sawRoot = true;
        if (tag.name !== 'coverage') throw new Error(`root element is <${tag.name}>, not <coverage>`);
        return;
      }
      switch (tag.name) {
        case 'source':
          this.inSource = true;
          this.sourceText = '';
          break;
        case 'class': {
          const file = a.filename ?? a.name ?? '';
          let acc = this.byFile.get(file);
          if (!acc) {
            acc = { linesTotal: 0, linesHit: 0, brTotal: 0, brHit: 0, fnTotal: 0, fnHit: 0 };
            this.byFile.set(file, acc);
          }
          this.current = acc;
          break;
        }
        case 'method':
          if (this.current) {
            this.inMethod = true;
            this.methodHit = Number(a.hits ?? 0) > 0 || Number(a['line-rate'] ?? 0) > 0;
            this.current.fnTotal++;
          }
          break;
        case 'line': {
          const acc = this.current;
          if (!acc) break;
          const hits = Number(a.hits ?? 0);
          if (this.inMethod) {
            if (hits > 0) this.methodHit = true;
            break; // method lines repeat class lines
          }
          acc.linesTotal++;
          if (hits > 0) acc.linesHit++;
          const cc = a['condition-coverage'];
          if (a.branch === 'true' && cc) {
            const open = cc.indexOf('(');
            const slash = cc.indexOf('/', open);
            const close = cc.indexOf(')', slash);
            if (open >= 0 && slash > open && close > slash) {
              acc.brHit += Number(cc.slice(open + 1, slash)) || 0;
              acc.brTotal += Number(cc.slice(slash + 1, close)) || 0;
            }
          }
          break;
        }
        default:
          break;
      }
    });
    p.on('text', (t) => {
      if (this.inSource) this.sourceText += t;
    });
    p.on('closetag', (tag) => {
      if (tag.name === 'source') {
        this.inSource = false;
        this.sources.push(this.sourceText.trim());
      } else if (tag.name === 'method') {
        if (this.inMethod && this.methodHit && this.current) this.current.fnHit++;
        this.inMethod = false;
      } else if (tag.name === 'class') {
        this.current = undefined;
      }
    });
  }

  write(chunk: string): void {
    this.parser.write(chunk);
  }

  end(): CoverageFile[] {
    this.parser.close();
    if (!this.sawRoot) throw new Error('no <coverage> element');
    const base = this.sources.find((s) => s !== '' && s !== '.');
    const files: CoverageFile[] = [];
    for (const [file, acc] of this.byFile) {
      const abs = base && !file.startsWith('/') ? join(base, file) : file;
      files.push({
        path: toRepoPath(abs, this.opts) ?? toRepoPath(file, this.opts) ?? file.replace(/\\/g, '/'),
        lines: counter(acc.linesHit, acc.linesTotal),
        branches: counter(acc.brHit, acc.brTotal),
        functions: counter(acc.fnHit, acc.fnTotal),
        statements: null,
      });
    }
    return files;
  }
}
