import { ConfigurationError } from '../core/errors.js';
import { isPlainObject } from '../core/objects.js';
import {
  GENERIC_REDIS_CACHE_OPTIONS,
  optionProblem,
  type OptionDefinition,
  type OptionKind,
} from '../redis/options.js';
import {
  AI_CONFIG_KEYS,
  codeOnlyHome,
  CONFIG_KEYS,
  SECURITY_KEYS,
  type CacheConfigOverrides,
} from './config-schema.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** One layer of settings with the source of each (dotted path → `env:NAME`). */
export interface ConfigLayer {
  values: CacheConfigOverrides;
  sources: Record<string, string>;
}

/** The cache options an environment variable sets, from the option definition (CACHE_REDIS_URL aside). */
const OPTION_VARIABLES = (Object.entries(GENERIC_REDIS_CACHE_OPTIONS) as [string, OptionDefinition][])
  .filter(([name, d]) => d.env !== undefined && name !== 'redisUrl')
  .map(([name, d]) => ({
    name: name as keyof CacheConfigOverrides,
    variable: d.env as string,
    kind: d.kind,
  }));

/** Every variable tiercache reads (SPEC §7, plus one per cache option). */
export const ENV_VARIABLES = [
  'CACHE_PRESET',
  'CACHE_REDIS_URL',
  'REDIS_URL',
  'ENABLE_AI_CACHE',
  'CACHE_CUSTOM_CONFIG',
  ...OPTION_VARIABLES.map((o) => o.variable),
  'REDIS_PASSWORD',
  'REDIS_ACL_USERNAME',
  'REDIS_TLS_ENABLED',
  'REDIS_TLS_CA_PATH',
  'REDIS_TLS_CERT_PATH',
  'REDIS_TLS_KEY_PATH',
  'REDIS_VERIFY_CERTIFICATES',
  'REDIS_ENCRYPTION_KEY',
  'CACHE_ENCRYPTION_KEY',
  'REDIS_INSECURE_ALLOW_PLAINTEXT',
  'NODE_ENV',
  'ENVIRONMENT',
] as const;

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * Reads the environment into a settings layer. Pure: it reads only `env`. Invalid values are a
 * `ConfigurationError` naming the variable; nothing invalid is ignored.
 */
export function readEnvironment(env: Env): ConfigLayer {
  const values: CacheConfigOverrides = {};
  const security: NonNullable<CacheConfigOverrides['security']> = {};
  const sources: Record<string, string> = {};
  const text = (name: string): string | undefined => {
    const raw = env[name];
    return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
  };
  const set = <K extends keyof CacheConfigOverrides>(
    key: K,
    value: CacheConfigOverrides[K] | undefined,
    name: string,
  ) => {
    if (value === undefined) return;
    values[key] = value;
    sources[key] = `env:${name}`;
  };
  const setSecurity = <K extends keyof typeof security>(
    key: K,
    value: (typeof security)[K] | undefined,
    name: string,
  ) => {
    if (value === undefined) return;
    security[key] = value;
    sources[`security.${key}`] = `env:${name}`;
  };
  const bool = (name: string): boolean | undefined => {
    const raw = text(name)?.toLowerCase();
    if (raw === undefined) return undefined;
    if (TRUE.includes(raw)) return true;
    if (FALSE.includes(raw)) return false;
    throw new ConfigurationError(`${name} must be true/1/yes or false/0/no, got '${env[name]}'`, {
      option: name,
    });
  };
  const number = (name: string, pattern: RegExp, what: string): number | undefined => {
    const raw = text(name);
    if (raw === undefined) return undefined;
    if (!pattern.test(raw))
      throw new ConfigurationError(`${name} must be ${what}, got '${raw}'`, { option: name });
    return Number(raw);
  };
  /** A variable's value under its option's kind (durations: a bare number, or a string with a unit). */
  const ofKind = (name: string, kind: OptionKind): unknown => {
    if (kind.type === 'boolean') return bool(name);
    if (kind.type === 'integer') return number(name, /^-?\d+$/, 'a whole number');
    if (kind.type === 'fraction') return number(name, /^\d*\.?\d+$/, 'a number');
    const raw = text(name);
    if (raw === undefined || (kind.type !== 'lifetime' && kind.type !== 'wait')) return raw;
    const value = /^\d*\.?\d+$/.test(raw) ? Number(raw) : raw;
    if (optionProblem(name, kind, value) !== undefined) {
      const unit = kind.type === 'lifetime' ? 'seconds' : 'milliseconds';
      throw new ConfigurationError(
        `${name} must be a whole number of ${unit} or a duration such as '90s' or '10m', got '${raw}'`,
        { option: name },
      );
    }
    return value;
  };

  const presetValue = text('CACHE_PRESET');
  if (presetValue !== undefined) {
    values.preset = presetValue as CacheConfigOverrides['preset'];
    sources.preset = 'env:CACHE_PRESET';
  }
  const urlName = text('CACHE_REDIS_URL') !== undefined ? 'CACHE_REDIS_URL' : 'REDIS_URL';
  set('redisUrl', text(urlName), urlName);
  set('enableAiCache', bool('ENABLE_AI_CACHE'), 'ENABLE_AI_CACHE');
  for (const { name, variable, kind } of OPTION_VARIABLES)
    set(name, ofKind(variable, kind) as CacheConfigOverrides[typeof name], variable);
  const envName = text('NODE_ENV') !== undefined ? 'NODE_ENV' : 'ENVIRONMENT';
  set('environment', text(envName)?.toLowerCase(), envName);

  setSecurity('password', text('REDIS_PASSWORD'), 'REDIS_PASSWORD');
  setSecurity('username', text('REDIS_ACL_USERNAME'), 'REDIS_ACL_USERNAME');
  setSecurity('tlsEnabled', bool('REDIS_TLS_ENABLED'), 'REDIS_TLS_ENABLED');
  setSecurity('tlsCaPath', text('REDIS_TLS_CA_PATH'), 'REDIS_TLS_CA_PATH');
  setSecurity('tlsCertPath', text('REDIS_TLS_CERT_PATH'), 'REDIS_TLS_CERT_PATH');
  setSecurity('tlsKeyPath', text('REDIS_TLS_KEY_PATH'), 'REDIS_TLS_KEY_PATH');
  setSecurity('verifyCertificates', bool('REDIS_VERIFY_CERTIFICATES'), 'REDIS_VERIFY_CERTIFICATES');
  const keyName =
    text('REDIS_ENCRYPTION_KEY') !== undefined ? 'REDIS_ENCRYPTION_KEY' : 'CACHE_ENCRYPTION_KEY';
  const keys = text(keyName)
    ?.split(',')
    .map((k) => k.trim())
    .filter((k) => k !== '');
  setSecurity('encryptionKeys', keys, keyName);
  setSecurity(
    'allowInsecurePlaintext',
    bool('REDIS_INSECURE_ALLOW_PLAINTEXT'),
    'REDIS_INSECURE_ALLOW_PLAINTEXT',
  );
  if (Object.keys(security).length > 0) values.security = security;
  return { values, sources };
}

