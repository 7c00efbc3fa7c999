/**
 * Streaming JUnit XML reader (saxes). Understands the dialects of vitest, jest-junit, mocha-junit-reporter, pytest,
 * Maven Surefire/Failsafe (flakyFailure/rerunFailure/flakyError/rerunError), go-junit-report and similar: a
 * `<testsuites>` or `<testsuite>` root, nested suites, `<testcase>` with `<failure>`, `<error>`, `<skipped>`,
 * `<system-out>`, `<system-err>`, `<properties>`; missing or odd attributes get defaults.
 *
 * It keeps only what the merged model needs: text is captured only inside failure-like elements (head kept, bounded)
 * and system-out/err (tail kept, bounded), and each test case is handed to a `TestCollector` as soon as it closes.
 * Entities are never expanded beyond XML's five predefined ones and character references: saxes does not process
 * DOCTYPE entity definitions, so a reference to one is reported as an error (no billion laughs, no external fetch).
 */
import { resolve } from 'node:path';
import { SaxesParser } from 'saxes';
import { locateFailure } from './location.js';
import type { LocateOptions } from './location.js';
import { DEFAULT_LIMITS } from './model.js';
import type { ReportLimits, ReportWarning } from './model.js';
import type { TestCaseRecord, TestCollector } from './collector.js';
import { readTextChunks } from './read.js';
import { headOf } from './text.js';

export interface JUnitIngestOptions extends LocateOptions {
  /** Directory relative paths are resolved against (default: the process's cwd). Messages show `path` as given. */
  cwd?: string;
  /** Pipeline stage the file belongs to (e.g. `integration:critical`); part of each test's identity. */
  stage?: string;
  limits?: Partial<ReportLimits>;
  /** Whether another file will be ingested into the same collector after this one (enables cross-file dedup). */
  moreFilesFollow?: boolean;
}

export interface JUnitIngestResult {
  /** Test cases read from the file (including those read before an error). */
  testCases: number;
  bytes: number;
  warnings: ReportWarning[];
}

// Capture targets
const C_NONE = 0;
const C_FAILURE = 1; // failure or error: the final verdict's body
const C_FLAKY = 2; // flakyFailure / flakyError / rerunFailure / rerunError body
const C_OUT = 3; // system-out / system-err of the test case

class StopParsing extends Error {}

