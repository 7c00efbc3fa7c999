/**
 * The job summary: GitHub drops a step summary larger than 1 MiB, so whatever we append stays under that, with the
 * reporting notes (what was skipped and why) always kept at the end.
 */
export const MAX_SUMMARY_BYTES = 1024 * 1024;

function clipUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return text;
  let end = maxBytes;
  // Back up to the start of a UTF-8 sequence so no character is cut in half.
  while (end > 0 && ((bytes[end] ?? 0) & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}

export function notesSection(notes: string[]): string {
  if (notes.length === 0) return '';
  return `\n\n### Reporting notes\n\n${notes.map((n) => `- ${n.replace(/\r?\n/g, ' ')}`).join('\n')}\n`;
}

/** summary.md (or a fallback) plus the notes, within `maxBytes` (default 1 MiB) with a little room to spare. */
export function boundedSummary(markdown: string, notes: string[], maxBytes: number = MAX_SUMMARY_BYTES): string {
  const tail = clipUtf8(notesSection(notes), Math.floor(maxBytes / 4));
  const cutNote = '\n\n_…summary truncated to stay under GitHub’s 1 MiB job-summary limit; report.html has everything._\n';
  const room = maxBytes - 1024 - Buffer.byteLength(tail) - Buffer.byteLength(cutNote);
  const body = Buffer.byteLength(markdown) + Buffer.byteLength(tail) <= maxBytes - 1024 ? markdown : clipUtf8(markdown, room) + cutNote;
  return body + tail;
}
