import { lifetimeOfSeconds } from '../core/duration.js';
import type { AIComputeEvent } from '../core/events.js';
import { hrtimeMs } from '../core/options.js';
import type { CacheInterface } from '../core/types.js';
import {
  isCacheable,
  isStoredEntry,
  splitUsage,
  wrapEntry,
  type ComputeResult,
  type StoredAIEntry,
} from './ai-entry.js';
import type { AIMetrics } from './ai-metrics.js';
import { COMPUTE_LOCK_TIMEOUT } from './ai-request.js';
import type { TextTier } from './text-tiers.js';

/** What the AI cache lends its computes and streams: its composed cache, counters, TTL and price rules. */
export interface ComputeHost {
  readonly cache: CacheInterface;
  readonly metrics: AIMetrics;
  /** A fresh value held in process, synchronously, or undefined. */
  peek(key: string): unknown;
  /** Seconds. */
  ttlFor(operation: string): number;
  /** Money the tokens cost under the price table (0 without one, or for a model it does not list). */
  costOf(model: string | undefined, inputTokens: number, outputTokens: number): number;
  announce(event: AIComputeEvent): void;
}

/** A request's key and what its figures are filed under. */
export interface Lookup {
  key: string;
  operation: string;
  tier: TextTier;
  model: string | undefined;
  /** When the lookup started, for the sampled hit latency; 0 = not timed. */
  started: number;
}

/** Counts a hit (with the time, tokens and money it saved) and returns its value. */
export function hitValue<T>(host: ComputeHost, lookup: Lookup, stored: unknown): T {
  const { operation, tier, started } = lookup;
  const hitMs = started ? hrtimeMs() - started : undefined;
  if (!isStoredEntry(stored)) {
    host.metrics.recordHit(operation, tier, hitMs, 0);
    return stored as T;
  }
  const cost = stored.it === undefined ? 0 : host.costOf(lookup.model, stored.it, stored.ot ?? 0);
  host.metrics.recordHit(operation, tier, hitMs, stored.ms, stored.it, stored.ot, cost);
  return stored.v as T;
}

/**
 * A miss in process: the composed cache's `getOrSet` runs the compute, so it gets the cache's whole
 * single-flight (in process and, on Redis, across instances), its re-read inside the flight and its fill
 * fencing. What must not be cached is skipped through the factory context.
 */
export async function computeMiss<T>(
  host: ComputeHost,
  lookup: Lookup,
  compute: () => Promise<ComputeResult<T>> | ComputeResult<T>,
  ttlMs: number | undefined,
): Promise<T> {
  const { key, operation, tier } = lookup;
  const { metrics } = host;
  let computed = false;
  const stored = await host.cache.getOrSet<StoredAIEntry | undefined>(
    key,
    async (context) => {
      computed = true;
      metrics.recordMiss(operation, tier);
      const computeStarted = hrtimeMs();
      const announce = (outcome: AIComputeEvent['outcome']): void =>
        host.announce({
          operation: metrics.nameOf(operation),
          kind: 'value',
          durationMs: hrtimeMs() - computeStarted,
          outcome,
        });
      let result: ComputeResult<T>;
      try {
        result = await compute();
      } catch (error) {
        metrics.recordComputeError(operation);
        announce('error');
        throw error;
      }
      const computeMs = hrtimeMs() - computeStarted;
      const { value, usage } = splitUsage(result);
      metrics.recordCompute(operation, computeMs);
      const cacheable = isCacheable(value);
      // A cache that passes no context (not one of tiercache's) stores what it gets, as before.
      if (!cacheable) context?.skip();
      announce(cacheable ? 'stored' : 'skipped');
      return value === undefined ? undefined : wrapEntry(value, computeMs, usage);
    },
    {
      ttl: lifetimeOfSeconds(ttlMs === undefined ? host.ttlFor(operation) : ttlMs / 1000),
      lockTimeout: COMPUTE_LOCK_TIMEOUT,
    },
  );
  if (computed) return (stored === undefined ? undefined : stored.v) as T;
  // Read from Redis, or answered by a compute that another caller or instance ran: a hit.
  return hitValue<T>(host, lookup, stored);
}
