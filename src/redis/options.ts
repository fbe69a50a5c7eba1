import { stripUndefined } from '../core/objects.js';
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { lifetimeProblem, waitProblem, type Duration } from '../core/duration.js';
import { KINDS, inCode, optionProblem, plain, type OptionDefinition } from '../core/option-definition.js';
import { resolveHotKeys, type HotKeysSettings } from '../core/hot-keys.js';
/** Where a cache keeps its own bookkeeping (locks, tags, bus channel, semantic index) beside its keys. */
export const auxPrefixOf = (keyPrefix: string): string => `__tiercache__:${keyPrefix}`;

export { optionProblem, type OptionDefinition, type OptionKind } from '../core/option-definition.js';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { assertKnownOptions } from '../core/options.js';
import { resolveJitter, resolveRandom } from '../core/write-plan.js';
import {
  resolveBreakerOptions,
  type CircuitBreakerOptions,
  type ResolvedBreakerOptions,
} from './circuit-breaker.js';
import type { CompressionAlgorithm } from './compression.js';
import { redisUrlProblem, topologyOfUrl } from './connection.js';
import { topologyFromOptions, type ClusterOptions, type SentinelOptions, type Topology } from './topology.js';
import type { RedisSecurityOptions } from './security.js';
import type { TrackingMode } from './tracking.js';
import { resolveCoherence, resolveTrackingMode } from './coherence-options.js';
import { MEMORY_CACHE_POLICIES, type MemoryCachePolicy } from '../memory/memory-policy.js';

export interface GenericRedisCacheOptions {
  /**
   * `redis://` or `rediss://` URL; `redis+cluster://host:port,host:port` for a Cluster;
   * `redis+sentinel://host:port,host:port/masterName` for a Sentinel-managed master (`rediss+…` for TLS).
   * @default 'redis://localhost:6379' (unless `redisClient`, `cluster` or `sentinel` is given)
   */
  redisUrl?: string;
  /** A Redis Cluster by its seed nodes (the same as a `redis+cluster://` URL). */
  cluster?: ClusterOptions;
  /** A master found through Redis Sentinel (the same as a `redis+sentinel://` URL). */
  sentinel?: SentinelOptions;
  /** Adopt your own ioredis client instead of a URL; tiercache never closes it. */
  redisClient?: Redis;
  /** TTL used when `set` is given none; `0` means no expiry. @default 3600 */
  defaultTtl?: Duration;
  /** Keep decoded values in an in-process L1 tier. @default true */
  enableMemoryCache?: boolean;
  /** L1 capacity in entries (0 disables L1). @default 100 */
  memoryCacheSize?: number;
  /**
   * What L1 evicts when full: `'tinylfu'` (W-TinyLFU: keeps the keys used most often recently, resists
   * scans) or `'lru'` (the least recently used). Also the policy of the in-memory cache the factory builds
   * without Redis. @default 'tinylfu'
   */
  memoryCachePolicy?: MemoryCachePolicy;
  /** Serialized size in bytes from which values are compressed, when that saves at least 1/8. @default 16384 */
  compressionThreshold?: number;
  /** Compression level 1–9 (brotli quality is clamped at 4). @default 1 */
  compressionLevel?: number;
  /** @default 'deflate' */
  compressionAlgorithm?: CompressionAlgorithm;
  /** Prefix of every Redis key this cache owns; `clear()` and patterns never leave it. @default 'tiercache:' */
  keyPrefix?: string;
  /** How long a Redis command may take before the cache falls back to L1 (a number is milliseconds). @default 500 */
  commandTimeout?: Duration;
  /** How long `connect()` waits for Redis (a number is milliseconds). @default 2000 */
  connectTimeout?: Duration;
  /**
   * Track the most read keys (a sampled top-k: one read in `sampleRate` feeds a count-min sketch), shown
   * on the status route, the dashboard and `tiercache top`. About 47 KB with the defaults. @default true
   */
  hotKeys?: boolean | HotKeysSettings;
  /**
   * PING a connected Redis that answered nothing for this long, so a hung or dead server shows as degraded
   * without traffic (a number is milliseconds; `0` = off). @default 1000
   */
  probeInterval?: Duration;
  /** Batch commands into one write while others are in flight (adaptive ioredis auto-pipelining). @default true */
  autoPipelining?: boolean;
  /**
   * Encrypt values at rest (AES-256-GCM): a 32-byte key as base64/base64url, or a list (comma-separated
   * or an array) where the first encrypts and all decrypt. Make one with `tiercache keygen`.
   */
  encryptionKey?: string | string[];
  /** Password, ACL user and TLS settings (a password or user in the URL works too). */
  security?: RedisSecurityOptions;
  /** @default console warnings and errors */
  logger?: Logger;
  /** Millisecond clock of the L1 tier. @default performance.now() */
  clock?: Clock;
  /**
   * How this instance's L1 learns of other instances' writes (docs/resilience.md, "Coherence"):
   * `'auto'` picks the best mode available (client tracking where the server allows it and the cache owns
   * its connections, else the bus), `'bus'` publishes every change on a Redis
   * channel and drops peers' changes from L1 (one extra connection), `'tracking'` adds Redis client
   * tracking to the bus, so writes from any client (another service, redis-cli) drop L1 copies too (one
   * more connection per server; Redis 6+; where it is unavailable it falls back to the bus and says so), `'none'`
   * trusts L1 until its copy expires, so it needs `memoryCacheTtl`. Irrelevant without L1. @default 'auto'
   */
  coherence?: CoherenceMode;
  /**
   * Client tracking of `coherence: 'tracking'`: `'broadcast'` (Redis announces every change under the key
   * prefix; no server memory per key) or `'default'` (only keys this instance read; Redis remembers them,
   * and writes do not fill L1, since a written key is not tracked). @default { mode: 'broadcast' }
   */
  tracking?: { mode?: TrackingMode };
  /**
   * The bus of `coherence: 'bus'`: `true` is a synonym for it, `{ channel }` names its channel, `false`
   * means `coherence: 'none'`. @default on whenever L1 and Redis are both on
   */
  bus?: boolean | { channel?: string };
  /** Cap on how long L1 keeps a copy, whatever the value's TTL (`0` = the value's TTL). Required with `coherence: 'none'`. @default 0 */
  memoryCacheTtl?: Duration;
  /** Stop sending commands to a failing Redis for a while (`false` = off). @default { failureThreshold: 5, resetTimeout: 2000 } */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Spread each TTL by ± this fraction (0.1 = ±10%). @default 0 */
  ttlJitter?: number;
  /** Source of randomness for `ttlJitter`, numbers in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * Throw Redis failures (an outage, a refused command) as `InfrastructureError` instead of answering
   * from L1 or with a miss, for callers who prefer an error to a degraded answer. @default false
   */
  strict?: boolean;
  /**
   * Serve L1 while coherence is lost (Redis degraded, or the bus disconnected), when a peer's change may
   * have been missed. `false` answers a miss instead, for those who prefer a miss to a possibly stale
   * value. @default true
   */
  staleOnOutage?: boolean;
}

