/** shard.json: what a sharded run writes into its report folder so the merge knows which shard (and attempt) it is. */
import { z } from 'zod';

export const SHARD_MANIFEST = 'shard.json';
/** The load gate (GateReport) a sharded run's shard 1 keeps in load/, for the merged report. */
export const SHARD_GATE_FILE = 'gate.json';

export const shardManifestSchema = z.object({
  version: z.literal(1),
  index: z.number().int().min(1),
  total: z.number().int().min(1),
  /** GITHUB_RUN_ATTEMPT of the job (1 locally): a re-run shard replaces its earlier attempt's results. */
  attempt: z.number().int().min(1),
  /** ISO time the shard started: among equal attempts, the later one wins. */
  startedAt: z.string(),
  files: z.array(z.string()),
  expectedMs: z.number().nonnegative(),
});

export type ShardManifest = z.infer<typeof shardManifestSchema>;
