import type { Clock } from '../core/clock.js';
import { parseDuration, parseLifetimeMs, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import { consoleLogger, type Logger } from '../core/logger.js';
import { assertKnownOptions } from '../core/options.js';
import { resolveHotKeys, type HotKeysSettings } from '../core/hot-keys.js';
import { KINDS, inCode, optionProblem, plain, type OptionDefinition } from '../core/option-definition.js';
import { resolveJitter, resolveRandom } from '../core/write-plan.js';
import { MEMORY_CACHE_POLICIES, type MemoryCachePolicy } from './memory-policy.js';

export interface InMemoryCacheOptions {
  /** Maximum number of entries (eviction by `policy` beyond it). @default 1000 */
  maxSize?: number;
  /**
   * What to evict when full: `'lru'` the least recently used entry; `'tinylfu'` (W-TinyLFU) keeps the
   * entries used most often recently, and resists scans. @default 'lru'
   */
  policy?: MemoryCachePolicy;
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
  /** Track the most read keys (sampled top-k, ~47 KB): `true`, `false` or `{ k, sampleRate }`. @default true */
  hotKeys?: boolean | HotKeysSettings;
}

const CODE = 'an InMemoryCache is configured in code (a configuration sizes it with memoryCacheSize)';
const { LIFETIME, FRACTION } = KINDS;

/** Every InMemoryCache option, defined once (see `OptionDefinition`); docs/configuration.md shows it. */
// prettier-ignore
export const IN_MEMORY_CACHE_OPTIONS = {
  maxSize: plain({ type: 'integer', min: 1, max: 10_000_000, message: 'a positive integer' }, 'maximum number of entries (eviction by `policy` beyond it)', undefined, 1000),
  // LRU: the eviction an InMemoryCache's contract states (SPEC §3); why: docs/performance.md, "The defaults".
  policy: plain({ type: 'enum', values: MEMORY_CACHE_POLICIES }, "what to evict when full: `'lru'` (least recently used) or `'tinylfu'` (W-TinyLFU: keeps the most used, resists scans; [performance](performance.md#eviction-policy-hit-ratio))", undefined, 'lru'),
  defaultTtl: plain(LIFETIME, "TTL when `set` is given none: seconds or `'10m'`; `0` = no expiry", undefined, 3600),
  maxBytes: plain({ type: 'integer', min: 1, max: Number.MAX_SAFE_INTEGER, message: 'a positive integer' }, 'bound on the estimated bytes held; a single entry above it is rejected (an `evict` event with reason `reject`)', undefined, undefined, 'none'),
  maxTtl: plain(LIFETIME, 'upper bound on every entry\'s lifetime, whatever TTL it was written with', undefined, 0, '0 (none)'),
  hotKeys: plain(KINDS.CUSTOM, 'track the most read keys (sampled top-k, ~47 KB): `true`, `false`, or `{ k, sampleRate }`', undefined, true),
  ttlJitter: plain(FRACTION, 'spread each TTL by ± this fraction (0.1 = ±10%)', undefined, 0),
  clock: inCode('millisecond clock for TTLs (inject one in tests)', CODE, '`performance.now()`'),
  logger: inCode('receives warnings (a broken event listener)', CODE, 'console warnings'),
  random: inCode('source of randomness for `ttlJitter`', CODE, '`Math.random`'),
} satisfies Record<keyof InMemoryCacheOptions, OptionDefinition>;

export const IN_MEMORY_CACHE_DEFAULTS = {
  maxSize: IN_MEMORY_CACHE_OPTIONS.maxSize.default,
  policy: IN_MEMORY_CACHE_OPTIONS.policy.default,
  defaultTtl: IN_MEMORY_CACHE_OPTIONS.defaultTtl.default,
} as const;

export interface ResolvedMemoryCacheOptions {
  maxSize: number;
  policy: MemoryCachePolicy;
  /** Seconds. */
  defaultTtl: number;
  maxBytes: number | undefined;
  clock: Clock | undefined;
  logger: Logger;
  ttlJitter: number;
  random: () => number;
  /** Milliseconds, 0 = no cap. */
  maxTtlMs: number;
  hotKeys: HotKeysSettings | undefined;
}

/** Validates every option of an InMemoryCache (SPEC §3 messages). */
export function resolveMemoryCacheOptions(options: InMemoryCacheOptions): ResolvedMemoryCacheOptions {
  assertKnownOptions(options, Object.keys(IN_MEMORY_CACHE_OPTIONS));
  const maxSize = options.maxSize ?? IN_MEMORY_CACHE_DEFAULTS.maxSize;
  const { maxBytes, clock } = options;
  const policy = options.policy ?? IN_MEMORY_CACHE_DEFAULTS.policy;
  for (const [name, value] of [
    ['maxSize', maxSize],
    ['policy', policy],
    ['maxBytes', maxBytes],
  ] as const) {
    const problem =
      value === undefined ? undefined : optionProblem(name, IN_MEMORY_CACHE_OPTIONS[name].kind, value);
    if (problem !== undefined) throw new ValidationError(problem, { option: name });
  }
  if (clock !== undefined && typeof clock?.now !== 'function') {
    throw new ValidationError('clock must be an object with a now() method returning milliseconds', {
      option: 'clock',
    });
  }
  return {
    maxSize,
    policy,
    defaultTtl: parseDuration(options.defaultTtl ?? IN_MEMORY_CACHE_DEFAULTS.defaultTtl, 'defaultTtl'),
    maxBytes,
    clock,
    logger: options.logger ?? consoleLogger,
    ttlJitter: resolveJitter(options.ttlJitter),
    random: resolveRandom(options.random),
    maxTtlMs: options.maxTtl === undefined ? 0 : parseLifetimeMs(options.maxTtl, 'maxTtl'),
    hotKeys: resolveHotKeys(options.hotKeys),
  };
}
