import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createProgress, formatSeconds } from '../../src/cli/progress.js';

describe('live progress', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(0);
  });
  afterEach(() => vi.useRealTimers());

  it('prints a line per stage start and end, and every interval the running stages with their latest output', () => {
    const lines: string[] = [];
    const lastLine = new Map<string, string>();
    const p = createProgress({ write: (l) => lines.push(l), color: false, lastLine, intervalMs: 10_000, mask: (t) => t.replace('hunter2', '***') });
    p.onEvent({ type: 'start', id: 'integration:critical', title: 'Integration (critical)', atMs: 0 });
    lastLine.set('integration:critical', '\u001b[32m ✓ test/users.test.ts (11 tests) password=hunter2\u001b[39m');
    vi.advanceTimersByTime(10_000);
    p.onEvent({
      type: 'end',
      result: { id: 'integration:critical', title: 'Integration (critical)', status: 'failed', durationMs: 12_500, reason: 'exit 1', required: true },
    });
    vi.advanceTimersByTime(10_000);
    p.stop();
    expect(lines).toEqual([
      '▶ Integration (critical)',
      '  … running: integration:critical 10s · ✓ test/users.test.ts (11 tests) password=***',
      '✖ Integration (critical) failed 13s — exit 1',
    ]);
  });

  it('formats short durations with a decimal and long ones in whole seconds', () => {
    expect(formatSeconds(1234)).toBe('1.2s');
    expect(formatSeconds(65_400)).toBe('65s');
  });
});
