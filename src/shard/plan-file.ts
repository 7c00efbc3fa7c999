/** Reads a plan written by `backend-ci plan --json` (the workflow's plan job hands it to the shard jobs). */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { PLAN_VERSION, type ShardPlan } from './plan.js';

const planSchema = z.object({
  version: z.literal(PLAN_VERSION),
  total: z.number().int().min(1),
  shards: z.array(z.object({ index: z.number().int().min(1), files: z.array(z.string().min(1)), expectedMs: z.number().nonnegative() })),
  unknown: z.array(z.string()).default([]),
  unknownMs: z.number().nonnegative().default(0),
});

export class PlanFileError extends Error {
  override name = 'PlanFileError';
}

export function parsePlan(text: string, label: string): ShardPlan {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new PlanFileError(`${label}: not valid JSON (${(e as Error).message}); write it with "backend-ci plan --json"`);
  }
  // `backend-ci plan --json` prints {plan, matrix}; accept that or the bare plan.
  const candidate = json && typeof json === 'object' && 'plan' in json ? (json as { plan: unknown }).plan : json;
  const parsed = planSchema.safeParse(candidate);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new PlanFileError(`${label}: ${issue?.path.join('.') || '(top level)'}: ${issue?.message ?? 'invalid'}; write it with "backend-ci plan --json"`);
  }
  const plan = parsed.data as ShardPlan;
  const indexes = plan.shards.map((s) => s.index).sort((a, b) => a - b);
  if (indexes.length !== plan.total || indexes.some((ix, i) => ix !== i + 1)) {
    throw new PlanFileError(`${label}: the plan has shards [${indexes.join(', ')}] but total ${plan.total}; write it again with "backend-ci plan --json"`);
  }
  const seen = new Set<string>();
  for (const s of plan.shards) {
    for (const f of s.files) {
      if (seen.has(f)) throw new PlanFileError(`${label}: "${f}" is in more than one shard; write the plan again with "backend-ci plan --json"`);
      seen.add(f);
    }
  }
  return plan;
}

export async function readPlan(path: string): Promise<ShardPlan> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new PlanFileError(`${path}: cannot be read (${(e as Error).message}); pass the file "backend-ci plan --json" wrote`);
  }
  return parsePlan(text, path);
}
