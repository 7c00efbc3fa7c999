/** Small text helpers shared by the readers and renderers. */

/** The first `max` characters of `s`, with a marker saying how much was cut. */
export function headOf(s: string, max: number): string {
  if (s.length <= max) return s;
  const marker = `… [${s.length - max} more characters truncated]`;
  return s.slice(0, Math.max(0, max - marker.length)) + marker;
}

/** The last `max` characters of `s`, with a marker saying how much was cut. */
export function tailOf(s: string, max: number): string {
  if (s.length <= max) return s;
  const marker = `[${s.length - max} earlier characters truncated] …`;
  return marker + s.slice(s.length - Math.max(0, max - marker.length));
}

/** Formats milliseconds for humans: `850 ms`, `12.3 s`, `4 min 05 s`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return 'n/a';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const totalS = Math.round(ms / 1000);
  const m = Math.floor(totalS / 60);
  const s = totalS % 60;
  return `${m} min ${String(s).padStart(2, '0')} s`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&#39;'));
}

/** Percentage with up to two decimals. */
export function pct(n: number): string {
  return `${Math.round(n * 100) / 100}%`;
}
