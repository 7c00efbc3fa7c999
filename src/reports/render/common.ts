/** Helpers shared by the renderers: names, links, escaping for markdown. */
import type { StageStatus } from '../../types.js';
import type { ReportMeta, SourceLocation, TestIdentity } from '../model.js';

export const STAGE_ICON: Record<StageStatus, string> = {
  passed: '✅',
  failed: '❌',
  skipped: '⏭️',
  'timed-out': '⏱️',
  cancelled: '🚫',
};

/**
 * `stage › classname › name`. The classname is left out when it is just the test’s file (vitest, jest) since the
 * location is shown next to it, or when the name already contains it (jest, mocha).
 */
export function testTitle(t: TestIdentity & { file?: string }): string {
  const parts: string[] = [];
  if (t.stage) parts.push(t.stage);
  const cls = t.classname;
  if (cls && cls !== t.file && !t.name.includes(cls) && !(t.file && t.file.endsWith(cls))) parts.push(cls);
  parts.push(t.name || '(unnamed test)');
  return parts.join(' › ');
}

/** Message and details as one text, without repeating the message when the details already start with it. */
export function failureText(message: string, details: string): string {
  if (!details || details === message) return message;
  if (!message) return details;
  const firstLine = details.slice(0, Math.min(details.length, message.length + 200)).split('\n')[0] ?? '';
  return firstLine.includes(message) ? details : `${message}\n\n${details}`;
}

export function locationText(l: SourceLocation): string | undefined {
  if (!l.file) return undefined;
  return l.line ? `${l.file}:${l.line}` : l.file;
}

/** A link to the source when `meta.blobUrl` is set. */
export function locationUrl(meta: ReportMeta, l: SourceLocation): string | undefined {
  if (!meta.blobUrl || !l.file) return undefined;
  const base = meta.blobUrl.endsWith('/') ? meta.blobUrl.slice(0, -1) : meta.blobUrl;
  const path = l.file.split('/').map(encodeURIComponent).join('/');
  return `${base}/${path}${l.line ? `#L${l.line}` : ''}`;
}

/** Escapes text for a markdown table cell or inline position: no HTML, no pipes, one line. */
export function mdInline(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\|/g, '\\|')
    .replace(/([\\`*_[\]~])/g, '\\$1');
}

/** Length of the longest run of backticks in `text` (a fence or code span must be longer). */
function longestBacktickRun(text: string): number {
  let longest = 0;
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) === 96) {
      run++;
      if (run > longest) longest = run;
    } else run = 0;
  }
  return longest;
}

/** A fenced code block whose fence is longer than any backtick run inside. */
export function codeBlock(text: string, lang = 'text'): string {
  const longest = longestBacktickRun(text);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${lang}\n${text}\n${fence}`;
}

/** The first `maxLines` lines of `text`, with a note when lines were cut. */
export function firstLines(text: string, maxLines: number): string {
  let idx = -1;
  for (let i = 0; i < maxLines; i++) {
    idx = text.indexOf('\n', idx + 1);
    if (idx < 0) return text;
  }
  const rest = text.slice(idx + 1).split('\n').length;
  return `${text.slice(0, idx)}\n… ${rest} more line(s)`;
}

/** An inline code span (safe in table cells): backtick fence longer than any run inside, pipes escaped. */
export function mdCode(s: string): string {
  const text = s.replace(/[\r\n]+/g, ' ').replace(/\|/g, '\\|');
  const longest = longestBacktickRun(text);
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}
