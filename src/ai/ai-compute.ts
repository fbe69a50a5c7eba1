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
import type { SemanticMatcher, SemanticRequest } from './semantic/semantic-matcher.js';
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
  /** Entries that answered as a near-identical request's (semantic hits), to tell every caller so. */
  readonly semanticAnswers: WeakMap<object, { matchedKey: string; similarity: number }>;
}

/** What `getOrComputeResult` answers: the value and where it came from. */
export interface AIResult<T> {
  value: T;
  /** `cache`: this request's own entry; `semantic`: a near-identical request's (semantic matching); `compute`: computed for this call. */
  source: 'cache' | 'semantic' | 'compute';
  /** This request's key. */
  key: string;
  /** The key whose entry answered a semantic hit (for auditing). */
  matchedKey?: string;
  /** Cosine similarity of a semantic hit. */
  similarity?: number;
}

/** Semantic matching for one request: the matcher and where the request falls in its index. */
export interface SemanticStep {
  matcher: SemanticMatcher;
  request: SemanticRequest;
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

/** Counts a hit (with the time, tokens and money it saved) and says where it came from. */
export function hitResult<T>(host: ComputeHost, lookup: Lookup, stored: unknown): AIResult<T> {
  const value = hitValue<T>(host, lookup, stored);
  const semantic =
    typeof stored === 'object' && stored !== null ? host.semanticAnswers.get(stored) : undefined;
  if (semantic === undefined) return { value, source: 'cache', key: lookup.key };
  // Counted per caller, as hits are: every caller of the flight got the near-identical request's answer.
  host.metrics.recordSemanticHit(lookup.operation);
  return { value, source: 'semantic', key: lookup.key, ...semantic };
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
 * fencing. What must not be cached is skipped through the factory context. With semantic matching, the
 * flight first looks for a near-identical stored request (docs/semantic-cache.md): its entry answers every
 * caller of the flight and is not stored under this key.
 */
export async function computeMiss<T>(
  host: ComputeHost,
  lookup: Lookup,
  compute: () => Promise<ComputeResult<T>> | ComputeResult<T>,
  ttlMs: number | undefined,
  semantic?: SemanticStep,
): Promise<AIResult<T>> {
  const { key, operation, tier } = lookup;
  const { metrics } = host;
  const lifetimeMs = ttlMs ?? host.ttlFor(operation) * 1000;
  let computed = false;
  let vector: Float32Array | undefined;
  const stored = await host.cache.getOrSet<StoredAIEntry | undefined>(
    key,
    async (context) => {
      // A cache that passes no context could not be told to skip the answer: it would store a copy under
      // this key, which outlives the matched entry. No semantic lookup there.
      if (semantic && context) {
        const match = await semantic.matcher.match(semantic.request);
        if (match.hit) {
          context.skip();
          // A copy: this flight's callers are told "semantic", not later exact hits of the matched entry.
          const answer = { ...match.entry };
          host.semanticAnswers.set(answer, { matchedKey: match.matchedKey, similarity: match.similarity });
          return answer;
        }
        vector = match.vector;
      }
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
      if (!cacheable) vector = undefined;
      const block =
        semantic && vector ? semantic.matcher.blockFor(semantic.request, vector, lifetimeMs) : undefined;
      return value === undefined ? undefined : wrapEntry(value, computeMs, usage, block);
    },
    { ttl: lifetimeOfSeconds(lifetimeMs / 1000), lockTimeout: COMPUTE_LOCK_TIMEOUT },
  );
  if (computed) {
    // Indexed once stored, so that a listed key has an entry (a fenced store leaves a listing that misses).
    if (semantic && vector) await semantic.matcher.record(semantic.request, vector, lifetimeMs);
    return { value: (stored === undefined ? undefined : stored.v) as T, source: 'compute', key };
  }
  // Read from Redis, or answered by a compute (or a semantic match) that another caller or instance ran.
  return hitResult<T>(host, lookup, stored);
}
