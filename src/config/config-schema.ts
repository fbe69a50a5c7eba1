import type { TextSizeTiers } from '../ai/text-tiers.js';
import type { GENERIC_REDIS_CACHE_OPTION_NAMES, GenericRedisCacheOptions } from '../redis/options.js';

type RedisOptionName = (typeof GENERIC_REDIS_CACHE_OPTION_NAMES)[number];

/**
 * GenericRedisCache options a configuration carries under the same name and meaning (JSON values), on
 * top of the ones `CacheConfig` names itself (`redisUrl`, `defaultTtl`, `memoryCacheSize`, compression).
 */
export const CONFIG_REDIS_OPTION_KEYS = [
  'enableMemoryCache',
  'memoryCacheTtl',
  'compressionAlgorithm',
  'keyPrefix',
  'commandTimeout',
  'connectTimeout',
  'autoPipelining',
  'coherence',
  'bus',
  'circuitBreaker',
  'ttlJitter',
  'strict',
  'staleOnOutage',
] as const satisfies readonly RedisOptionName[];

/** GenericRedisCache options a configuration cannot carry, and where each belongs instead. */
export const CODE_ONLY_REDIS_OPTIONS = {
  redisClient: 'an ioredis client is passed in code: new GenericRedisCache({ redisClient })',
  logger: 'a logger is passed in code: new CacheFactory({ logger }) or the cache constructor',
  clock: 'a clock is passed in code (tests): the cache constructor',
  random: 'a random source is passed in code (tests): the cache constructor',
  cluster: 'give a Cluster as redisUrl: redis+cluster://host:port,host:port',
  sentinel: 'give a Sentinel master as redisUrl: redis+sentinel://host:port,host:port/masterName',
  encryptionKey: 'set security.encryptionKeys (or CACHE_ENCRYPTION_KEY)',
  security: 'set the security section (password, username, tlsEnabled, ...; see docs/configuration.md)',
} as const satisfies Partial<Record<RedisOptionName, string>>;

// Compile-time guard: every GenericRedisCache option is either configurable or has a stated home.
type Unplaced = Exclude<
  RedisOptionName,
  | (typeof CONFIG_REDIS_OPTION_KEYS)[number]
  | keyof typeof CODE_ONLY_REDIS_OPTIONS
  | 'redisUrl'
  | 'defaultTtl'
  | 'memoryCacheSize'
  | 'compressionThreshold'
  | 'compressionLevel'
>;
const everyOptionPlaced: [Unplaced] extends [never] ? true : Unplaced = true;
void everyOptionPlaced;

/** The GenericRedisCache settings a configuration may carry as they are. */
export type ConfigRedisOptions = Pick<GenericRedisCacheOptions, (typeof CONFIG_REDIS_OPTION_KEYS)[number]>;

export type PresetName =
  'disabled' | 'minimal' | 'simple' | 'development' | 'production' | 'ai-development' | 'ai-production';
export const PRESET_NAMES: readonly PresetName[] = [
  'disabled',
  'minimal',
  'simple',
  'development',
  'production',
  'ai-development',
  'ai-production',
];
/** Presets that demand TLS, a password and an encryption key for Redis (SPEC §7). */
export const PRODUCTION_PRESETS: readonly PresetName[] = ['production', 'ai-production'];

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** AI settings of a configuration (SPEC §7). */
export interface AIConfig {
  textHashThreshold: number;
  textSizeTiers: TextSizeTiers;
  /** Seconds per operation. */
  operationTtls: Record<string, number>;
  /** Longest text accepted, in code points. */
  maxTextLength: number;
}

/** How tiercache reaches Redis securely. Secrets here are never printed (see `redactConfig`). */
export interface SecurityConfig {
  password?: string;
  /** ACL user name. */
  username?: string;
  tlsEnabled: boolean;
  tlsCaPath?: string;
  tlsCertPath?: string;
  tlsKeyPath?: string;
  verifyCertificates: boolean;
  /** Encryption keys (first encrypts, all decrypt). */
  encryptionKeys?: string[];
  /** Let a production setup run without TLS, password or encryption key (loudly). */
  allowInsecurePlaintext: boolean;
}

/** The one configuration type: what a preset, the environment and code settle on. */
export interface CacheConfig extends Omit<ConfigRedisOptions, 'defaultTtl'> {
  preset: PresetName;
  /** `redis://`, `rediss://` URL; none = in-memory cache. */
  redisUrl?: string;
  /** Seconds. */
  defaultTtl: number;
  memoryCacheSize: number;
  compressionThreshold: number;
  compressionLevel: number;
  enableAiCache: boolean;
  enableMonitoring: boolean;
  logLevel: LogLevel;
  /** Set when AI caching is on. */
  aiConfig?: AIConfig;
  security: SecurityConfig;
  /** `NODE_ENV` or `ENVIRONMENT`, e.g. `production`. */
  environment: string;
}

/** Where a value came from: `preset:<name>`, `env:<VARIABLE>`, `custom` (CACHE_CUSTOM_CONFIG), `code` or `default`. */
export type ConfigSource = string;

/** Top-level keys a custom config (CACHE_CUSTOM_CONFIG or code overrides) may set. */
export const CONFIG_KEYS = [
  'preset',
  'redisUrl',
  'defaultTtl',
  'memoryCacheSize',
  'compressionThreshold',
  'compressionLevel',
  'enableAiCache',
  'enableMonitoring',
  'logLevel',
  'aiConfig',
  'security',
  'environment',
  ...CONFIG_REDIS_OPTION_KEYS,
] as const;
export const AI_CONFIG_KEYS = [
  'textHashThreshold',
  'textSizeTiers',
  'operationTtls',
  'maxTextLength',
] as const;
export const SECURITY_KEYS = [
  'password',
  'username',
  'tlsEnabled',
  'tlsCaPath',
  'tlsCertPath',
  'tlsKeyPath',
  'verifyCertificates',
  'encryptionKeys',
  'allowInsecurePlaintext',
] as const;

/** A partial configuration, as overrides from code or CACHE_CUSTOM_CONFIG. */
export type CacheConfigOverrides = Partial<Omit<CacheConfig, 'aiConfig' | 'security'>> & {
  aiConfig?: Partial<AIConfig>;
  security?: Partial<SecurityConfig>;
};
