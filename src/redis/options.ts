import type { Redis } from 'ioredis';
import type { Clock } from '../core/clock.js';
import { durationProblem, type Duration } from '../core/duration.js';
import { ValidationError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { assertKnownOptions } from '../core/options.js';
import { resolveJitter, resolveRandom } from '../core/write-plan.js';
import { resolveBreakerOptions, type CircuitBreakerOptions } from './circuit-breaker.js';
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
  /** Milliseconds a Redis command may take before the cache falls back to L1. @default 500 */
  commandTimeout?: number;
  /** Milliseconds `connect()` waits for Redis. @default 2000 */
  connectTimeout?: number;
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
   * Cross-instance L1 coherence: publish every change on a Redis channel and drop peers' changes from L1
   * (one extra connection). `true`, or `{ channel }` to name the channel. @default false
   */
  bus?: boolean | { channel?: string };
  /** Stop sending commands to a failing Redis for a while (`false` = off). @default { failureThreshold: 5, resetTimeout: 2000 } */
  circuitBreaker?: CircuitBreakerOptions | false;
  /** Spread each TTL by ± this fraction (0.1 = ±10%). @default 0 */
  ttlJitter?: number;
  /** Source of randomness for `ttlJitter`, numbers in [0, 1). @default Math.random */
  random?: () => number;
}

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
  /** The bus channel, or undefined when the bus is off. */
  busChannel: string | undefined;
  circuitBreaker: Required<CircuitBreakerOptions> | undefined;
  ttlJitter: number;
  random: () => number;
  /** Prefix of tiercache's own keys (locks, tag sets, bus channel): outside `keyPrefix`. */
  auxPrefix: string;
}

const KNOWN = Object.keys(GENERIC_REDIS_CACHE_DEFAULTS).concat([
  'redisClient',
  'logger',
  'clock',
  'security',
  'encryptionKey',
  'bus',
  'circuitBreaker',
  'ttlJitter',
  'random',
  'cluster',
  'sentinel',
]);

/** Validates every option, collecting all problems into one `ValidationError`. */
export function resolveRedisCacheOptions(options: GenericRedisCacheOptions): ResolvedRedisCacheOptions {
  assertKnownOptions(options, KNOWN);
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
  const ttl = durationProblem(o.defaultTtl, 'defaultTtl');
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
  if (!isInt(o.commandTimeout, 1, 600_000))
    errors.push('commandTimeout must be a positive integer of milliseconds');
  if (!isInt(o.connectTimeout, 1, 600_000))
    errors.push('connectTimeout must be a positive integer of milliseconds');
  if (typeof o.autoPipelining !== 'boolean') errors.push('autoPipelining must be a boolean');
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
    defaultTtl: ttl as number,
    memoryCacheSize: o.enableMemoryCache ? o.memoryCacheSize : 0,
    compressionThreshold: o.compressionThreshold,
    compressionLevel: o.compressionLevel,
    compressionAlgorithm: o.compressionAlgorithm,
    keyPrefix: o.keyPrefix,
    commandTimeout: o.commandTimeout,
    connectTimeout: o.connectTimeout,
    autoPipelining: o.autoPipelining,
    logger: options.logger,
    clock: options.clock,
    security: options.security,
    encryptionKey: options.encryptionKey,
    busChannel: bus ? (busChannelGiven ?? `${auxPrefix}bus`) : undefined,
    circuitBreaker: resolveBreakerOptions(options.circuitBreaker),
    ttlJitter: resolveJitter(options.ttlJitter),
    random: resolveRandom(options.random),
    auxPrefix,
  };
}

function isInt(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function stripUndefined<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as Partial<T>;
}