export type CoherenceMode = 'auto' | 'bus' | 'tracking' | 'none';

export interface ResolvedRedisCacheOptions {
  redisUrl: string;
  /** Where Redis is (from `cluster`, `sentinel` or `redisUrl`). */
  topology: Topology;
  redisClient: Redis | undefined;
  defaultTtl: number;
  memoryCacheSize: number;
  memoryCachePolicy: MemoryCachePolicy;
  compressionThreshold: number;
  compressionLevel: number;
  compressionAlgorithm: CompressionAlgorithm;
  keyPrefix: string;
  commandTimeout: number;
  connectTimeout: number;
  /** Milliseconds, 0 = off. */
  probeInterval: number;
  /** The hot-key tracker's settings, undefined = off. */
  hotKeys: HotKeysSettings | undefined;
  autoPipelining: boolean;
  logger: Logger | undefined;
  clock: Clock | undefined;
  security: RedisSecurityOptions | undefined;
  encryptionKey: string | string[] | undefined;
  /** The coherence mode to run: `'bus'`, `'tracking'` or `'none'`; `'off'` without L1 (nothing to keep coherent). */
  coherence: 'bus' | 'tracking' | 'none' | 'off';
  /** Chosen by `'auto'` (not named by the caller): tracking unavailable is then noted, not warned about. */
  coherenceAuto: boolean;
  trackingMode: TrackingMode;
  /** The bus channel, or undefined when the bus is off. */
  busChannel: string | undefined;
  /** Milliseconds, 0 = no cap. */
  memoryCacheTtlMs: number;
  circuitBreaker: ResolvedBreakerOptions | undefined;
  ttlJitter: number;
  random: () => number;
  /** Prefix of tiercache's own keys (locks, tag sets, bus channel): outside `keyPrefix`. */
  auxPrefix: string;
  strict: boolean;
  staleOnOutage: boolean;
}

const { BOOLEAN, LIFETIME, WAIT, CUSTOM } = KINDS;
export const COMPRESSION_ALGORITHMS = ['deflate', 'brotli'] as const;

