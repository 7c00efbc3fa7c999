/** lcov tracefiles (lcov.info): SF/FNF/FNH/LF/LH/BRF/BRH/DA records; lcov has no statement counts (n/a). */
import type { CoverageFile } from '../model.js';
import type { LocateOptions } from '../location.js';
import { toRepoPath } from '../location.js';
import { counter } from './counters.js';

/** Incremental lcov parser: feed text chunks, then `end()`. Memory is per source file, not per line. */
export class LcovParser {
  readonly files: CoverageFile[] = [];
  private rest = '';
  private lineNo = 0;
  private sf: string | undefined;
  private lf = -1;
  private lh = -1;
  private fnf = -1;
  private fnh = -1;
  private brf = -1;
  private brh = -1;
  private daTotal = 0;
  private daHit = 0;
  private records = 0;

  constructor(private readonly opts: LocateOptions = {}) {}

  write(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  end(): CoverageFile[] {
    if (this.rest) this.line(this.rest);
    this.rest = '';
    if (this.sf !== undefined) this.flush();
    if (this.records === 0) throw new Error('no lcov records (expected SF:/end_of_record lines)');
    return this.files;
  }

  private line(raw: string): void {
    this.lineNo++;
    const l = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (l === '' || l.startsWith('TN:')) return;
    if (l === 'end_of_record') {
      if (this.sf === undefined) throw new Error(`line ${this.lineNo}: end_of_record without SF`);
      this.flush();
      return;
    }
    const colon = l.indexOf(':');
    if (colon < 0) throw new Error(`line ${this.lineNo}: not an lcov record: ${JSON.stringify(l.slice(0, 80))}`);
    const tag = l.slice(0, colon);
    const value = l.slice(colon + 1);
    if (tag === 'SF') {
      if (this.sf !== undefined) this.flush();
      this.sf = value;
      return;
    }
    if (this.sf === undefined) {
      if (/^(FN|FNDA|FNF|FNH|DA|LF|LH|BRDA|BRF|BRH|VER|FNL|FNA)$/.test(tag)) {
        throw new Error(`line ${this.lineNo}: ${tag} record before any SF`);
      }
      throw new Error(`line ${this.lineNo}: not an lcov record: ${JSON.stringify(l.slice(0, 80))}`);
    }
    switch (tag) {
      case 'LF':
        this.lf = Number(value);
        break;
      case 'LH':
        this.lh = Number(value);
        break;
      case 'FNF':
        this.fnf = Number(value);
        break;
      case 'FNH':
        this.fnh = Number(value);
        break;
      case 'BRF':
        this.brf = Number(value);
        break;
      case 'BRH':
        this.brh = Number(value);
        break;
      case 'DA': {
        const comma = value.indexOf(',');
        const hits = Number(value.slice(comma + 1).split(',')[0]);
        this.daTotal++;
        if (hits > 0) this.daHit++;
        break;
      }
      default:
        break;
    }
  }

  private flush(): void {
    const sf = this.sf as string;
    const lines = this.lf >= 0 ? counter(this.lh >= 0 ? this.lh : this.daHit, this.lf) : counter(this.daHit, this.daTotal);
    this.files.push({
      path: toRepoPath(sf, this.opts) ?? sf.replace(/\\/g, '/'),
      lines,
      functions: this.fnf >= 0 ? counter(Math.max(0, this.fnh), this.fnf) : null,
      branches: this.brf >= 0 ? counter(Math.max(0, this.brh), this.brf) : null,
      statements: null,
    });
    this.records++;
    this.sf = undefined;
    this.lf = this.lh = this.fnf = this.fnh = this.brf = this.brh = -1;
    this.daTotal = this.daHit = 0;
  }
}
