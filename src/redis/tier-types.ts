/** Types TierIO shares with its callers (apart, so tier-io.ts stays a readable size). */
import type { Snapshot } from '../core/values.js';
import type { WritePlan } from '../core/write-plan.js';

/** Hit, miss and write counts of a two-tier cache. */
export class CacheCounters {
  l1Hits = 0;
  redisHits = 0;
  misses = 0;
  sets = 0;
  deletes = 0;
}

/** See OwnScriptWrites: `expect` answers whether the write's echo will be watched for. */
export interface ScriptWriteWatch {
  expect(key: string): boolean;
  cancel(key: string): void;
}

/** One value to write: validated (and copied when L1 keeps it), with its TTL plan. */
export interface PlannedWrite {
  key: string;
  snapshot: Snapshot;
  plan: WritePlan;
}
