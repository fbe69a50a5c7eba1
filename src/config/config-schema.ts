import type { KeyScheme } from '../ai/key-generator.js';
import type { TextSizeTiers } from '../ai/text-tiers.js';
import { AI_OPTIONS, AI_OPTION_NAMES } from '../ai/ai-options.js';
import {
  GENERIC_REDIS_CACHE_OPTIONS,
  GENERIC_REDIS_CACHE_OPTION_NAMES,
  type GenericRedisCacheOptionName,
  type GenericRedisCacheOptions,
} from '../redis/options.js';

type Definitions = typeof GENERIC_REDIS_CACHE_OPTIONS;
/** Options that `CacheConfig` names itself (SPEC §7), with their own env variables and checks. */
type NamedByConfig =
  'redisUrl' | 'defaultTtl' | 'memoryCacheSize' | 'compressionThreshold' | 'compressionLevel';
// prettier-ignore
const NAMED_BY_CONFIG: readonly string[] = ['redisUrl', 'defaultTtl', 'memoryCacheSize', 'compressionThreshold', 'compressionLevel'] satisfies NamedByConfig[];
type ConfigRedisOptionName = Exclude<
  {
    [K in GenericRedisCacheOptionName]: Definitions[K]['config'] extends true ? K : never;
  }[GenericRedisCacheOptionName],
  NamedByConfig
>;

/**
 * GenericRedisCache options a configuration carries under the same name and meaning (JSON values), on
 * top of the ones `CacheConfig` names itself: those the option definition marks `config: true`.
 */
export const CONFIG_REDIS_OPTION_KEYS = GENERIC_REDIS_CACHE_OPTION_NAMES.filter(
  (name) => GENERIC_REDIS_CACHE_OPTIONS[name].config === true && !NAMED_BY_CONFIG.includes(name),
) as ConfigRedisOptionName[];

/** Where an option a configuration cannot carry belongs instead (from the option definition). */
export function codeOnlyHome(name: string): string | undefined {
  if (!Object.hasOwn(GENERIC_REDIS_CACHE_OPTIONS, name)) return undefined;
  const { config } = GENERIC_REDIS_CACHE_OPTIONS[name as GenericRedisCacheOptionName];
  return config === true ? undefined : config;
}

/** The GenericRedisCache settings a configuration may carry as they are. */
export type ConfigRedisOptions = Pick<GenericRedisCacheOptions, ConfigRedisOptionName>;

export type PresetName =
  'disabled' | 'minimal' | 'simple' | 'development' | 'production' | 'ai-development' | 'ai-production';
// prettier-ignore
export const PRESET_NAMES: readonly PresetName[] = ['disabled', 'minimal', 'simple', 'development', 'production', 'ai-development', 'ai-production'];
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
  /** AI key format (`'v2'`: the original's, to share entries with it); absent = `'v3'`. */
  keyScheme?: KeyScheme;
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
// prettier-ignore
export const CONFIG_KEYS = ['preset', 'redisUrl', 'defaultTtl', 'memoryCacheSize', 'compressionThreshold', 'compressionLevel', 'enableAiCache', 'enableMonitoring', 'logLevel', 'aiConfig', 'security', 'environment', ...CONFIG_REDIS_OPTION_KEYS] as const;
export const AI_CONFIG_KEYS = AI_OPTION_NAMES.filter((name) => AI_OPTIONS[name].config === true);
// prettier-ignore
export const SECURITY_KEYS = ['password', 'username', 'tlsEnabled', 'tlsCaPath', 'tlsCertPath', 'tlsKeyPath', 'verifyCertificates', 'encryptionKeys', 'allowInsecurePlaintext'] as const;

/** A partial configuration, as overrides from code or CACHE_CUSTOM_CONFIG. */
export type CacheConfigOverrides = Partial<Omit<CacheConfig, 'aiConfig' | 'security'>> & {
  aiConfig?: Partial<AIConfig>;
  security?: Partial<SecurityConfig>;
};
