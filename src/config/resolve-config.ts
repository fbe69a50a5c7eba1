import { stripUndefined } from '../core/objects.js';
import { ConfigurationError } from '../core/errors.js';
import { GENERIC_REDIS_CACHE_OPTIONS } from '../redis/options.js';
import {
  CONFIG_REDIS_OPTION_KEYS,
  PRESET_NAMES,
  type AIConfig,
  type CacheConfig,
  type CacheConfigOverrides,
  type PresetName,
  type SecurityConfig,
} from './config-schema.js';
import {
  checkOverrides,
  readCustomConfig,
  readEnvironment,
  sourcesOf,
  type ConfigLayer,
  type Env,
} from './env.js';
import { DEFAULT_AI_CONFIG, DEFAULT_PRESET, PRESETS } from './presets.js';

export interface ResolvedConfig {
  config: CacheConfig;
  /** Dotted path → where its value came from: `preset:<name>`, `env:<VAR>`, `custom`, `code`, `default`. */
  sources: Record<string, string>;
}

const DEFAULT_SECURITY: SecurityConfig = {
  tlsEnabled: false,
  verifyCertificates: true,
  allowInsecurePlaintext: false,
};

/**
 * The effective configuration: preset < environment < CACHE_CUSTOM_CONFIG < explicit code overrides,
 * with the source of every value recorded.
 */
export function resolveConfig(options: { env?: Env; overrides?: CacheConfigOverrides } = {}): ResolvedConfig {
  const env = options.env ?? process.env;
  const layers: ConfigLayer[] = [readEnvironment(env)];
  const custom = readCustomConfig(env);
  if (custom) layers.push(custom);
  if (options.overrides !== undefined) {
    layers.push({
      values: checkOverrides(options.overrides, 'overrides'),
      sources: sourcesOf(options.overrides, 'code'),
    });
  }
  const presetName = pickPreset(layers);
  const preset = PRESETS[presetName];
  const presetSource = `preset:${presetName}`;
  const { aiConfig: presetAi, ...presetValues } = preset;
  const config: CacheConfig = {
    preset: presetName,
    ...presetValues,
    security: { ...DEFAULT_SECURITY },
    environment: 'development',
  };
  const sources: Record<string, string> = { preset: presetSource, environment: 'default' };
  for (const key of Object.keys(presetValues)) sources[key] = presetSource;
  for (const key of Object.keys(DEFAULT_SECURITY)) sources[`security.${key}`] = 'default';
  // The cache's own defaults for the rest, so `config explain` shows every setting and where it came from.
  for (const name of CONFIG_REDIS_OPTION_KEYS) {
    const value = GENERIC_REDIS_CACHE_OPTIONS[name].default;
    if (value === undefined) continue;
    Object.assign(config, { [name]: value });
    sources[name] = 'default';
  }
  let ai: Partial<AIConfig> | undefined = presetAi ? { ...presetAi } : undefined;
  if (presetAi) for (const key of Object.keys(presetAi)) sources[`aiConfig.${key}`] = presetSource;

  for (const layer of layers) {
    const { aiConfig, security, ...top } = layer.values;
    Object.assign(config, stripUndefined(top));
    Object.assign(config.security, stripUndefined(security ?? {}));
    if (aiConfig) ai = { ...ai, ...stripUndefined(aiConfig) };
    Object.assign(sources, layer.sources);
  }
  config.preset = presetName;
  if (config.enableAiCache) {
    for (const key of Object.keys(DEFAULT_AI_CONFIG) as (keyof AIConfig)[]) {
      if (ai?.[key] === undefined) sources[`aiConfig.${key}`] = 'default';
    }
    config.aiConfig = { ...DEFAULT_AI_CONFIG, ...ai };
  } else {
    for (const key of Object.keys(sources)) if (key.startsWith('aiConfig.')) delete sources[key];
  }
  return { config, sources };
}

function pickPreset(layers: ConfigLayer[]): PresetName {
  let name: string | undefined;
  for (const layer of layers) if (layer.values.preset !== undefined) name = layer.values.preset;
  name ??= DEFAULT_PRESET;
  if (!PRESET_NAMES.includes(name as PresetName)) {
    throw new ConfigurationError(
      `unknown cache preset '${name}': valid presets are ${PRESET_NAMES.join(', ')}`,
      { option: 'CACHE_PRESET' },
    );
  }
  return name as PresetName;
}

export type { CacheConfigOverrides };