const resilience = '([resilience](resilience.md))';

/** Every GenericRedisCache option. A name missing here, or here but not in the interface, fails the build. */
// A table, one option per line: kept as written.
// prettier-ignore
export const GENERIC_REDIS_CACHE_OPTIONS = {
  redisUrl: plain(CUSTOM, '`redis://`, `rediss://`, `redis+cluster://h:p,h:p`, `redis+sentinel://h:p,h:p/master` ([scaling](scaling.md))', 'CACHE_REDIS_URL', 'redis://localhost:6379'),
  cluster: inCode('a Cluster by its seed nodes, `{ nodes }`', 'give a Cluster as redisUrl: redis+cluster://host:port,host:port'),
  sentinel: inCode('a Sentinel-managed master, `{ sentinels, name }`', 'give a Sentinel master as redisUrl: redis+sentinel://host:port,host:port/masterName'),
  redisClient: inCode('adopt your own ioredis client (never closed by tiercache)', 'an ioredis client is passed in code: new GenericRedisCache({ redisClient })'),
  defaultTtl: plain(LIFETIME, "TTL when `set` is given none: seconds or `'10m'`; `0` = no expiry", 'CACHE_DEFAULT_TTL', 3600),
  enableMemoryCache: plain(BOOLEAN, 'keep decoded values in the in-process L1', 'CACHE_ENABLE_MEMORY_CACHE', true),
  memoryCacheSize: plain({ type: 'integer', min: 0, max: 10_000_000, message: 'a positive integer' }, 'L1 capacity in entries (`0` = no L1)', 'CACHE_MEMORY_CACHE_SIZE', 100),
  // W-TinyLFU: an L1 miss costs a Redis round trip, and L1 promises no eviction order; why: docs/performance.md, "The defaults".
  memoryCachePolicy: plain({ type: 'enum', values: MEMORY_CACHE_POLICIES }, "what L1 (and the factory's in-memory cache) evicts when full: `'tinylfu'` (W-TinyLFU: keeps the most used, resists scans) or `'lru'` ([performance](performance.md#eviction-policy-hit-ratio))", 'CACHE_MEMORY_CACHE_POLICY', 'tinylfu'),
  memoryCacheTtl: plain(LIFETIME, "cap on how long L1 keeps a copy; required with `coherence: 'none'`", 'CACHE_MEMORY_CACHE_TTL', 0, "0 (the value's TTL)"),
  compressionThreshold: plain({ type: 'integer', min: 0, max: 104_857_600, message: 'a non-negative integer' }, 'serialized size in bytes from which values are compressed (when it saves at least 1/8); below 16 KiB compression costs more time than the bytes it saves ([compression](compression.md))', 'CACHE_COMPRESSION_THRESHOLD', 16_384),
  compressionLevel: plain({ type: 'integer', min: 1, max: 9, message: 'an integer between 1 and 9' }, 'compression level 1–9 (deflate level; brotli quality, clamped at 4); 1 is within 4% of 6 in size at a third of the time', 'CACHE_COMPRESSION_LEVEL', 1),
  compressionAlgorithm: plain({ type: 'enum', values: COMPRESSION_ALGORITHMS }, "`'deflate'` or `'brotli'`", 'CACHE_COMPRESSION_ALGORITHM', 'deflate'),
  keyPrefix: plain({ type: 'text', message: 'a non-empty string (clear() and patterns only touch keys under it)' }, 'every Redis key this cache owns; `clear()` and patterns never leave it', 'CACHE_KEY_PREFIX', 'tiercache:'),
  commandTimeout: plain(WAIT, 'how long a Redis command may take before the cache falls back to L1', 'CACHE_COMMAND_TIMEOUT', 500, '500 ms'),
  connectTimeout: plain(WAIT, 'how long `connect()` (or the first command) waits for Redis', 'CACHE_CONNECT_TIMEOUT', 2000, '2000 ms'),
  hotKeys: plain(CUSTOM, 'track the most read keys (sampled top-k, ~47 KB): `true`, `false`, or `{ k, sampleRate }`', undefined, true),
  probeInterval: plain({ type: 'wait', zeroIsOff: true }, 'PING a connected Redis idle this long, so a hung server shows as degraded without traffic; `0` = off', 'CACHE_PROBE_INTERVAL', 1000, '1000 ms'),
  autoPipelining: plain(BOOLEAN, 'batch commands into one write while others are in flight', 'CACHE_AUTO_PIPELINING', true),
  encryptionKey: inCode('AES-256-GCM at rest; a list rotates keys ([security](security.md))', 'set security.encryptionKeys (or CACHE_ENCRYPTION_KEY)'),
  security: inCode('password, ACL user, TLS files and verification', 'set the security section (password, username, tlsEnabled, ...; see docs/configuration.md)'),
  logger: inCode('where warnings and errors go', 'a logger is passed in code: new CacheFactory({ logger }) or the cache constructor', 'console warnings'),
  clock: inCode("the L1's millisecond clock (inject one in tests)", 'a clock is passed in code (tests): the cache constructor', '`performance.now()`'),
  coherence: plain(CUSTOM, "how L1 learns of other instances' writes: `'auto'` (client tracking where available, else the bus), `'bus'`, `'tracking'` (the bus plus Redis client tracking: writes from any client), `'none'` ([resilience](resilience.md#cross-instance-l1-coherence))", 'CACHE_COHERENCE', 'auto'),
  tracking: plain(CUSTOM, "client tracking (`coherence: 'auto'` or `'tracking'`): `{ mode: 'broadcast' }` (every change under the prefix) or `{ mode: 'default' }` (keys this instance read)", undefined, undefined, "`{ mode: 'broadcast' }`"),
  bus: plain(CUSTOM, "synonym of `coherence: 'bus'` (`true`, or `{ channel }` to name the channel); `false` = `'none'`", undefined, undefined, 'on with L1'),
  circuitBreaker: plain(CUSTOM, `stop calling a failing Redis for a while; \`false\` = off ${resilience}`, undefined, undefined, '`{ failureThreshold: 5, resetTimeout: 2000 }`'),
  ttlJitter: plain({ type: 'fraction' }, 'spread each TTL by ± this fraction (0.1 = ±10%)', 'CACHE_TTL_JITTER', 0),
  random: inCode('source of randomness for `ttlJitter`', 'a random source is passed in code (tests): the cache constructor', '`Math.random`'),
  strict: plain(BOOLEAN, 'throw Redis failures (outage, refused command) as `InfrastructureError` instead of answering from L1 or with a miss', 'CACHE_STRICT', false),
  staleOnOutage: plain(BOOLEAN, `serve L1 while coherence is lost (Redis degraded or the bus down); \`false\` answers a miss instead ${resilience}`, 'CACHE_STALE_ON_OUTAGE', true),
} satisfies Record<keyof GenericRedisCacheOptions, OptionDefinition>;

