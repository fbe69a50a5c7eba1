import type { CacheOperation, CacheTier, InvalidationType, OperationOutcome } from '../core/events.js';
import type { DurationSummary } from '../core/statistics.js';
import type { WindowStats } from './live-figures.js';

export interface KeyGenerationMeasurement {
  at: number;
  durationMs: number;
  textLength: number;
  operation: string;
}

export interface OperationMeasurement {
  at: number;
  operation: CacheOperation;
  tier: CacheTier;
  outcome: OperationOutcome;
  durationMs: number;
}

export interface CompressionMeasurement {
  at: number;
  originalBytes: number;
  compressedBytes: number;
  durationMs: number;
}

export interface MemoryMeasurement {
  at: number;
  l1Entries: number;
  l1Bytes: number;
  /** Redis `used_memory`, when connected. */
  redisBytes?: number;
  redisKeys?: number;
}

export interface InvalidationMeasurement {
  at: number;
  pattern: string;
  keysInvalidated: number;
  durationMs: number;
  type: InvalidationType;
  context?: string;
}

export interface KeyGenerationStats extends DurationSummary {
  slowOperations: number;
  avgTextLength: number;
  maxTextLength: number;
}

export interface CacheOperationStats extends DurationSummary {
  slowOperations: number;
  byOperation: Record<string, DurationSummary>;
  byTier: Record<string, DurationSummary & { hits: number; misses: number }>;
}

export interface CompressionStats {
  count: number;
  avgCompressionRatio: number;
  bestCompressionRatio: number;
  worstCompressionRatio: number;
  avgCompressionTimeMs: number;
  totalBytesProcessed: number;
  totalBytesSaved: number;
  overallSavingsPercent: number;
}

export interface MemoryUsageStats {
  current: MemoryMeasurement & { totalBytes: number };
  thresholds: { warningBytes: number; criticalBytes: number };
  status: 'ok' | 'warning' | 'critical';
  trend: { measurements: number; avgTotalBytes: number; maxTotalBytes: number };
}

export interface InvalidationFrequencyStats {
  totalOperations: number;
  totalKeysInvalidated: number;
  frequency: { lastHour: number; last24Hours: number; averagePerHour: number };
  patterns: {
    mostCommonPatterns: { pattern: string; count: number }[];
    invalidationTypes: Record<string, number>;
  };
  thresholds: { warningPerHour: number; criticalPerHour: number };
  performance: { avgKeysPerInvalidation: number; avgDurationMs: number; maxDurationMs: number };
}

/** The `/internal/cache/metrics` figures (camelCase here; snake_case on the wire). */
export interface PerformanceStats {
  timestamp: string;
  retentionHours: number;
  /** Hits ÷ (hits + misses) of `get` only, 0–100. */
  cacheHitRate: number;
  totalCacheOperations: number;
  cacheHits: number;
  cacheMisses: number;
  keyGeneration?: KeyGenerationStats;
  cacheOperations?: CacheOperationStats;
  compression?: CompressionStats;
  memoryUsage?: MemoryUsageStats;
  invalidation?: InvalidationFrequencyStats;
  /**
   * What the percentiles of `cacheOperations`, `keyGeneration` and `compression` are computed over: the
   * last `samples` timed measurements (at most `maxMeasurements`, none older than `retentionHours`),
   * while the counts beside them (`cacheHits`, `totalCacheOperations`…) are lifetime totals.
   */
  percentileBasis: { samples: number; maxMeasurements: number; retentionHours: number };
  /** The last 1 and 5 minutes: rates, hit ratios and latency per tier (the figures above are lifetime). */
  windows: WindowStats[];
}

export type { Recommendation, Severity } from '../core/types.js';

export interface MemoryWarning {
  severity: 'warning' | 'critical';
  message: string;
  recommendations: string[];
}

export interface SlowOperations {
  keyGeneration: (KeyGenerationMeasurement & { timesAverage: number })[];
  cacheOperations: (OperationMeasurement & { timesAverage: number })[];
  compression: (CompressionMeasurement & { timesAverage: number })[];
}

export interface ExportedMetrics {
  exportedAt: string;
  retentionHours: number;
  totals: { operations: number; hits: number; misses: number; invalidations: number };
  keyGeneration: KeyGenerationMeasurement[];
  cacheOperations: OperationMeasurement[];
  compression: CompressionMeasurement[];
  memoryUsage: MemoryMeasurement[];
  invalidations: InvalidationMeasurement[];
}
