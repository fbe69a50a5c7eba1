import type { Clock } from '../core/clock.js';
import { ValidationError } from '../core/errors.js';
import { assertKnownOptions } from '../core/options.js';

export interface CachePerformanceMonitorOptions {
  /** How long measurements are kept. @default 1 */
  retentionHours?: number;
  /** Most measurements kept per kind (older ones are overwritten). @default 1000 */
  maxMeasurements?: number;
  /** @default 52428800 (50 MiB) */
  memoryWarningThresholdBytes?: number;
  /** @default 104857600 (100 MiB) */
  memoryCriticalThresholdBytes?: number;
  /** Key generation slower than this (ms) is slow. @default 100 */
  keyGenerationSlowMs?: number;
  /** A cache operation slower than this (ms) is slow. @default 50 */
  cacheOperationSlowMs?: number;
  /** Invalidations per hour that raise a warning. @default 50 */
  invalidationWarningPerHour?: number;
  /** Invalidations per hour that are critical. @default 100 */
  invalidationCriticalPerHour?: number;
  /** Millisecond clock for ages and windows. @default performance.now() */
  clock?: Clock;
}

export const PERFORMANCE_MONITOR_DEFAULTS = {
  retentionHours: 1,
  maxMeasurements: 1000,
  memoryWarningThresholdBytes: 50 * 1024 * 1024,
  memoryCriticalThresholdBytes: 100 * 1024 * 1024,
  keyGenerationSlowMs: 100,
  cacheOperationSlowMs: 50,
  invalidationWarningPerHour: 50,
  invalidationCriticalPerHour: 100,
} as const;

/** Validates a monitor's options (every problem in one `ValidationError`) and fills in the defaults. */
export function resolveMonitorOptions(
  options: CachePerformanceMonitorOptions,
): Required<Omit<CachePerformanceMonitorOptions, 'clock'>> & { clock: Clock | undefined } {
  assertKnownOptions(options, [...Object.keys(PERFORMANCE_MONITOR_DEFAULTS), 'clock']);
  const merged = { ...PERFORMANCE_MONITOR_DEFAULTS, ...options };
  const errors: string[] = [];
  for (const [name, value] of Object.entries(merged)) {
    if (name === 'clock') continue;
    const integer = name === 'maxMeasurements';
    if (
      typeof value !== 'number' ||
      !(value > 0) ||
      !Number.isFinite(value) ||
      (integer && !Number.isInteger(value))
    ) {
      errors.push(`${name} must be a positive ${integer ? 'integer' : 'number'}`);
    }
  }
  if (merged.memoryCriticalThresholdBytes < merged.memoryWarningThresholdBytes) {
    errors.push('memoryCriticalThresholdBytes must not be below memoryWarningThresholdBytes');
  }
  if (errors.length > 0) throw new ValidationError(errors.join('; '), { errors });
  const { clock, ...rest } = merged as typeof merged & { clock?: Clock };
  return { ...rest, clock };
}