export type GenericRedisCacheOptionName = keyof typeof GENERIC_REDIS_CACHE_OPTIONS;

// Compile-time guard: an option in the interface but not in the definition fails the build (and the
// `satisfies` above refuses a definition the interface does not have).
type Undefined = Exclude<keyof GenericRedisCacheOptions, GenericRedisCacheOptionName>;
const everyOptionDefined: [Undefined] extends [never] ? true : Undefined = true;
void everyOptionDefined;

/** Every option name of a GenericRedisCache: the list every other door (factory, config) derives from. */
export const GENERIC_REDIS_CACHE_OPTION_NAMES = Object.keys(
  GENERIC_REDIS_CACHE_OPTIONS,
) as GenericRedisCacheOptionName[];

type Defaulted = {
  [K in GenericRedisCacheOptionName]: Exclude<(typeof GENERIC_REDIS_CACHE_OPTIONS)[K]['default'], undefined>;
};
/** The defaults, from the definition. */
export const GENERIC_REDIS_CACHE_DEFAULTS = Object.fromEntries(
  Object.entries(GENERIC_REDIS_CACHE_OPTIONS as Record<string, OptionDefinition>)
    .filter(([, d]) => d.default !== undefined)
    .map(([name, d]) => [name, d.default]),
) as { [K in keyof Defaulted as Defaulted[K] extends never ? never : K]: Defaulted[K] };

