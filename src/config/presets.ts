import type { AIConfig, CacheConfig, PresetName } from './config-schema.js';

type PresetValues = Pick<
  CacheConfig,
  | 'defaultTtl'
  | 'memoryCacheSize'
  | 'compressionThreshold'
  | 'compressionLevel'
  | 'enableAiCache'
  | 'enableMonitoring'
  | 'logLevel'
> & { aiConfig?: AIConfig };

/** The preset table of SPEC §7, written once. Presets carry no Redis URL. */
export const PRESETS: Readonly<Record<PresetName, Readonly<PresetValues>>> = {
  disabled: {
    defaultTtl: 300,
    memoryCacheSize: 10,
    compressionThreshold: 10_000,
    compressionLevel: 1,
    enableAiCache: false,
    enableMonitoring: false,
    logLevel: 'warn',
  },
  minimal: {
    defaultTtl: 900,
    memoryCacheSize: 25,
    compressionThreshold: 5000,
    compressionLevel: 1,
    enableAiCache: false,
    enableMonitoring: false,
    logLevel: 'error',
  },
  simple: {
    defaultTtl: 3600,
    memoryCacheSize: 100,
    compressionThreshold: 1000,
    compressionLevel: 6,
    enableAiCache: false,
    enableMonitoring: true,
    logLevel: 'info',
  },
  development: {
    defaultTtl: 600,
    memoryCacheSize: 50,
    compressionThreshold: 2000,
    compressionLevel: 3,
    enableAiCache: false,
    enableMonitoring: true,
    logLevel: 'debug',
  },
  production: {
    defaultTtl: 7200,
    memoryCacheSize: 500,
    compressionThreshold: 500,
    compressionLevel: 9,
    enableAiCache: false,
    enableMonitoring: true,
    logLevel: 'info',
  },
  'ai-development': {
    defaultTtl: 1800,
    memoryCacheSize: 100,
    compressionThreshold: 1000,
    compressionLevel: 6,
    enableAiCache: true,
    enableMonitoring: true,
    logLevel: 'debug',
    aiConfig: {
      textHashThreshold: 500,
      textSizeTiers: { small: 500, medium: 2000, large: 10_000 },
      operationTtls: { summarize: 1800, sentiment: 900, key_points: 1200, questions: 1500, qa: 900 },
      maxTextLength: 50_000,
    },
  },
  'ai-production': {
    defaultTtl: 14_400,
    memoryCacheSize: 1000,
    compressionThreshold: 300,
    compressionLevel: 9,
    enableAiCache: true,
    enableMonitoring: true,
    logLevel: 'info',
    aiConfig: {
      textHashThreshold: 1000,
      textSizeTiers: { small: 1000, medium: 5000, large: 25_000 },
      operationTtls: { summarize: 14_400, sentiment: 7200, key_points: 10_800, questions: 9600, qa: 7200 },
      maxTextLength: 200_000,
    },
  },
};

/** AI settings used when AI is switched on for a preset that has none (the ai-development values). */
export const DEFAULT_AI_CONFIG: Readonly<AIConfig> = PRESETS['ai-development'].aiConfig as AIConfig;

/** The preset used when CACHE_PRESET is unset. */
export const DEFAULT_PRESET: PresetName = 'development';
