import type { CacheInterface, CacheStats, Recommendation } from '../core/types.js';
import type { AIMetrics, OperationPerformance, TierStatistics } from './ai-metrics.js';
import type { TextTier } from './text-tiers.js';

export interface AIRecommendationInput {
  operations: Record<string, OperationPerformance>;
  tiers: Record<TextTier, TierStatistics>;
  operationTtls: Record<string, number>;
  defaultTtl: number;
  /** L1 utilization 0–100, when the cache has an L1. */
  l1UtilizationPercent: number | undefined;
  compression: { samples: number; avgRatio: number };
}

const MIN_REQUESTS = 10;

/** Advice for an AI cache from its counters and its composed cache's stats. */
export async function recommendationsOf(
  cache: CacheInterface,
  metrics: AIMetrics,
  operationTtls: Record<string, number>,
  defaultTtl: number,
): Promise<Recommendation[]> {
  const stats = (await cache.getStats()) as CacheStats & {
    l1?: { utilizationPercent: number };
    utilizationPercent?: number;
  };
  return aiRecommendations({
    operations: metrics.operationPerformance(),
    tiers: metrics.tierStatistics(),
    operationTtls,
    defaultTtl,
    l1UtilizationPercent: stats.l1?.utilizationPercent ?? stats.utilizationPercent,
    compression: metrics.compression(),
  });
}

/** Advice from the AI counters (SPEC §5). Each rule needs enough data before it speaks. */
export function aiRecommendations(input: AIRecommendationInput): Recommendation[] {
  const out: Recommendation[] = [];
  for (const [operation, perf] of Object.entries(input.operations)) {
    if (perf.requests < MIN_REQUESTS) continue;
    const ttl = input.operationTtls[operation] ?? input.defaultTtl;
    if (perf.hitRate < 30) {
      out.push({
        severity: 'warning',
        issue: 'low_hit_rate',
        message: `'${operation}' hits ${perf.hitRate}% of ${perf.requests} requests`,
        suggestions: [
          `Raise the TTL of '${operation}' (now ${ttl} s) if its answers stay valid longer`,
          'Normalize inputs (whitespace, casing, option defaults) so equal requests share a key',
        ],
      });
    } else if (perf.hitRate > 80) {
      out.push({
        severity: 'info',
        issue: 'excellent_hit_rate',
        message: `'${operation}' hits ${perf.hitRate}% of ${perf.requests} requests`,
        suggestions: ['Keep the current TTL; watch memory as the working set grows'],
      });
    }
    if (perf.computes > 0 && perf.compute.avgMs < 50 && ttl > 0 && ttl <= 1800) {
      out.push({
        severity: 'info',
        issue: 'fast_operation_short_ttl',
        message: `'${operation}' computes in ${Math.round(perf.compute.avgMs)} ms on average and is cached for ${ttl} s`,
        suggestions: [
          'Caching saves little here: lengthen the TTL to gain hits, or skip caching this operation',
        ],
      });
    }
  }
  const xlarge = input.tiers.xlarge;
  if (xlarge.requests >= MIN_REQUESTS && xlarge.sharePercent > 20) {
    out.push({
      severity: 'info',
      issue: 'many_xlarge_texts',
      message: `${xlarge.sharePercent}% of requests carry xlarge texts`,
      suggestions: [
        'Enable compression for large AI responses',
        'Chunk or summarize very long inputs before caching',
      ],
    });
  }
  const l1 = input.l1UtilizationPercent;
  if (l1 !== undefined && l1 > 90) {
    out.push({
      severity: 'warning',
      issue: 'l1_nearly_full',
      message: `the in-process tier is ${l1}% full`,
      suggestions: ['Raise memoryCacheSize so hot AI responses stay in process'],
    });
  } else if (l1 !== undefined && l1 < 30 && totalRequests(input.operations) >= 100) {
    out.push({
      severity: 'info',
      issue: 'l1_underused',
      message: `the in-process tier is only ${l1}% used`,
      suggestions: ['Lower memoryCacheSize to save memory'],
    });
  }
  if (input.compression.samples >= MIN_REQUESTS && input.compression.avgRatio > 0.9) {
    out.push({
      severity: 'info',
      issue: 'poor_compression',
      message: `compression keeps ${Math.round(input.compression.avgRatio * 100)}% of the size on average`,
      suggestions: ['Raise compressionThreshold: these values do not compress well'],
    });
  }
  return out;
}

function totalRequests(operations: Record<string, OperationPerformance>): number {
  return Object.values(operations).reduce((sum, op) => sum + op.requests, 0);
}
