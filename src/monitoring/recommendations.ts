import type {
  InvalidationFrequencyStats,
  MemoryUsageStats,
  MemoryWarning,
  Recommendation,
} from './monitor-types.js';

/** Advice drawn from invalidation figures (SPEC §8 thresholds). Nothing is said without enough data. */
export function invalidationRecommendations(stats: InvalidationFrequencyStats): Recommendation[] {
  const out: Recommendation[] = [];
  const { lastHour } = stats.frequency;
  const { warningPerHour, criticalPerHour } = stats.thresholds;
  if (lastHour >= criticalPerHour) {
    out.push({
      severity: 'critical',
      issue: 'high_invalidation_rate',
      message: `${lastHour} invalidations in the last hour, above the critical rate of ${criticalPerHour}/hour`,
      suggestions: [
        'Invalidate precise keys or narrow patterns instead of broad ones',
        'Batch invalidations triggered by the same change',
        'Lengthen TTLs of data that changes rarely instead of invalidating it',
      ],
    });
  } else if (lastHour >= warningPerHour) {
    out.push({
      severity: 'warning',
      issue: 'elevated_invalidation_rate',
      message: `${lastHour} invalidations in the last hour, above the warning rate of ${warningPerHour}/hour`,
      suggestions: [
        'Check which callers invalidate most (see most_common_patterns)',
        'Batch related invalidations',
      ],
    });
  }
  if (stats.totalOperations >= 10 && stats.performance.avgKeysPerInvalidation < 0.5) {
    out.push({
      severity: 'info',
      issue: 'low_invalidation_efficiency',
      message: `invalidations remove ${stats.performance.avgKeysPerInvalidation.toFixed(2)} keys on average: most match nothing`,
      suggestions: [
        'Check that the patterns match the key format',
        'Skip invalidations for data that was never cached',
      ],
    });
  }
  if (stats.totalOperations >= 5 && stats.performance.avgKeysPerInvalidation > 1000) {
    out.push({
      severity: 'warning',
      issue: 'broad_invalidations',
      message: `invalidations remove ${Math.round(stats.performance.avgKeysPerInvalidation)} keys on average`,
      suggestions: [
        'Use narrower patterns so unrelated entries stay cached',
        'Partition keys by tenant or entity',
      ],
    });
  }
  const [top] = stats.patterns.mostCommonPatterns;
  if (top && stats.totalOperations >= 10 && top.count / stats.totalOperations > 0.5) {
    out.push({
      severity: 'info',
      issue: 'dominant_pattern',
      message: `pattern '${top.pattern}' accounts for ${Math.round((top.count / stats.totalOperations) * 100)}% of invalidations`,
      suggestions: ['Consider a shorter TTL for these keys instead of frequent invalidation'],
    });
  }
  if (stats.totalOperations > 0 && stats.performance.avgDurationMs > 100) {
    out.push({
      severity: 'warning',
      issue: 'slow_invalidations',
      message: `invalidations take ${Math.round(stats.performance.avgDurationMs)} ms on average`,
      suggestions: ['Narrow patterns so SCAN visits fewer keys', 'Use a dedicated key prefix per data set'],
    });
  }
  return out;
}

/** Warnings when memory passes the configured thresholds. */
export function memoryWarnings(stats: MemoryUsageStats | undefined): MemoryWarning[] {
  if (!stats || stats.status === 'ok') return [];
  const mib = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  const { totalBytes } = stats.current;
  if (stats.status === 'critical') {
    return [
      {
        severity: 'critical',
        message: `cache memory ${mib(totalBytes)} is above the critical threshold of ${mib(stats.thresholds.criticalBytes)}`,
        recommendations: [
          'Lower memoryCacheSize or set maxBytes',
          'Shorten TTLs',
          'Enable or lower the compression threshold',
        ],
      },
    ];
  }
  return [
    {
      severity: 'warning',
      message: `cache memory ${mib(totalBytes)} is above the warning threshold of ${mib(stats.thresholds.warningBytes)}`,
      recommendations: ['Watch the trend; consider a smaller L1 or shorter TTLs'],
    },
  ];
}