/** Validates every option, collecting all problems into one `ValidationError`. */
export function resolveRedisCacheOptions(options: GenericRedisCacheOptions): ResolvedRedisCacheOptions {
  assertKnownOptions(options, GENERIC_REDIS_CACHE_OPTION_NAMES);
  const o = { ...GENERIC_REDIS_CACHE_DEFAULTS, ...stripUndefined(options) };
  const errors: string[] = [];
  const explicitTopology = topologyFromOptions(
    options.cluster,
    options.sentinel,
    options.security?.tls?.enabled === true,
  );
  if (options.redisClient === undefined && explicitTopology === undefined) {
    const urlProblem = redisUrlProblem(o.redisUrl);
    if (urlProblem) errors.push(urlProblem);
  } else if (options.redisClient !== undefined)
    if (typeof options.redisClient?.getBuffer !== 'function') {
      errors.push('redisClient must be an ioredis client');
    }
  for (const [name, definition] of Object.entries(GENERIC_REDIS_CACHE_OPTIONS) as [
    string,
    OptionDefinition,
  ][]) {
    const problem = optionProblem(name, definition.kind, o[name as keyof typeof o]);
    if (problem !== undefined) errors.push(problem);
  }
  const ttl = lifetimeProblem(o.defaultTtl, 'defaultTtl');
  const commandTimeout = waitProblem(o.commandTimeout, 'commandTimeout');
  const connectTimeout = waitProblem(o.connectTimeout, 'connectTimeout');
  const probeInterval = o.probeInterval === 0 ? 0 : waitProblem(o.probeInterval, 'probeInterval');
  const memoryCacheTtl = lifetimeProblem(o.memoryCacheTtl, 'memoryCacheTtl');
  const coherence = resolveCoherence(
    options,
    o.enableMemoryCache && o.memoryCacheSize > 0,
    typeof memoryCacheTtl === 'number' && memoryCacheTtl > 0,
    errors,
  );
  const bus = options.bus;
  const busChannelGiven = typeof bus === 'object' && bus !== null ? bus.channel : undefined;
  if (bus !== undefined && typeof bus !== 'boolean' && (typeof bus !== 'object' || bus === null)) {
    errors.push('bus must be a boolean or { channel?: string }');
  } else if (
    busChannelGiven !== undefined &&
    (typeof busChannelGiven !== 'string' || busChannelGiven === '')
  ) {
    errors.push('bus.channel must be a non-empty string');
  }
  const trackingMode = resolveTrackingMode(options.tracking, errors);
  const circuitBreaker = collect(() => resolveBreakerOptions(options.circuitBreaker), errors);
  const hotKeys = collect(() => resolveHotKeys(o.hotKeys), errors);
  const ttlJitter = collect(() => resolveJitter(options.ttlJitter), errors);
  const random = collect(() => resolveRandom(options.random), errors);
  if (errors.length > 0) throw new ValidationError(errors.join('; '), { errors });
  const auxPrefix = auxPrefixOf(o.keyPrefix);
  return {
    redisUrl: o.redisUrl,
    topology:
      explicitTopology ??
      (options.redisClient
        ? topologyOfUrl(GENERIC_REDIS_CACHE_DEFAULTS.redisUrl)
        : topologyOfUrl(o.redisUrl)),
    redisClient: options.redisClient,
    defaultTtl: (ttl as number) / 1000,
    memoryCacheSize: o.enableMemoryCache ? o.memoryCacheSize : 0,
    memoryCachePolicy: o.memoryCachePolicy,
    compressionThreshold: o.compressionThreshold,
    compressionLevel: o.compressionLevel,
    compressionAlgorithm: o.compressionAlgorithm,
    keyPrefix: o.keyPrefix,
    commandTimeout: commandTimeout as number,
    connectTimeout: connectTimeout as number,
    probeInterval: probeInterval as number,
    hotKeys: hotKeys ?? undefined,
    autoPipelining: o.autoPipelining,
    logger: options.logger,
    clock: options.clock,
    security: options.security,
    encryptionKey: options.encryptionKey,
    coherence,
    coherenceAuto: (options.coherence ?? 'auto') === 'auto' && options.bus === undefined,
    busChannel:
      coherence === 'bus' || coherence === 'tracking' ? (busChannelGiven ?? `${auxPrefix}bus`) : undefined,
    trackingMode: trackingMode ?? 'broadcast',
    memoryCacheTtlMs: typeof memoryCacheTtl === 'number' ? memoryCacheTtl : 0,
    circuitBreaker,
    ttlJitter: ttlJitter ?? 0,
    random: random ?? Math.random,
    auxPrefix,
    strict: o.strict,
    staleOnOutage: o.staleOnOutage,
  };
}

/** Every problem with these options, as messages (empty when they are valid): for the other doors. */
export function redisOptionProblems(options: GenericRedisCacheOptions): string[] {
  try {
    resolveRedisCacheOptions(options);
    return [];
  } catch (error) {
    if (error instanceof ValidationError) return error.errors;
    throw error;
  }
}

/** The value of a check that throws `ValidationError`, or its messages added to `errors`. */
function collect<T>(check: () => T, errors: string[]): T | undefined {
  try {
    return check();
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    errors.push(...error.errors);
    return undefined;
  }
}
