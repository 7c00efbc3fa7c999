/**
 * Merges test case results from many JUnit files into counters and bounded lists (the `TestsReport`), in memory
 * that does not grow with the number of tests except for the dedup index described below.
 *
 * Merge rule (documented for users):
 * - A test's identity is (stage, suite name, classname (or file when there is none), name). The suite is part of
 *   it even with a stage, so two files with the same describe/test names in one stage stay distinct.
 * - Within ONE file every test case counts (a file is one run; same-named cases in a file are distinct cases,
 *   e.g. parameterised tests).
 * - ACROSS files, the same identity is counted once: a later file (in the order files are ingested) replaces the
 *   earlier result, except that a test that failed (or was flaky) earlier and passes later is counted as flaky, not
 *   passed. A test that passed earlier and fails later is failed (the later run wins).
 * - A test case with `flakyFailure`/`flakyError` children and no final `failure`/`error` is flaky.
 *
 * Memory: the dedup index stores a 53-bit hash of each identity (two 32-bit FNV-style hashes) mapped to a slot in
 * typed arrays (status, duration, attempts): 45-75 bytes per test (under 15 MB for 200,000), kept only for files that another file follows (the
 * last file's identities are never stored, so one big file needs no index at all). Hash collisions (probability
 * ~n²/2⁵⁴, about 1e-4 for a million tests) would merge two distinct tests.
 */
import { DEFAULT_LIMITS } from './model.js';
import type { FailedTest, FlakyTest, ReportLimits, SlowTest, TestStatus, TestsReport, TestTotals } from './model.js';

/** One parsed test case, as the JUnit reader hands it over. The reader reuses the object: copy what you keep. */
export interface TestCaseRecord {
  stage?: string;
  suite: string;
  classname: string;
  name: string;
  durationMs: number;
  status: TestStatus;
  /** For failed/errored/flaky tests: message of the (last) failure. */
  message: string;
  type?: string;
  details: string;
  output: string;
  file?: string;
  line?: number;
  /** Failed attempts recorded in the file (failure + reruns, or flaky failures). */
  failedAttempts: number;
  source: string;
}

const ST_PASSED = 0;
const ST_FAILED = 1;
const ST_ERRORED = 2;
const ST_SKIPPED = 3;
const ST_FLAKY = 4;

let h1 = 0;
let h2 = 0;
function mix(s: string): void {
  let a = h1;
  let b = h2;
  const n = s.length;
  let i = 0;
  // two UTF-16 units per step
  for (; i + 1 < n; i += 2) {
    const c = s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 13;
  }
  if (i < n) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a ^= n; // length, so "ab"+"" and "a"+"b" differ
  // separator, so ("ab","c") and ("a","bc") differ
  h1 = Math.imul(a ^ 0x1f, 0x01000193);
  h2 = Math.imul(b ^ 0x1f, 0x5bd1e995);
}

let lastStage = '';
let lastSuite = '';
let lastClass = '';
let prefix1 = 0;
let prefix2 = 0;
let prefixValid = false;

