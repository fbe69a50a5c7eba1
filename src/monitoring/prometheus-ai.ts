import { Counter, Histogram, type Registry } from 'prom-client';
import { canReportAI, type AIOperationFigures as AIFigures } from '../core/capabilities.js';
import type { MonitoredCache } from './performance-monitor.js';

/** Durations of AI computes (an LLM call, a whole stream) in seconds, 10 ms to 5 minutes. */
export const AI_COMPUTE_BUCKETS_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300];

type Attached = () => Iterable<{ cache: MonitoredCache; namespace: string }>;

/**
 * Per-operation AI series. The counters are read from the AI caches at scrape time (they are counters
 * there already, bounded to 256 operation names); the compute duration histogram follows the caches'
 * `aiCompute` events, whose operation label is bounded the same way.
 */
export class AISeries {
  readonly #duration: Histogram<'operation' | 'kind' | 'outcome' | 'namespace'>;

  constructor(registry: Registry, prefix: string, attached: Attached) {
    const registers = [registry];
    const fields = {
      ai_requests_total: ['AI cache requests by operation', (p) => p.requests],
      ai_hits_total: ['AI cache hits by operation', (p) => p.hits],
      ai_misses_total: ['AI cache misses (computes started) by operation', (p) => p.misses],
      ai_compute_seconds_total: ['Time spent computing AI responses (misses)', (p) => p.computeTimeMs / 1000],
      ai_time_saved_seconds_total: ['Compute time saved by AI cache hits', (p) => p.timeSavedMs / 1000],
      ai_stream_replays_total: [
        'Streamed AI requests answered without their own upstream call (a stored or in-flight recording)',
        (p) => p.streamReplays ?? 0,
      ],
      ai_cost_saved_total: [
        "Money AI cache hits saved, in the currency of the cache's price table (caches with one only)",
        (p) => p.costSaved,
      ],
      ai_semantic_hits_total: [
        'AI requests answered by a near-identical stored request (semantic matching; also in ai_hits_total)',
        (p) => p.semanticHits,
      ],
      ai_semantic_rejected_by_guard_total: [
        'Semantic candidates that cleared the similarity threshold but were vetoed by the guard',
        (p) => p.semanticRejectedByGuard,
      ],
      ai_tokens_saved_total: ['Tokens saved by AI cache hits, by kind', undefined],
    } as const satisfies Record<
      string,
      readonly [string, ((p: AIFigures) => number | undefined) | undefined]
    >;
    for (const [name, [help, read]] of Object.entries(fields)) {
      const tokens = read === undefined;
      const metric: Counter<string> = new Counter({
        name: prefix + name,
        help,
        labelNames: tokens ? ['operation', 'kind', 'namespace'] : ['operation', 'namespace'],
        registers,
        collect: () => {
          metric.reset(); // the AI cache keeps the totals; a scrape copies them
          for (const { cache, namespace } of attached()) {
            if (!canReportAI(cache)) continue;
            for (const [operation, p] of Object.entries(cache.getOperationPerformance())) {
              if (read) {
                const value = read(p);
                if (value !== undefined) metric.inc({ operation, namespace }, value);
              } else {
                metric.inc({ operation, kind: 'input', namespace }, p.tokensSaved.inputTokens);
                metric.inc({ operation, kind: 'output', namespace }, p.tokensSaved.outputTokens);
              }
            }
          }
        },
      });
    }
    this.#duration = new Histogram({
      name: `${prefix}ai_compute_duration_seconds`,
      help: 'AI computes (getOrCompute misses, recorded streams) by operation, kind and outcome',
      labelNames: ['operation', 'kind', 'outcome', 'namespace'],
      buckets: AI_COMPUTE_BUCKETS_SECONDS,
      registers,
    });
  }

  /** Follows one cache's AI computes; returns the unsubscribe function. */
  attach(cache: MonitoredCache, namespace: string): () => void {
    return cache.on('aiCompute', (e) =>
      this.#duration.observe(
        { operation: e.operation, kind: e.kind, outcome: e.outcome, namespace },
        e.durationMs / 1000,
      ),
    );
  }
}
