import type { AIOptions } from '../ai/ai-options.js';
import type { AIResponseCache } from '../ai/ai-response-cache.js';
import { isPlainObject, pickDefined, stripUndefined } from '../core/objects.js';
import { CONFIG_REDIS_OPTION_KEYS, PRESET_NAMES, type CacheConfig } from '../config/config-schema.js';
import type { Env } from '../config/env.js';
import { aiProblems, commonProblems } from '../config/option-checks.js';
import { resolveConfig } from '../config/resolve-config.js';
import { validateConfig } from '../config/validator.js';
import { lifetimeOfSeconds, parseDuration } from '../core/duration.js';
import { ConfigurationError, ValidationError } from '../core/errors.js';
import { consoleLogger, createConsoleLogger, type Logger } from '../core/logger.js';
import type { CacheInterface } from '../core/types.js';
import type { InMemoryCache } from '../memory/in-memory-cache.js';
import { CachePerformanceMonitor } from '../monitoring/performance-monitor.js';
import type { GenericRedisCache } from '../redis/generic-redis-cache.js';
import { redisOptionProblems, type GenericRedisCacheOptions } from '../redis/options.js';
import { buildCache, type BuildPlan } from './build-cache.js';
import {
  AI_OPTION_NAMES,
  COMMON_OPTION_NAMES,
  REDIS_PASS_THROUGH,
  factoryDefaults,
  type AIAppCacheOptions,
  type FactoryCacheOptions,
  type TestingCacheOptions,
  type WebAppCacheOptions,
} from './factory-options.js';

export interface CacheFactoryOptions {
  /** Shared by every cache this factory builds. @default a new CachePerformanceMonitor */
  performanceMonitor?: CachePerformanceMonitor;
  /** @default console warnings and errors */
  logger?: Logger;
}

/** How `fromEnvironment` and `fromConfig` treat a Redis that is unreachable at start. */
export interface FromConfigOptions {
  /** true: an in-memory cache instead (logged as an error); false: the Redis cache, degraded. @default true */
  fallbackToMemory?: boolean;
}

const FACTORY_PREFIX = 'Factory input validation failed: ';
const AI_PREFIX = 'AI application cache validation failed: ';

/** Builds caches for the usual situations (SPEC §6); every option is checked and honoured. */
export class CacheFactory {
  /** The monitor every cache built here reports to. */
  readonly performanceMonitor: CachePerformanceMonitor;
  readonly #logger: Logger;

  constructor(options: CacheFactoryOptions = {}) {
    this.performanceMonitor = options.performanceMonitor ?? new CachePerformanceMonitor();
    this.#logger = options.logger ?? consoleLogger;
  }