/** 53-bit hash of a test identity (stage, suite, classname, name); exported for tests. */
export function identityHash(stage: string, suite: string, classname: string, name: string): number {
  // Consecutive test cases usually share stage, suite and classname: reuse the hash state of that prefix.
  if (!prefixValid || suite !== lastSuite || classname !== lastClass || stage !== lastStage) {
    h1 = 0x811c9dc5;
    h2 = 0x9747b28c;
    mix(stage);
    mix(suite);
    mix(classname);
    prefix1 = h1;
    prefix2 = h2;
    lastStage = stage;
    lastSuite = suite;
    lastClass = classname;
    prefixValid = true;
  }
  h1 = prefix1;
  h2 = prefix2;
  mix(name);
  const key = (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
  return key === 0 ? 1 : key; // never 0: 0 marks an empty KeyTable cell
}

/**
 * Open-addressing hash table from identity hash (a non-zero 53-bit integer) to slot. Keys and values are interleaved
 * in one Float64Array (one cache line per probe), kept at most half full: ~32-64 bytes per entry, no per-entry
 * objects (a Map with non-Smi number keys was 2x slower and larger).
 */
class KeyTable {
  private cells = new Float64Array(2048);
  private mask = 1023;
  size = 0;

  get(key: number): number | undefined {
    const cells = this.cells;
    let i = (key & this.mask) >>> 0;
    for (;;) {
      const k = cells[i * 2] as number;
      if (k === key) return cells[i * 2 + 1];
      if (k === 0) return undefined;
      i = (i + 1) & this.mask;
    }
  }

  /** Sets `key` to `value` and returns the previous value, or -1 when the key was new (one probe sequence). */
  swap(key: number, value: number): number {
    if ((this.size + 1) * 2 > this.mask + 1) this.rehash((this.mask + 1) * 2);
    const cells = this.cells;
    let i = (key & this.mask) >>> 0;
    for (;;) {
      const k = cells[i * 2] as number;
      if (k === key) {
        const old = cells[i * 2 + 1] as number;
        cells[i * 2 + 1] = value;
        return old;
      }
      if (k === 0) {
        cells[i * 2] = key;
        cells[i * 2 + 1] = value;
        this.size++;
        return -1;
      }
      i = (i + 1) & this.mask;
    }
  }

  private rehash(capacity: number): void {
    const old = this.cells;
    this.cells = new Float64Array(capacity * 2);
    this.mask = capacity - 1;
    this.size = 0;
    for (let i = 0; i < old.length; i += 2) {
      const k = old[i] as number;
      if (k !== 0) this.swap(k, old[i + 1] as number);
    }
  }
}

/**
 * A copy of `s` that does not keep its parent alive. saxes hands out attribute values and text as slices of the
 * 1 MiB chunk being parsed; keeping such a slice (a failed test's name) would keep the whole chunk in memory.
 */
function own(s: string): string;
function own(s: string | undefined): string | undefined;
function own(s: string | undefined): string | undefined {
  if (s === undefined || s.length < 13) return s; // V8 copies strings shorter than 13 characters anyway
  return (' ' + s).slice(1);
}

interface SlowEntry extends SlowTest {
  key: number;
}

export class TestCollector {
  private readonly limits: ReportLimits;
  private readonly totals: TestTotals = {
    passed: 0,
    failed: 0,
    errored: 0,
    skipped: 0,
    flaky: 0,
    total: 0,
    durationMs: 0,
  };
  private readonly failed: FailedTest[] = [];
  private readonly flaky: FlakyTest[] = [];
  private readonly failedByKey = new Map<number, FailedTest>();
  private readonly flakyByKey = new Map<number, FlakyTest>();
  /** Ascending by duration; at most limits.slowest entries. */
  private readonly slow: SlowEntry[] = [];
  private readonly files: string[] = [];
  /** identity hash -> slot of its latest result in previous files. */
  private readonly index = new KeyTable();
  private slotStatus = new Uint8Array(0);
  private slotDuration = new Float64Array(0);
  private slotAttempts = new Uint16Array(0);
  private nextSlot = 0;
  private fileStartSlot = 0;
  private retain = false;
  private dedup = false;

  constructor(limits: Partial<ReportLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /**
   * Starts a file. `moreFilesFollow` tells whether identities of this file must be remembered for dedup against
   * later files (pass false for the last file to save memory).
   */
  beginFile(source: string, moreFilesFollow: boolean): void {
    this.files.push(source);
    this.retain = moreFilesFollow;
    this.dedup = moreFilesFollow || this.index.size > 0;
    this.fileStartSlot = this.nextSlot;
  }

  /** Ends the current file: its identities become visible to dedup of the following files. */
  endFile(): void {
    this.retain = false;
    this.fileStartSlot = this.nextSlot;
  }

  /** Drops a source that turned out to hold no usable test (so `files` lists only useful inputs). */
  forgetFile(source: string): void {
    const i = this.files.lastIndexOf(source);
    if (i >= 0) this.files.splice(i, 1);
  }

  add(rec: TestCaseRecord): void {
    const t = this.totals;
    let status = rec.status;
    let key = 0;
    let failedAttempts = rec.failedAttempts;
    let flakyMessage = rec.message;
    if (this.dedup) {
      key = identityHash(rec.stage ?? '', rec.suite, rec.classname, rec.name);
      // Retained files register their slot right away (one probe); results from the current file are not
      // duplicates of each other (see the merge rule), so a slot of this file found here is ignored.
      let prev = this.retain ? this.index.swap(key, this.nextSlot) : this.index.size > 0 ? (this.index.get(key) ?? -1) : -1;
      if (prev >= this.fileStartSlot && this.retain) prev = -1;
      if (prev >= 0) {
        const prevStatus = this.slotStatus[prev] as number;
        this.uncount(prevStatus, this.slotDuration[prev] as number);
        let prevMessage = '';
        if (prevStatus === ST_FAILED || prevStatus === ST_ERRORED) {
          const f = this.failedByKey.get(key);
          if (f) {
            this.failedByKey.delete(key);
            this.failed.splice(this.failed.indexOf(f), 1);
            prevMessage = f.message;
          }
        } else if (prevStatus === ST_FLAKY) {
          const f = this.flakyByKey.get(key);
          if (f) {
            this.flakyByKey.delete(key);
            this.flaky.splice(this.flaky.indexOf(f), 1);
            prevMessage = f.message;
          }
        }
        const si = this.slow.findIndex((s) => s.key === key);
        if (si >= 0) this.slow.splice(si, 1);
        if (status === 'passed' && prevStatus !== ST_PASSED && prevStatus !== ST_SKIPPED) {
          status = 'flaky';
          failedAttempts = this.slotAttempts[prev] as number;
          flakyMessage = prevMessage;
        } else if (status === 'flaky') {
          failedAttempts += prevStatus === ST_FAILED || prevStatus === ST_ERRORED ? (this.slotAttempts[prev] as number) : 0;
        }
      }
    }
    const d = rec.durationMs;
    t.total++;
    t.durationMs += d;
    let code = ST_PASSED;
    switch (status) {
      case 'passed':
        t.passed++;
        break;
      case 'skipped':
        code = ST_SKIPPED;
        t.skipped++;
        break;
      case 'failed':
      case 'errored':
        code = status === 'failed' ? ST_FAILED : ST_ERRORED;
        if (status === 'failed') t.failed++;
        else t.errored++;
        if (this.failed.length < this.limits.maxFailed) {
          const f: FailedTest = {
            stage: rec.stage,
            suite: own(rec.suite),
            classname: own(rec.classname),
            name: own(rec.name),
            status,
            message: own(rec.message),
            type: own(rec.type),
            details: own(rec.details),
            output: own(rec.output),
            file: own(rec.file),
            line: rec.line,
            durationMs: d,
            attempts: Math.max(1, rec.failedAttempts),
            source: rec.source,
          };
          this.failed.push(f);
          if (this.dedup) this.failedByKey.set(key, f);
        }
        break;
      case 'flaky':
        code = ST_FLAKY;
        t.flaky++;
        if (this.flaky.length < this.limits.maxFlaky) {
          const f: FlakyTest = {
            stage: rec.stage,
            suite: own(rec.suite),
            classname: own(rec.classname),
            name: own(rec.name),
            file: own(rec.file),
            line: rec.line,
            message: own(flakyMessage),
            failedAttempts: Math.max(1, failedAttempts),
            source: rec.source,
          };
          this.flaky.push(f);
          if (this.dedup) this.flakyByKey.set(key, f);
        }
        break;
    }
    this.offerSlow(rec, d, key);
    if (this.retain) {
      const slot = this.nextSlot++;
      if (slot >= this.slotStatus.length) this.grow();
      this.slotStatus[slot] = code;
      this.slotDuration[slot] = d;
      this.slotAttempts[slot] = Math.min(65535, status === 'passed' || status === 'skipped' ? 0 : Math.max(1, failedAttempts));
    }
  }

  /**
   * Whether a failed (or flaky) result added now would be kept with its details. When false, the reader can skip
   * extracting message, stack trace and location (the failure is only counted).
   */
  keepsDetails(flaky: boolean): boolean {
    // (A failure not kept is not indexed either, so a later pass cannot reuse its message for a flaky entry.)
    return flaky ? this.flaky.length < this.limits.maxFlaky : this.failed.length < this.limits.maxFailed;
  }

  /** The merged tests report. The collector can keep ingesting afterwards; call again for a fresh snapshot. */
  finish(): TestsReport {
    const t = this.totals;
    const failedCount = t.failed + t.errored;
    return {
      totals: { ...t, durationMs: Math.round(t.durationMs * 1000) / 1000 },
      failed: [...this.failed],
      failedOmitted: failedCount - this.failed.length,
      flaky: [...this.flaky],
      flakyOmitted: t.flaky - this.flaky.length,
      slowest: this.slow
        .slice()
        .reverse()
        .map(({ key: _key, ...s }) => s),
      files: [...this.files],
    };
  }

  private uncount(status: number, durationMs: number): void {
    const t = this.totals;
    t.total--;
    t.durationMs -= durationMs;
    if (status === ST_PASSED) t.passed--;
    else if (status === ST_FAILED) t.failed--;
    else if (status === ST_ERRORED) t.errored--;
    else if (status === ST_SKIPPED) t.skipped--;
    else t.flaky--;
  }

  private offerSlow(rec: TestCaseRecord, d: number, key: number): void {
    const n = this.limits.slowest;
    if (n <= 0) return;
    const slow = this.slow;
    if (slow.length >= n && d <= (slow[0] as SlowEntry).durationMs) return;
    const e: SlowEntry = {
      key,
      stage: rec.stage,
      suite: own(rec.suite),
      classname: own(rec.classname),
      name: own(rec.name),
      durationMs: d,
      file: own(rec.file),
      source: rec.source,
    };
    let i = 0;
    while (i < slow.length && (slow[i] as SlowEntry).durationMs < d) i++;
    slow.splice(i, 0, e);
    if (slow.length > n) slow.shift();
  }

  private grow(): void {
    const size = Math.max(1024, this.slotStatus.length * 2);
    const s = new Uint8Array(size);
    s.set(this.slotStatus);
    const d = new Float64Array(size);
    d.set(this.slotDuration);
    const a = new Uint16Array(size);
    a.set(this.slotAttempts);
    this.slotStatus = s;
    this.slotDuration = d;
    this.slotAttempts = a;
  }
}