/** Parses CACHE_CUSTOM_CONFIG: a JSON object of config overrides, every key checked. */
export function readCustomConfig(env: Env): ConfigLayer | undefined {
  const raw = env.CACHE_CUSTOM_CONFIG;
  if (raw === undefined || raw.trim() === '') return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (error) {
    throw new ConfigurationError(`CACHE_CUSTOM_CONFIG is not valid JSON: ${(error as Error).message}`, {
      option: 'CACHE_CUSTOM_CONFIG',
      cause: error,
    });
  }
  return {
    values: checkOverrides(parsed, 'CACHE_CUSTOM_CONFIG'),
    sources: sourcesOf(parsed as CacheConfigOverrides, 'custom'),
  };
}

/** Checks that overrides are an object with known keys only (nested aiConfig and security too). */
export function checkOverrides(value: unknown, origin: string): CacheConfigOverrides {
  if (!isPlainObject(value))
    throw new ConfigurationError(`${origin} must be a JSON object of config settings`, { option: origin });
  const unknown = (keys: string[], known: readonly string[], prefix: string) => {
    const bad = keys.find((k) => !known.includes(k));
    const home = prefix === '' && bad !== undefined ? codeOnlyHome(bad) : undefined;
    if (home !== undefined) {
      throw new ConfigurationError(`${origin} cannot set ${bad}: ${home}`, { option: bad });
    }
    if (bad !== undefined) {
      throw new ConfigurationError(
        `${origin} has an unknown key: ${prefix}${bad} (known: ${known.join(', ')})`,
        { option: `${prefix}${bad}` },
      );
    }
  };
  unknown(Object.keys(value), CONFIG_KEYS, '');
  for (const [section, known] of [
    ['aiConfig', AI_CONFIG_KEYS],
    ['security', SECURITY_KEYS],
  ] as const) {
    const nested = value[section];
    if (nested === undefined) continue;
    if (!isPlainObject(nested))
      throw new ConfigurationError(`${origin}: ${section} must be an object`, { option: section });
    unknown(Object.keys(nested), known, `${section}.`);
  }
  return value;
}

/** Every path an overrides object sets, mapped to one source label. */
export function sourcesOf(overrides: CacheConfigOverrides, source: string): Record<string, string> {
  const sources: Record<string, string> = {};
  for (const [key, value] of Object.entries(overrides)) {
    if (value === undefined) continue;
    if ((key === 'aiConfig' || key === 'security') && isPlainObject(value)) {
      for (const [sub, subValue] of Object.entries(value))
        if (subValue !== undefined) sources[`${key}.${sub}`] = source;
    } else sources[key] = source;
  }
  return sources;
}