  /** A Redis cache with an L1 for web applications; in-memory when Redis is unreachable. */
  async forWebApp(options: WebAppCacheOptions = {}): Promise<GenericRedisCache | InMemoryCache> {
    const o = this.#check(options, factoryDefaults('forWebApp'), COMMON_OPTION_NAMES, FACTORY_PREFIX, []);
    return (await buildCache(this.#plan('web application', o, undefined))) as
      GenericRedisCache | InMemoryCache;
  }

  /** An AIResponseCache over Redis; over an in-memory cache (AI features kept) when Redis is unreachable. */
  async forAIApp(options: AIAppCacheOptions = {}): Promise<AIResponseCache> {
    const o = this.#check(
      options,
      factoryDefaults('forAIApp'),
      [...COMMON_OPTION_NAMES, ...AI_OPTION_NAMES],
      AI_PREFIX,
      aiProblems(options),
    );
    const ai: AIOptions & { hashAlgorithm?: string } = {};
    for (const name of AI_OPTION_NAMES) if (o[name] !== undefined) Object.assign(ai, { [name]: o[name] });
    return (await buildCache(this.#plan('AI application', o, ai))) as AIResponseCache;
  }

  /** A short-lived cache for tests (database 15, TTL 60 s, no L1), or an InMemoryCache with `useMemoryCache`. */
  async forTesting(options: TestingCacheOptions = {}): Promise<GenericRedisCache | InMemoryCache> {
    const extra =
      options.useMemoryCache !== undefined && typeof options.useMemoryCache !== 'boolean'
        ? ['useMemoryCache must be a boolean']
        : [];
    const o = this.#check(
      options,
      { ...factoryDefaults('forTesting'), useMemoryCache: false },
      [...COMMON_OPTION_NAMES, 'useMemoryCache'],
      FACTORY_PREFIX,
      extra,
    );
    const plan = this.#plan('testing', o, undefined);
    if (o.useMemoryCache) plan.redis = undefined;
    return (await buildCache(plan)) as GenericRedisCache | InMemoryCache;
  }

  /**
   * A cache from a configuration object: an AI cache when it has `enableAiCache` or `aiConfig`, an
   * in-memory cache for `preset: 'disabled'`, else a web cache on `redisUrl`.
   */
  async createCacheFromConfig(
    config: Record<string, unknown>,
    options: { failOnConnectionError?: boolean } = {},
  ): Promise<CacheInterface> {
    const errors: string[] = [];
    if (!isPlainObject(config))
      throw factoryError(FACTORY_PREFIX, ['config must be a dictionary (a plain object)']);
    if (Object.keys(config).length === 0)
      throw factoryError(FACTORY_PREFIX, [
        'config dictionary cannot be empty: redisUrl is required in config',
      ]);
    if (options.failOnConnectionError !== undefined && typeof options.failOnConnectionError !== 'boolean') {
      errors.push('failOnConnectionError must be a boolean');
    }
    const known = [
      ...COMMON_OPTION_NAMES,
      'preset',
      'enableAiCache',
      'aiConfig',
      'enableMonitoring',
      'logLevel',
    ];
    for (const name of Object.keys(config)) if (!known.includes(name)) errors.push(`unknown option: ${name}`);
    if (config.preset !== undefined && !PRESET_NAMES.includes(config.preset as never)) {
      errors.push(`preset must be one of ${PRESET_NAMES.join(', ')}`);
    }
    const disabled = config.preset === 'disabled';
    if (!disabled && config.redisUrl === undefined) errors.push('redisUrl is required in config');
    errors.push(...commonProblems(config));
    if (config.aiConfig !== undefined && !isPlainObject(config.aiConfig))
      errors.push('aiConfig must be a dictionary (a plain object)');
    else if (config.aiConfig) errors.push(...aiProblems(config.aiConfig));
    if (errors.length > 0) throw factoryError(FACTORY_PREFIX, errors);
    const wantsAi = config.enableAiCache === true || config.aiConfig !== undefined;
    const defaults = factoryDefaults(wantsAi ? 'forAIApp' : 'forWebApp');
    const given = Object.fromEntries(
      COMMON_OPTION_NAMES.filter((n) => config[n] !== undefined).map((n) => [n, config[n]]),
    );
    const o = {
      ...defaults,
      ...given,
      failOnConnectionError: options.failOnConnectionError ?? false,
    } as Required<FactoryCacheOptions>;
    const plan = this.#plan(
      'configured',
      o,
      wantsAi ? { ...(config.aiConfig as AIOptions | undefined) } : undefined,
    );
    if (disabled) plan.redis = undefined;
    return buildCache(plan);
  }

  /**
   * The cache the environment describes (CACHE_PRESET, CACHE_REDIS_URL, ... see docs/configuration.md).
   * `fallbackToMemory: false` keeps a Redis cache whose Redis is unreachable at start (degraded, it
   * reconnects by itself) instead of the original's in-memory fallback; the service always passes it.
   */
  async fromEnvironment(env: Env = process.env, options: FromConfigOptions = {}): Promise<CacheInterface> {
    const { config } = resolveConfig({ env });
    return this.fromConfig(config, options);
  }

  /** The cache of a resolved configuration; invalid or insecure production settings fail fast. */
  async fromConfig(config: CacheConfig, options: FromConfigOptions = {}): Promise<CacheInterface> {
    if (options.fallbackToMemory !== undefined && typeof options.fallbackToMemory !== 'boolean')
      throw new ValidationError('fallbackToMemory must be a boolean', { option: 'fallbackToMemory' });
    const result = validateConfig(config);
    if (!result.isValid)
      throw new ConfigurationError(`cache configuration is invalid: ${result.errors.join('; ')}`, {});
    const logger = this.#logger === consoleLogger ? createConsoleLogger(config.logLevel) : this.#logger;
    for (const warning of result.warnings) logger.warn({}, warning);
    const ttl = lifetimeOfSeconds(parseDuration(config.defaultTtl, 'defaultTtl'));
    const s = config.security;
    const redis: GenericRedisCacheOptions | undefined =
      config.redisUrl && config.preset !== 'disabled'
        ? {
            redisUrl: config.redisUrl,
            defaultTtl: ttl,
            memoryCacheSize: config.memoryCacheSize,
            compressionThreshold: config.compressionThreshold,
            compressionLevel: config.compressionLevel,
            ...pickDefined(config, CONFIG_REDIS_OPTION_KEYS),
            ...(s.encryptionKeys !== undefined &&
              s.encryptionKeys.length > 0 && { encryptionKey: s.encryptionKeys }),
            security: {
              ...(s.password !== undefined && { password: s.password }),
              ...(s.username !== undefined && { username: s.username }),
              tls: {
                enabled: s.tlsEnabled,
                caPath: s.tlsCaPath,
                certPath: s.tlsCertPath,
                keyPath: s.tlsKeyPath,
                verifyCertificates: s.verifyCertificates,
              },
            },
          }
        : undefined;
    return buildCache({
      label: config.enableAiCache ? 'AI application' : 'web application',
      redis,
      memory: { defaultTtl: ttl, maxSize: config.memoryCacheSize, policy: config.memoryCachePolicy },
      ai: config.enableAiCache ? { ...config.aiConfig } : undefined,
      failOnConnectionError: false,
      fallbackToMemory: options.fallbackToMemory ?? true,
      monitor: config.enableMonitoring ? this.performanceMonitor : undefined,
      logger,
    });
  }

  #check<T extends object, D extends object>(
    options: T,
    defaults: D,
    known: readonly string[],
    prefix: string,
    extra: string[],
  ): Required<FactoryCacheOptions> & D & T {
    if (!isPlainObject(options))
      throw factoryError(prefix, ['options must be a dictionary (a plain object)']);
    const errors = Object.keys(options)
      .filter((name) => !known.includes(name))
      .map((name) => `unknown option: ${name}`);
    errors.push(...commonProblems(options), ...extra);
    if (errors.length === 0) {
      // Every other Redis option is checked by the cache's own validator (the same messages as the cache).
      const redis = pickDefined(options as FactoryCacheOptions, REDIS_PASS_THROUGH);
      errors.push(
        ...redisOptionProblems({ ...pickDefined(defaults as FactoryCacheOptions, ['redisUrl']), ...redis }),
      );
    }
    if (errors.length > 0) throw factoryError(prefix, errors);
    return { ...defaults, ...stripUndefined(options) } as Required<FactoryCacheOptions> & D & T;
  }

  #plan(label: string, o: Required<FactoryCacheOptions>, ai: AIOptions | undefined): BuildPlan {
    const ttl = lifetimeOfSeconds(parseDuration(o.defaultTtl, 'defaultTtl'));
    const redis: GenericRedisCacheOptions = { ...pickDefined(o, REDIS_PASS_THROUGH), defaultTtl: ttl };
    return {
      label,
      redis,
      memory: { defaultTtl: ttl, maxSize: o.memoryCacheSize, policy: o.memoryCachePolicy },
      ai,
      failOnConnectionError: o.failOnConnectionError,
      fallbackToMemory: true,
      monitor: this.performanceMonitor,
      logger: o.logger ?? this.#logger,
    };
  }
}

function factoryError(prefix: string, errors: string[]): ValidationError {
  return new ValidationError(prefix + errors.join('; '), { errors });
}
