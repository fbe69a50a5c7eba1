import { stripUndefined } from '../core/objects.js';
import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { lifetimeProblem, waitProblem, type Duration } from '../core/duration.js';
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
  /** Serialized size in bytes from which values are compressed. @default 1000 */
  compressionThreshold?: number;
  /** Compression level 1–9. @default 6 */
  compressionLevel?: number;
  /** @default 'deflate' */
  compressionAlgorithm?: CompressionAlgorithm;
  /** Prefix of every Redis key this cache owns; `clear()` and patterns never leave it. @default 'tiercache:' */
  keyPrefix?: string;
  /** How long a Redis command may take before the cache falls back to L1 (a number is milliseconds). @default 500 */
  commandTimeout?: Duration;
  /** How long `connect()` waits for Redis (a number is milliseconds). @default 2000 */
  connectTimeout?: Duration;
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
   * `'auto'` picks the best mode available (today the bus), `'bus'` publishes every change on a Redis
   * channel and drops peers' changes from L1 (one extra connection), `'none'` trusts L1 until its copy
   * expires, so it needs `memoryCacheTtl`. Irrelevant without L1. @default 'auto'
   */
  coherence?: CoherenceMode;
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

export type CoherenceMode = 'auto' | 'bus' | 'none';
export const COHERENCE_MODES: readonly CoherenceMode[] = ['auto', 'bus', 'none'];

export const GENERIC_REDIS_CACHE_DEFAULTS = {
  redisUrl: 'redis://localhost:6379',
  defaultTtl: 3600,
  enableMemoryCache: true,
  memoryCacheSize: 100,
  compressionThreshold: 1000,
  compressionLevel: 6,
  compressionAlgorithm: 'deflate',
  keyPrefix: 'tiercache:',
  commandTimeout: 500,
  connectTimeout: 2000,
  autoPipelining: true,
  coherence: 'auto',
  memoryCacheTtl: 0,
  strict: false,
  staleOnOutage: true,
} as const;

