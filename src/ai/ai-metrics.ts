import type { Recommendation } from '../core/types.js';
import { RingBuffer } from '../core/ring-buffer.js';
import { round2, summarize, type DurationSummary } from '../core/statistics.js';
import { TEXT_TIERS, type TextTier } from './text-tiers.js';

/** Tokens a compute reported (or a hit saved). */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
}

/** Figures for one AI operation. */
export interface OperationPerformance {
  requests: number;
  hits: number;
  misses: number;
  /** 0–100 */
  hitRate: number;
  computes: number;
  computeErrors: number;
  /** Latency of `compute` calls (ms), over the last samples. */
  compute: DurationSummary;
  /** Time spent in every `compute` call since the start or the last reset (ms): a true total. */
  computeTimeMs: number;
  /** Latency of `getOrCompute` when served from cache (ms), from one hit in 64. */
  hit: DurationSummary;
  timeSavedMs: number;
  tokensSaved: TokenUsage;
  /** Stream requests answered without their own upstream call (a stored or in-flight recording). */
  streamReplays: number;
  /** Money the hits saved, from the `prices` table and the request's `model`; set when there is a table. */
  costSaved?: number;
  /** Requests answered by a near-identical stored request (semantic matching; counted in `hits` too). */
  semanticHits: number;
  /** Candidates that cleared the similarity threshold but were vetoed by the guard. */
  semanticRejectedByGuard: number;
}

export interface TierStatistics {
  requests: number;
  hits: number;
  misses: number;
  hitRate: number;
  /** Share of all requests, 0–100. */
  sharePercent: number;
}

interface OperationCounters {
  /** The name it is filed under (`OTHER_OPERATIONS` past the bound). */
  name: string;
  hits: number;
  misses: number;
  computes: number;
  computeErrors: number;
  timeSavedMs: number;
  computeTimeMs: number;
  tokensSaved: TokenUsage;
  streamReplays: number;
  costSaved: number;
  semanticHits: number;
  semanticRejectedByGuard: number;
  computeMs: RingBuffer<number>;
  hitMs: RingBuffer<number>;
}

const rate = (hits: number, total: number): number => (total === 0 ? 0 : round2((hits / total) * 100));

/** Real counters behind the AI summaries (SPEC §5). Latency samples are bounded ring buffers. */
/** `getAIPerformanceSummary()`: totals over every operation. */
export interface AIPerformanceSummary {
  totalRequests: number;
  hits: number;
  misses: number;
  /** 0–100 */
  hitRate: number;
  computes: number;
  computeErrors: number;
  timeSavedMs: number;
  tokensSaved: TokenUsage & { totalTokens: number };
  streamReplays: number;
  semanticHits: number;
  semanticRejectedByGuard: number;
  /** Requests this process has in its semantic index (set when `semantic` is on). */
  semanticIndexed?: number;
  /** Set when the cache has a `prices` table. */
  costSaved?: number;
  operations: string[];
  recommendations: Recommendation[];
}

/** Distinct operation names tracked at most; others are counted under `OTHER_OPERATIONS`. */
export const MAX_TRACKED_OPERATIONS = 256;
export const OTHER_OPERATIONS = '(other)';

