import type {
  CacheOperationStats,
  CompressionMeasurement,
  CompressionStats,
  InvalidationFrequencyStats,
  InvalidationMeasurement,
  KeyGenerationMeasurement,
  KeyGenerationStats,
  MemoryMeasurement,
  MemoryUsageStats,
  OperationMeasurement,
} from './monitor-types.js';
import { groupBy, round2, summarize, type DurationSummary } from '../core/statistics.js';

const HOUR_MS = 3_600_000;

export function buildKeyGenerationStats(
  items: KeyGenerationMeasurement[],
  slowMs: number,
): KeyGenerationStats | undefined {
  if (items.length === 0) return undefined;
  const lengths = items.map((m) => m.textLength);
  return {
    ...summarize(items.map((m) => m.durationMs)),
    slowOperations: items.filter((m) => m.durationMs > slowMs).length,
    avgTextLength: lengths.reduce((a, b) => a + b, 0) / lengths.length,
    maxTextLength: Math.max(...lengths),
  };
}

/**
 * `getCounts`: exact get hits and misses per tier (every get, timed or not); the latencies come from the
 * timed measurements in the window.
 */
export function buildOperationStats(
  items: OperationMeasurement[],
  slowMs: number,
  getCounts: ReadonlyMap<string, { hits: number; misses: number }> = new Map(),
): CacheOperationStats | undefined {
  if (items.length === 0) return undefined;
  const byOperation: Record<string, DurationSummary> = {};
  for (const [operation, group] of groupBy(items, (m) => m.operation)) {
    byOperation[operation] = summarize(group.map((m) => m.durationMs));
  }
  const byTier: CacheOperationStats['byTier'] = {};
  const tiers = groupBy(items, (m) => m.tier);
  for (const tier of getCounts.keys()) if (!tiers.has(tier)) tiers.set(tier, []);
  for (const [tier, group] of tiers) {
    const counts = getCounts.get(tier);
    byTier[tier] = {
      ...summarize(group.map((m) => m.durationMs)),
      hits: counts?.hits ?? 0,
      misses: counts?.misses ?? 0,
    };
  }
  return {
    ...summarize(items.map((m) => m.durationMs)),
    slowOperations: items.filter((m) => m.durationMs > slowMs).length,
    byOperation,
    byTier,
  };
}

export function buildCompressionStats(items: CompressionMeasurement[]): CompressionStats | undefined {
  if (items.length === 0) return undefined;
  const ratios = items.map((m) => (m.originalBytes === 0 ? 1 : m.compressedBytes / m.originalBytes));
  const processed = items.reduce((sum, m) => sum + m.originalBytes, 0);
  const compressed = items.reduce((sum, m) => sum + m.compressedBytes, 0);
  return {
    count: items.length,
    avgCompressionRatio: round2(ratios.reduce((a, b) => a + b, 0) / ratios.length),
    bestCompressionRatio: round2(Math.min(...ratios)),
    worstCompressionRatio: round2(Math.max(...ratios)),
    avgCompressionTimeMs: items.reduce((sum, m) => sum + m.durationMs, 0) / items.length,
    totalBytesProcessed: processed,
    totalBytesSaved: processed - compressed,
    overallSavingsPercent: processed === 0 ? 0 : round2(((processed - compressed) / processed) * 100),
  };
}

export interface InvalidationContext {
  now: number;
  totalOperations: number;
  last24Hours: number;
  averagePerHour: number;
  warningPerHour: number;
  criticalPerHour: number;
}

export function buildInvalidationStats(
  items: InvalidationMeasurement[],
  ctx: InvalidationContext,
): InvalidationFrequencyStats {
  const patternCounts = [...groupBy(items, (m) => m.pattern)].map(([pattern, group]) => ({
    pattern,
    count: group.length,
  }));
  patternCounts.sort((a, b) => b.count - a.count || a.pattern.localeCompare(b.pattern));
  const invalidationTypes: Record<string, number> = {};
  for (const [type, group] of groupBy(items, (m) => m.type)) invalidationTypes[type] = group.length;
  const keys = items.reduce((sum, m) => sum + m.keysInvalidated, 0);
  const durations = items.map((m) => m.durationMs);
  return {
    totalOperations: ctx.totalOperations,
    totalKeysInvalidated: keys,
    frequency: {
      lastHour: items.filter((m) => m.at > ctx.now - HOUR_MS).length,
      last24Hours: ctx.last24Hours,
      averagePerHour: round2(ctx.averagePerHour),
    },
    patterns: { mostCommonPatterns: patternCounts.slice(0, 10), invalidationTypes },
    thresholds: { warningPerHour: ctx.warningPerHour, criticalPerHour: ctx.criticalPerHour },
    performance: {
      avgKeysPerInvalidation: items.length === 0 ? 0 : keys / items.length,
      avgDurationMs: durations.length === 0 ? 0 : durations.reduce((a, b) => a + b, 0) / durations.length,
      maxDurationMs: durations.length === 0 ? 0 : Math.max(...durations),
    },
  };
}

/** Items slower than `multiplier` × the average duration of their group. */
export function slowerThan<T extends { durationMs: number }>(
  items: T[],
  multiplier: number,
  groupOf: (item: T) => string,
): (T & { timesAverage: number })[] {
  const out: (T & { timesAverage: number })[] = [];
  for (const group of groupBy(items, groupOf).values()) {
    const avg = group.reduce((sum, m) => sum + m.durationMs, 0) / group.length;
    for (const m of group) {
      if (avg > 0 && m.durationMs > avg * multiplier)
        out.push({ ...m, timesAverage: round2(m.durationMs / avg) });
    }
  }
  return out.sort((a, b) => b.durationMs - a.durationMs);
}

/** The latest memory measurement against the thresholds, with the trend; `undefined` before any. */
export function buildMemoryUsageStats(
  measurements: MemoryMeasurement[],
  warningBytes: number,
  criticalBytes: number,
): MemoryUsageStats | undefined {
  const latest = measurements.at(-1);
  if (!latest) return undefined;
  const total = (m: MemoryMeasurement) => m.l1Bytes + (m.redisBytes ?? 0);
  const totalBytes = total(latest);
  const totals = measurements.map(total);
  return {
    current: { ...latest, totalBytes },
    thresholds: { warningBytes, criticalBytes },
    status: totalBytes >= criticalBytes ? 'critical' : totalBytes >= warningBytes ? 'warning' : 'ok',
    trend: {
      measurements: measurements.length,
      avgTotalBytes: totals.reduce((a, b) => a + b, 0) / totals.length,
      maxTotalBytes: Math.max(...totals),
    },
  };
}