/** Parses one JUnit XML file into `collector`. Never throws for bad content: problems come back as warnings. */
export async function ingestJUnitFile(
  path: string,
  collector: TestCollector,
  opts: JUnitIngestOptions = {},
): Promise<JUnitIngestResult> {
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const warnings: ReportWarning[] = [];
  const stage = opts.stage;
  const locate: LocateOptions = { repoRoot: opts.repoRoot };
  const parser = new SaxesParser({ xmlns: false, position: true, fileName: path });

  let sawRoot = false;
  let notJUnit = false;
  let testCases = 0;
  const suiteNames: string[] = [];
  const suiteFiles: (string | undefined)[] = [];
  let inCase = false;
  let depthInCase = 0;
  let capture = C_NONE;
  let captureDepth = 0;
  let text = '';
  let outText = '';
  // per test case
  let cName = '';
  let cClass = '';
  let cFile: string | undefined;
  let cLine: string | undefined;
  let cTime = 0;
  let cFailures = 0;
  let cErrors = 0;
  let cSkipped = false;
  let cFlaky = 0;
  let cReruns = 0;
  let cMessage: string | undefined;
  let cType: string | undefined;
  let cFlakyMessage: string | undefined;
  let cFlakyText = '';
  let cFailText = '';

  const rec: TestCaseRecord = {
    stage,
    suite: '',
    classname: '',
    name: '',
    durationMs: 0,
    status: 'passed',
    message: '',
    details: '',
    output: '',
    failedAttempts: 0,
    source: path,
  };

  const parseTime = (raw: string | undefined): number => {
    if (raw === undefined || raw === '') return 0;
    let n = +raw;
    if (n !== n) n = +raw.replace(/,/g, '');
    return n >= 0 && n < 1e9 ? n * 1000 : 0;
  };

  parser.on('opentag', (tag) => {
    const name = tag.name;
    if (inCase) {
      depthInCase++;
      if (capture !== C_NONE) return; // elements nested in a captured element (e.g. Surefire's <stackTrace>)
      const a = tag.attributes;
      switch (name) {
        case 'failure':
        case 'error':
          if (name === 'failure') cFailures++;
          else cErrors++;
          if (cFailures + cErrors === 1) {
            // the first failure/error of the test case is the one shown (its message, type and body)
            cMessage = a.message;
            cType = a.type;
          }
          capture = C_FAILURE;
          captureDepth = depthInCase;
          text = '';
          return;
        case 'flakyFailure':
        case 'flakyError':
        case 'rerunFailure':
        case 'rerunError':
          if (name.startsWith('flaky')) cFlaky++;
          else cReruns++;
          cFlakyMessage = a.message ?? cFlakyMessage;
          if (cType === undefined) cType = a.type;
          capture = C_FLAKY;
          captureDepth = depthInCase;
          cFlakyText = '';
          text = '';
          return;
        case 'skipped':
          cSkipped = true;
          return;
        case 'system-out':
        case 'system-err':
          capture = C_OUT;
          captureDepth = depthInCase;
          return;
        default:
          return;
      }
    }
    if (name === 'testcase') {
      const a = tag.attributes;
      sawRoot = true;
      inCase = true;
      depthInCase = 0;
      cName = a.name ?? '';
      cClass = a.classname ?? a.class ?? '';
      cFile = a.file ?? a.filepath ?? suiteFiles[suiteFiles.length - 1];
      cLine = a.line ?? a.lineno;
      cTime = parseTime(a.time);
      cFailures = 0;
      cErrors = 0;
      cSkipped = false;
      cFlaky = 0;
      cReruns = 0;
      cMessage = undefined;
      cType = undefined;
      cFlakyMessage = undefined;
      cFlakyText = '';
      cFailText = '';
      text = '';
      outText = '';
      return;
    }
    if (name === 'testsuite') {
      sawRoot = true;
      const a = tag.attributes;
      suiteNames.push(a.name ?? a.package ?? '');
      suiteFiles.push(a.file ?? a.filepath ?? suiteFiles[suiteFiles.length - 1]);
      return;
    }
    if (!sawRoot) {
      sawRoot = true;
      if (name !== 'testsuites' && name !== 'testrun') {
        notJUnit = true;
        throw new StopParsing(`root element is <${name}>, not <testsuites> or <testsuite>`);
      }
    }
  });

  // Text and CDATA are the same to us: a failure's body, or a test's output (only its tail is kept).
  const onText = (t: string): void => {
    if (capture === C_NONE) return;
    if (capture === C_OUT) {
      outText += t;
      if (outText.length > limits.outputChars * 2) outText = outText.slice(outText.length - limits.outputChars);
    } else if (text.length < limits.detailsChars) {
      text += t.length > limits.detailsChars ? t.slice(0, limits.detailsChars) : t;
    }
  };
  parser.on('text', onText);
  parser.on('cdata', onText);

  parser.on('closetag', (tag) => {
    if (!inCase) {
      if (tag.name === 'testsuite') {
        suiteNames.pop();
        suiteFiles.pop();
      }
      return;
    }
    if (depthInCase > 0) {
      if (capture !== C_NONE && depthInCase === captureDepth) {
        if (capture === C_FLAKY) cFlakyText = text;
        else if (capture === C_FAILURE && cFailText === '') cFailText = text;
        capture = C_NONE;
      }
      depthInCase--;
      return;
    }
    // </testcase>
    inCase = false;
    emit();
  });

  function emit(): void {
    rec.suite = suiteNames.length > 0 ? (suiteNames[suiteNames.length - 1] as string) : '';
    rec.classname = cClass || cFile || '';
    rec.name = cName;
    rec.durationMs = cTime;
    rec.file = cFile;
    rec.line = undefined;
    rec.type = undefined;
    rec.message = '';
    rec.details = '';
    rec.output = '';
    rec.failedAttempts = 0;
    if (cErrors > 0 || cFailures > 0) {
      rec.status = cErrors > 0 ? 'errored' : 'failed';
      rec.failedAttempts = cErrors + cFailures + cReruns;
      if (collector.keepsDetails(false)) {
        fillFailure(cMessage, cFailText);
        rec.output = outText.length > limits.outputChars ? outText.slice(outText.length - limits.outputChars) : outText;
      }
    } else if (cFlaky > 0 || cReruns > 0) {
      // flaky attempts and no final failure: passed on a retry
      rec.status = 'flaky';
      rec.failedAttempts = cFlaky + cReruns;
      if (collector.keepsDetails(true)) fillFailure(cFlakyMessage, cFlakyText);
    } else if (cSkipped) {
      rec.status = 'skipped';
    } else {
      rec.status = 'passed';
    }
    collector.add(rec);
    testCases++;
  }

  function fillFailure(message: string | undefined, body: string): void {
    const details = body.trim();
    let msg = message?.trim() ?? '';
    if (msg === '') {
      const nl = details.indexOf('\n');
      msg = nl >= 0 ? details.slice(0, nl) : details;
    }
    rec.message = headOf(msg, limits.messageChars);
    rec.details = headOf(details, limits.detailsChars);
    rec.type = cType;
    const loc = locateFailure(details, { file: cFile, line: cLine }, locate);
    rec.file = loc.file;
    rec.line = loc.line;
  }

  collector.beginFile(path, opts.moreFilesFollow ?? false);
  let bytes = 0;
  let failure: string | undefined;
  let ioError = false;
  try {
    const res = readTextChunks(opts.cwd ? resolve(opts.cwd, path) : path, (chunk) => {
      parser.write(chunk);
    });
    bytes = res.bytes;
    if (res.invalidUtf8At >= 0) {
      warnings.push({
        file: path,
        message: `${path}: invalid UTF-8 in the 1 MiB block starting at byte ${res.invalidUtf8At}; the bad bytes were replaced by U+FFFD`,
        hint: 'Make the test reporter write UTF-8 (check the encoding of test names and captured output).',
      });
    }
    if (bytes === 0) {
      failure = 'empty file (0 bytes)';
    } else {
      parser.close();
    }
  } catch (err) {
    failure = describe(err);
    ioError = typeof (err as NodeJS.ErrnoException)?.code === 'string';
  } finally {
    collector.endFile();
  }
  if (failure !== undefined) {
    if (bytes === 0 && failure === 'empty file (0 bytes)') {
      warnings.push({
        file: path,
        message: `${path}: empty file (0 bytes), no test results in it`,
        hint: 'The test runner wrote no report: no test ran (check the stage log and the test include patterns) or it crashed before writing.',
      });
    } else if (ioError) {
      warnings.push({
        file: path,
        message: `${path}: cannot read: ${failure}`,
        hint: 'Check the path, and that the stage which writes this report ran (see its log).',
      });
    } else if (notJUnit) {
      warnings.push({
        file: path,
        message: `${path}: not a JUnit XML report (${failure}); ignored`,
        hint: 'Pass only JUnit XML files (e.g. vitest --reporter=junit, jest-junit, pytest --junitxml).',
      });
    } else {
      const kept = testCases > 0 ? `; the ${testCases} test case(s) read before the error are included` : '';
      warnings.push({
        file: path,
        message: `${path}: malformed XML: ${failure}${kept}`,
        hint: 'The report is truncated or invalid: check that the test run finished (timeouts, crashes, disk full) and that the reporter writes valid XML.',
      });
    }
    if (testCases === 0) collector.forgetFile(path);
  } else if (!sawRoot) {
    warnings.push({ file: path, message: `${path}: no <testsuites>/<testsuite> element`, hint: 'Pass only JUnit XML files.' });
    collector.forgetFile(path);
  }
  return { testCases, bytes, warnings };
}

function describe(err: unknown): string {
  if (err instanceof StopParsing) return err.message;
  const e = err as NodeJS.ErrnoException;
  if (e && typeof e === 'object' && typeof e.code === 'string') {
    if (e.code === 'ENOENT') return 'file not found';
    if (e.code === 'EISDIR') return 'is a directory';
    if (e.code === 'EACCES') return 'permission denied';
    return `${e.code}: ${e.message}`;
  }
  const msg = err instanceof Error ? err.message : String(err);
  return headOf(msg.split('\n')[0] ?? msg, 500);
}
