/**
 * The critical path of a finished run: the longest chain of stage durations through the graph's edges. Wall time
 * minus this is the engine's own overhead (scheduling, process start-up between stages, report writing).
 */
import type { StageResult } from '../types.js';
import type { StageDefinition } from './scheduler.js';

export function criticalPathMs(graph: Pick<StageDefinition, 'id' | 'needs' | 'after'>[], results: Pick<StageResult, 'id' | 'durationMs'>[]): number {
  const duration = new Map(results.map((r) => [r.id, r.durationMs]));
  const byId = new Map(graph.map((s) => [s.id, s]));
  const memo = new Map<string, number>();
  const finish = (id: string): number => {
    const known = memo.get(id);
    if (known !== undefined) return known;
    const s = byId.get(id);
    const deps = s ? [...(s.needs ?? []), ...(s.after ?? [])] : [];
    const value = (duration.get(id) ?? 0) + Math.max(0, ...deps.map(finish));
    memo.set(id, value);
    return value;
  };
  return Math.max(0, ...graph.map((s) => finish(s.id)));
}
