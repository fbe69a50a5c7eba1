import type { AIConfig, CacheConfig, LogLevel, PresetName } from './config-schema.js';

// prettier-ignore
const COLUMNS = ['defaultTtl', 'memoryCacheSize', 'compressionThreshold', 'compressionLevel', 'enableAiCache', 'enableMonitoring', 'logLevel'] as const;
type PresetValues = Pick<CacheConfig, (typeof COLUMNS)[number]> & { aiConfig?: AIConfig };
type Row = [number, number, number, number, boolean, boolean, LogLevel];

// The preset table of SPEC §7, one row per preset in the columns above (docs/configuration.md shows it).
// prettier-ignore
const ROWS: Record<PresetName, Row> = {
  disabled:         [300,    10,   10_000, 1, false, false, 'warn'],
  minimal:          [900,    25,   5000,   1, false, false, 'error'],
  simple:           [3600,   100,  1000,   6, false, true,  'info'],
  development:      [600,    50,   2000,   3, false, true,  'debug'],
  production:       [7200,   500,  500,    9, false, true,  'info'],
  'ai-development': [1800,   100,  1000,   6, true,  true,  'debug'],
  'ai-production':  [14_400, 1000, 300,    9, true,  true,  'info'],
};

// prettier-ignore
const AI_ROWS: Partial<Record<PresetName, AIConfig>> = {
  'ai-development': {
    textHashThreshold: 500, textSizeTiers: { small: 500, medium: 2000, large: 10_000 }, maxTextLength: 50_000,
    operationTtls: { summarize: 1800, sentiment: 900, key_points: 1200, questions: 1500, qa: 900 },
  },
  'ai-production': {
    textHashThreshold: 1000, textSizeTiers: { small: 1000, medium: 5000, large: 25_000 }, maxTextLength: 200_000,
    operationTtls: { summarize: 14_400, sentiment: 7200, key_points: 10_800, questions: 9600, qa: 7200 },
  },
};

/** The presets, from the rows above. Presets carry no Redis URL. */
export const PRESETS = Object.fromEntries(
  (Object.entries(ROWS) as [PresetName, Row][]).map(([name, row]) => {
    const values = Object.fromEntries(
      COLUMNS.map((column, i) => [column, row[i]]),
    ) as unknown as PresetValues;
    const ai = AI_ROWS[name];
    return [name, Object.freeze(ai ? { ...values, aiConfig: ai } : values)];
  }),
) as Readonly<Record<PresetName, Readonly<PresetValues>>>;

/** AI settings used when AI is switched on for a preset that has none (the ai-development values). */
export const DEFAULT_AI_CONFIG: Readonly<AIConfig> = PRESETS['ai-development'].aiConfig as AIConfig;

/** The preset used when CACHE_PRESET is unset. */
export const DEFAULT_PRESET: PresetName = 'development';
