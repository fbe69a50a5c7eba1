import { lifetimeProblem } from '../core/duration.js';
import { redisOptionProblems, type GenericRedisCacheOptions } from '../redis/options.js';
import { CONFIG_REDIS_OPTION_KEYS, LOG_LEVELS, PRESET_NAMES, type CacheConfig } from './config-schema.js';
import { aiProblems, commonProblems, missingFiles } from './option-checks.js';
import { isProduction, missingProductionSecurity } from './security-rules.js';

/** The one validation result type (SPEC §7). */
export interface ValidationResult {
  isValid: boolean;
  errors: string[];
  warnings: string[];
  recommendations: string[];
}

const THIRTY_DAYS = 30 * 86_400;

/** Errors (invalid values, insecure production), warnings (legal but risky) and recommendations. */
export function validateConfig(config: CacheConfig): ValidationResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const recommendations: string[] = [];
  if (!PRESET_NAMES.includes(config.preset)) errors.push(`preset must be one of ${PRESET_NAMES.join(', ')}`);
  errors.push(...commonProblems(config));
  if (typeof config.enableAiCache !== 'boolean') errors.push('enableAiCache must be a boolean');
  if (typeof config.enableMonitoring !== 'boolean') errors.push('enableMonitoring must be a boolean');
  if (!LOG_LEVELS.includes(config.logLevel)) errors.push(`logLevel must be one of ${LOG_LEVELS.join(', ')}`);
  if (config.aiConfig) errors.push(...aiProblems(config.aiConfig));
  // The cache's own settings are checked by the cache's own validator: one definition, one message.
  const redisSettings: GenericRedisCacheOptions = {};
  for (const name of CONFIG_REDIS_OPTION_KEYS)
    if (config[name] !== undefined) Object.assign(redisSettings, { [name]: config[name] });
  if (Object.keys(redisSettings).length > 0) {
    if (typeof config.memoryCacheSize === 'number') redisSettings.memoryCacheSize = config.memoryCacheSize;
    errors.push(...redisOptionProblems(redisSettings).filter((e) => !errors.includes(e)));
  }
  const { security } = config;
  errors.push(
    ...missingFiles({
      tlsCaPath: security.tlsCaPath,
      tlsCertPath: security.tlsCertPath,
      tlsKeyPath: security.tlsKeyPath,
    }),
  );

  const insecure = missingProductionSecurity(config);
  if (insecure.length > 0 && security.allowInsecurePlaintext) {
    warnings.push(
      `INSECURE: production cache running without protection because REDIS_INSECURE_ALLOW_PLAINTEXT=true: ${insecure.join('; ')}`,
    );
  } else {
    errors.push(...insecure.map((m) => `production requires a secure Redis connection: ${m}`));
  }
  if (isProduction(config) && !config.redisUrl && config.preset !== 'disabled') {
    warnings.push(
      'no Redis configured in production: each process has its own cache, lost on restart (set CACHE_REDIS_URL)',
    );
  }
  if (typeof config.memoryCacheSize === 'number' && config.memoryCacheSize > 100_000) {
    warnings.push(`memoryCacheSize ${config.memoryCacheSize} is above 100,000 entries: watch process memory`);
  }
  const ttlMs = lifetimeProblem(config.defaultTtl, 'defaultTtl');
  if (typeof ttlMs === 'number' && ttlMs > THIRTY_DAYS * 1000)
    warnings.push(`defaultTtl of ${ttlMs / 1000} s is above 30 days: stale data may linger`);
  for (const [op, seconds] of Object.entries(config.aiConfig?.operationTtls ?? {})) {
    if (typeof seconds === 'number' && seconds > THIRTY_DAYS)
      warnings.push(`operationTtls['${op}'] is above 30 days`);
  }

  if (
    config.enableAiCache &&
    typeof config.compressionThreshold === 'number' &&
    config.compressionThreshold > 65_536
  ) {
    recommendations.push(
      'compress large AI responses: set compressionThreshold to 65536 bytes or less (default 16384)',
    );
  }
  if (isProduction(config) && !config.enableMonitoring)
    recommendations.push('enable monitoring in production to see hit rates and latency');
  if (config.enableAiCache && (config.aiConfig?.textHashThreshold ?? 0) > 0) {
    recommendations.push(
      'texts under textHashThreshold appear in cache keys: set it to 0 to hash every text if they may hold personal data',
    );
  }
  if (config.redisUrl && typeof config.memoryCacheSize === 'number' && config.memoryCacheSize < 50) {
    recommendations.push('a larger memoryCacheSize (e.g. 100+) lets hot keys skip the Redis round trip');
  }
  return { isValid: errors.length === 0, errors, warnings, recommendations };
}
