import type { Clock } from '../core/clock.js';
import { parseDuration, parseLifetimeMs, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { assertKnownOptions } from '../core/options.js';
import { resolveJitter, resolveRandom } from '../core/write-plan.js';

export interface InMemoryCacheOptions {
  /** Maximum number of entries (LRU eviction beyond it). @default 1000 */
  maxSize?: number;
  /** TTL used when `set` is given none; `0` means no expiry. @default 3600 */
  defaultTtl?: Duration;
  /** Optional bound on the estimated bytes held. @default undefined (no byte bound) */
  maxBytes?: number;
  /** Millisecond clock for TTLs; inject one in tests. @default performance.now() */
  clock?: Clock;
  /** Receives warnings (a broken event listener). @default console warnings */
  logger?: Logger;
  /** Spread each TTL by ± this fraction (0.1 = ±10%), so entries written together expire apart. @default 0 */
  ttlJitter?: number;
  /** Source of randomness for `ttlJitter`, numbers in [0, 1). @default Math.random */
  random?: () => number;
  /** Upper bound on every entry's lifetime, whatever TTL it was written with (`0` = none). @default 0 */
  maxTtl?: Duration;
}

export const IN_MEMORY_CACHE_DEFAULTS = { maxSize: 1000, defaultTtl: 3600 } as const;

const MAX_ENTRIES = 10_000_000;

export interface ResolvedMemoryCacheOptions {
  maxSize: number;
  /** Seconds. */
  defaultTtl: number;
  maxBytes: number | undefined;
  clock: Clock | undefined;
  logger: Logger;
  ttlJitter: number;
  random: () => number;
  /** Milliseconds, 0 = no cap. */
  maxTtlMs: number;
}

/** Validates every option of an InMemoryCache (SPEC §3 messages). */
export function resolveMemoryCacheOptions(options: InMemoryCacheOptions): ResolvedMemoryCacheOptions {
  assertKnownOptions(options, [
    'maxSize',
    'defaultTtl',
    'maxBytes',
    'clock',
    'logger',
    'ttlJitter',
    'random',
    'maxTtl',
  ]);
  const maxSize = options.maxSize ?? IN_MEMORY_CACHE_DEFAULTS.maxSize;
  if (!Number.isInteger(maxSize) || maxSize < 1 || maxSize > MAX_ENTRIES) {
    throw new ValidationError('maxSize must be a positive integer', { option: 'maxSize' });
  }
  const { maxBytes, clock } = options;
  if (maxBytes !== undefined && (!Number.isInteger(maxBytes) || maxBytes < 1)) {
    throw new ValidationError('maxBytes must be a positive integer', { option: 'maxBytes' });
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new ValidationError('clock must be an object with a now() method returning milliseconds', {
      option: 'clock',
    });
  }
  return {
    maxSize,
    defaultTtl: parseDuration(options.defaultTtl ?? IN_MEMORY_CACHE_DEFAULTS.defaultTtl, 'defaultTtl'),
    maxBytes,
    clock,
    logger: options.logger ?? consoleLogger,
    ttlJitter: resolveJitter(options.ttlJitter),
    random: resolveRandom(options.random),
    maxTtlMs: options.maxTtl === undefined ? 0 : parseLifetimeMs(options.maxTtl, 'maxTtl'),
  };
}