export class AIMetrics {
  readonly #operations = new Map<string, OperationCounters>();
  readonly #tiers = new Map<TextTier, { hits: number; misses: number }>(
    TEXT_TIERS.map((t) => [t, { hits: 0, misses: 0 }]),
  );
  readonly #compressionRatios = new RingBuffer<number>(1000);
  #lastName: string | undefined;
  #lastOp: OperationCounters | undefined;

  /** `priced`: the cache has a price table, so the figures carry `costSaved`. */
  constructor(
    private readonly priced = false,
    private readonly maxSamples = 1000,
  ) {}

  /** `hitMs` is undefined for hits that were not timed (hit latency is sampled). */
  recordHit(
    operation: string,
    tier: TextTier,
    hitMs: number | undefined,
    savedMs: number,
    inputTokens = 0,
    outputTokens = 0,
    cost = 0,
  ): void {
    const op = this.#op(operation);
    op.hits++;
    if (hitMs !== undefined) op.hitMs.push(hitMs);
    op.timeSavedMs += savedMs;
    op.tokensSaved.inputTokens += inputTokens;
    op.tokensSaved.outputTokens += outputTokens;
    op.costSaved += cost;
    (this.#tiers.get(tier) as { hits: number }).hits++;
  }

  recordSemanticHit(operation: string): void {
    this.#op(operation).semanticHits++;
  }

  recordSemanticRejected(operation: string): void {
    this.#op(operation).semanticRejectedByGuard++;
  }

  recordStreamReplay(operation: string): void {
    this.#op(operation).streamReplays++;
  }

  /** The name an operation's figures are filed under: itself, or `OTHER_OPERATIONS` past the bound. */
  nameOf(operation: string): string {
    return this.#op(operation).name;
  }

  recordMiss(operation: string, tier: TextTier): void {
    this.#op(operation).misses++;
    (this.#tiers.get(tier) as { misses: number }).misses++;
  }

  recordCompute(operation: string, computeMs: number): void {
    const op = this.#op(operation);
    op.computes++;
    op.computeTimeMs += computeMs;
    op.computeMs.push(computeMs);
  }

  recordComputeError(operation: string): void {
    this.#op(operation).computeErrors++;
  }

  recordCompression(originalBytes: number, compressedBytes: number): void {
    if (originalBytes > 0) this.#compressionRatios.push(compressedBytes / originalBytes);
  }

  /** Totals over every operation (the summary without its recommendations). */
  totals(): Omit<AIPerformanceSummary, 'recommendations'> {
    const operations = this.operationPerformance();
    const perf = Object.values(operations);
    const sum = (pick: (op: OperationPerformance) => number) =>
      perf.reduce((total, op) => total + pick(op), 0);
    const hits = sum((op) => op.hits);
    const misses = sum((op) => op.misses);
    const inputTokens = sum((op) => op.tokensSaved.inputTokens);
    const outputTokens = sum((op) => op.tokensSaved.outputTokens);
    return {
      totalRequests: hits + misses,
      hits,
      misses,
      hitRate: hits + misses === 0 ? 0 : Math.round((hits / (hits + misses)) * 10_000) / 100,
      computes: sum((op) => op.computes),
      computeErrors: sum((op) => op.computeErrors),
      timeSavedMs: Math.round(sum((op) => op.timeSavedMs) * 100) / 100,
      tokensSaved: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
      streamReplays: sum((op) => op.streamReplays),
      semanticHits: sum((op) => op.semanticHits),
      semanticRejectedByGuard: sum((op) => op.semanticRejectedByGuard),
      ...(this.priced && { costSaved: sum((op) => op.costSaved ?? 0) }),
      operations: Object.keys(operations),
    };
  }

  operationPerformance(): Record<string, OperationPerformance> {
    const out: Record<string, OperationPerformance> = {};
    for (const [name, op] of [...this.#operations].sort(([a], [b]) => a.localeCompare(b))) {
      out[name] = {
        requests: op.hits + op.misses,
        hits: op.hits,
        misses: op.misses,
        hitRate: rate(op.hits, op.hits + op.misses),
        computes: op.computes,
        computeErrors: op.computeErrors,
        compute: summarize(op.computeMs.toArray()),
        computeTimeMs: round2(op.computeTimeMs),
        hit: summarize(op.hitMs.toArray()),
        timeSavedMs: round2(op.timeSavedMs),
        tokensSaved: { ...op.tokensSaved },
        streamReplays: op.streamReplays,
        ...(this.priced && { costSaved: op.costSaved }),
        semanticHits: op.semanticHits,
        semanticRejectedByGuard: op.semanticRejectedByGuard,
      };
    }
    return out;
  }

  tierStatistics(): Record<TextTier, TierStatistics> {
    const total = [...this.#tiers.values()].reduce((sum, t) => sum + t.hits + t.misses, 0);
    const out = {} as Record<TextTier, TierStatistics>;
    for (const [tier, t] of this.#tiers) {
      const requests = t.hits + t.misses;
      out[tier] = {
        requests,
        hits: t.hits,
        misses: t.misses,
        hitRate: rate(t.hits, requests),
        sharePercent: rate(requests, total),
      };
    }
    return out;
  }

  /** Mean compressed/original ratio over recent compressions and how many there were. */
  compression(): { samples: number; avgRatio: number } {
    const ratios = this.#compressionRatios.toArray();
    return {
      samples: ratios.length,
      avgRatio: ratios.length === 0 ? 0 : ratios.reduce((a, b) => a + b, 0) / ratios.length,
    };
  }

  reset(): void {
    this.#operations.clear();
    this.#lastOp = this.#lastName = undefined;
    for (const tier of this.#tiers.values()) tier.hits = tier.misses = 0;
    this.#compressionRatios.clear();
  }

  #op(operation: string): OperationCounters {
    // A service sends runs of the same operation: the last one is found without a Map lookup.
    if (operation === this.#lastName && this.#lastOp) return this.#lastOp;
    let op = this.#operations.get(operation);
    // Bounded: past the limit, new names share one entry (operation names may come from user input).
    if (!op && this.#operations.size >= MAX_TRACKED_OPERATIONS && operation !== OTHER_OPERATIONS)
      return this.#op(OTHER_OPERATIONS);
    if (!op) {
      op = {
        name: operation,
        hits: 0,
        misses: 0,
        computes: 0,
        computeErrors: 0,
        timeSavedMs: 0,
        computeTimeMs: 0,
        tokensSaved: { inputTokens: 0, outputTokens: 0 },
        streamReplays: 0,
        costSaved: 0,
        semanticHits: 0,
        semanticRejectedByGuard: 0,
        computeMs: new RingBuffer(this.maxSamples),
        hitMs: new RingBuffer(this.maxSamples),
      };
      this.#operations.set(operation, op);
    }
    this.#lastName = operation;
    this.#lastOp = op;
    return op;
  }
}