export interface ResolvedRedisCacheOptions {
  redisUrl: string;
  /** Where Redis is (from `cluster`, `sentinel` or `redisUrl`). */
  topology: Topology;
  redisClient: Redis | undefined;
  defaultTtl: number;
  memoryCacheSize: number;
  compressionThreshold: number;
  compressionLevel: number;
  compressionAlgorithm: CompressionAlgorithm;
  keyPrefix: string;
  commandTimeout: number;
  connectTimeout: number;
  autoPipelining: boolean;
  logger: Logger | undefined;
  clock: Clock | undefined;
  security: RedisSecurityOptions | undefined;
  encryptionKey: string | string[] | undefined;
  /** The coherence mode in force: `'bus'` or `'none'`; `'off'` without L1 (nothing to keep coherent). */
  coherence: 'bus' | 'none' | 'off';
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

/** Every option name of a GenericRedisCache: the list every other door (factory, config) derives from. */
export const GENERIC_REDIS_CACHE_OPTION_NAMES = [
  'redisUrl',
  'cluster',
  'sentinel',
  'redisClient',
  'defaultTtl',
  'enableMemoryCache',
  'memoryCacheSize',
  'memoryCacheTtl',
  'compressionThreshold',
  'compressionLevel',
  'compressionAlgorithm',
  'keyPrefix',
  'commandTimeout',
  'connectTimeout',
  'autoPipelining',
  'encryptionKey',
  'security',
  'logger',
  'clock',
  'coherence',
  'bus',
  'circuitBreaker',
  'ttlJitter',
  'random',
  'strict',
  'staleOnOutage',
] as const satisfies readonly (keyof GenericRedisCacheOptions)[];

// Compile-time guard: an option added to the interface but not to the list above fails the build.
type UnlistedOption = Exclude<
  keyof GenericRedisCacheOptions,
  (typeof GENERIC_REDIS_CACHE_OPTION_NAMES)[number]
>;
const everyOptionListed: [UnlistedOption] extends [never] ? true : UnlistedOption = true;
void everyOptionListed;

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
  const ttl = lifetimeProblem(o.defaultTtl, 'defaultTtl');
  if (typeof ttl === 'string') errors.push(ttl);
  if (typeof o.enableMemoryCache !== 'boolean') errors.push('enableMemoryCache must be a boolean');
  if (!isInt(o.memoryCacheSize, 0, 10_000_000)) errors.push('memoryCacheSize must be a positive integer');
  if (!isInt(o.compressionThreshold, 0, 104_857_600))
    errors.push('compressionThreshold must be a non-negative integer');
  if (!isInt(o.compressionLevel, 1, 9)) errors.push('compressionLevel must be an integer between 1 and 9');
  if (o.compressionAlgorithm !== 'deflate' && o.compressionAlgorithm !== 'brotli') {
    errors.push("compressionAlgorithm must be 'deflate' or 'brotli'");
  }
  if (typeof o.keyPrefix !== 'string' || o.keyPrefix === '') {
    errors.push('keyPrefix must be a non-empty string (clear() and patterns only touch keys under it)');
  }
  const commandTimeout = positiveWait(o.commandTimeout, 'commandTimeout', errors);
  const connectTimeout = positiveWait(o.connectTimeout, 'connectTimeout', errors);
  if (typeof o.autoPipelining !== 'boolean') errors.push('autoPipelining must be a boolean');
  if (typeof o.strict !== 'boolean') errors.push('strict must be a boolean');
  if (typeof o.staleOnOutage !== 'boolean') errors.push('staleOnOutage must be a boolean');
  const memoryCacheTtl = lifetimeProblem(o.memoryCacheTtl, 'memoryCacheTtl');
  if (typeof memoryCacheTtl === 'string') errors.push(memoryCacheTtl);
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
  const circuitBreaker = collect(() => resolveBreakerOptions(options.circuitBreaker), errors);
  const ttlJitter = collect(() => resolveJitter(options.ttlJitter), errors);
  const random = collect(() => resolveRandom(options.random), errors);
  if (errors.length > 0) throw new ValidationError(errors.join('; '), { errors });
  const auxPrefix = `__tiercache__:${o.keyPrefix}`;
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
    compressionThreshold: o.compressionThreshold,
    compressionLevel: o.compressionLevel,
    compressionAlgorithm: o.compressionAlgorithm,
    keyPrefix: o.keyPrefix,
    commandTimeout,
    connectTimeout,
    autoPipelining: o.autoPipelining,
    logger: options.logger,
    clock: options.clock,
    security: options.security,
    encryptionKey: options.encryptionKey,
    coherence,
    busChannel: coherence === 'bus' ? (busChannelGiven ?? `${auxPrefix}bus`) : undefined,
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

/**
 * The coherence mode from `coherence` and its synonym `bus`: `'auto'` is the bus today; `'none'` is
 * accepted only with an L1 TTL cap, since nothing else would ever tell L1 of a peer's write.
 */
function resolveCoherence(
  options: GenericRedisCacheOptions,
  withL1: boolean,
  capped: boolean,
  errors: string[],
): 'bus' | 'none' | 'off' {
  const { coherence, bus } = options;
  if (coherence !== undefined && !COHERENCE_MODES.includes(coherence)) {
    errors.push(`coherence must be one of ${COHERENCE_MODES.map((m) => `'${m}'`).join(', ')}`);
    return 'off';
  }
  const fromBus = bus === undefined ? undefined : bus === false ? 'none' : 'bus';
  if (coherence !== undefined && coherence !== 'auto' && fromBus !== undefined && coherence !== fromBus) {
    errors.push(`coherence '${coherence}' contradicts bus: ${String(bus !== false)}; give only coherence`);
  }
  const mode = coherence === 'none' || fromBus === 'none' ? 'none' : 'bus';
  if (!withL1) return 'off';
  if (mode === 'none' && !capped) {
    errors.push(
      "coherence 'none' (or bus: false) needs memoryCacheTtl, an L1 TTL cap such as '5s': without coherence, L1 serves a value written or deleted by another instance until its copy expires",
    );
  }
  return mode;
}

/** A wait of at least 1 ms (and at most 10 minutes), in milliseconds; its problem added to `errors`. */
function positiveWait(value: unknown, name: string, errors: string[]): number {
  const ms = waitProblem(value, name);
  if (typeof ms === 'string') errors.push(ms);
  else if (ms < 1 || ms > 600_000) errors.push(`${name} must be between 1 ms and 10 minutes`);
  else return ms;
  return 0;
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

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
