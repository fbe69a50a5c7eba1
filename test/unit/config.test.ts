import { describe, expect, it } from 'vitest';
import { PRESET_NAMES } from '../../src/config/config-schema.js';
import { readEnvironment } from '../../src/config/env.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { validateConfig } from '../../src/config/validator.js';
import { ConfigurationError } from '../../src/core/errors.js';
import { generateKey } from '../../src/cli/run.js';

const SPEC_PRESETS = {
  disabled: [300, 10, 10000, 1, false, false, 'warn'],
  minimal: [900, 25, 5000, 1, false, false, 'error'],
  simple: [3600, 100, 1000, 6, false, true, 'info'],
  development: [600, 50, 2000, 3, false, true, 'debug'],
  production: [7200, 500, 500, 9, false, true, 'info'],
  'ai-development': [1800, 100, 1000, 6, true, true, 'debug'],
  'ai-production': [14400, 1000, 300, 9, true, true, 'info'],
} as const;

describe('presets (SPEC §7)', () => {
  it.each(Object.entries(SPEC_PRESETS))(
    '%s has the SPEC values',
    (preset, [ttl, size, threshold, level, ai, monitoring, logLevel]) => {
      const { config, sources } = resolveConfig({ env: { CACHE_PRESET: preset } });
      expect(config).toMatchObject({
        preset,
        defaultTtl: ttl,
        memoryCacheSize: size,
        compressionThreshold: threshold,
        compressionLevel: level,
        enableAiCache: ai,
        enableMonitoring: monitoring,
        logLevel,
      });
      expect(config.redisUrl).toBeUndefined();
      expect(sources.defaultTtl).toBe(`preset:${preset}`);
      expect(sources.preset).toBe('env:CACHE_PRESET');
    },
  );

  it('carries the SPEC AI settings of ai-development and ai-production', () => {
    expect(resolveConfig({ env: { CACHE_PRESET: 'ai-development' } }).config.aiConfig).toStrictEqual({
      textHashThreshold: 500,
      textSizeTiers: { small: 500, medium: 2000, large: 10000 },
      operationTtls: { summarize: 1800, sentiment: 900, key_points: 1200, questions: 1500, qa: 900 },
      maxTextLength: 50000,
    });
    expect(resolveConfig({ env: { CACHE_PRESET: 'ai-production' } }).config.aiConfig).toStrictEqual({
      textHashThreshold: 1000,
      textSizeTiers: { small: 1000, medium: 5000, large: 25000 },
      operationTtls: { summarize: 14400, sentiment: 7200, key_points: 10800, questions: 9600, qa: 7200 },
      maxTextLength: 200000,
    });
  });

  it('defaults to development and lists the valid names for an unknown preset', () => {
    expect(resolveConfig({ env: {} }).config.preset).toBe('development');
    expect(() => resolveConfig({ env: { CACHE_PRESET: 'prod' } })).toThrow(ConfigurationError);
    expect(() => resolveConfig({ env: { CACHE_PRESET: 'prod' } })).toThrow(
      `unknown cache preset 'prod': valid presets are ${PRESET_NAMES.join(', ')}`,
    );
  });
});

describe('environment reader', () => {
  it('reads every variable, with its source', () => {
    const env = {
      CACHE_REDIS_URL: 'redis://cache:6379',
      REDIS_URL: 'redis://ignored:6379',
      ENABLE_AI_CACHE: 'yes',
      CACHE_DEFAULT_TTL: '120',
      CACHE_MEMORY_CACHE_SIZE: '77',
      CACHE_COMPRESSION_THRESHOLD: '0',
      CACHE_COMPRESSION_LEVEL: '4',
      REDIS_PASSWORD: 'pw',
      REDIS_ACL_USERNAME: 'app',
      REDIS_TLS_ENABLED: '1',
      REDIS_TLS_CA_PATH: '/ca.pem',
      REDIS_TLS_CERT_PATH: '/cert.pem',
      REDIS_TLS_KEY_PATH: '/key.pem',
      REDIS_VERIFY_CERTIFICATES: 'false',
      REDIS_ENCRYPTION_KEY: 'k1, k2',
      REDIS_INSECURE_ALLOW_PLAINTEXT: 'no',
      NODE_ENV: 'Production',
    };
    const { values, sources } = readEnvironment(env);
    expect(values).toStrictEqual({
      redisUrl: 'redis://cache:6379',
      enableAiCache: true,
      defaultTtl: 120,
      memoryCacheSize: 77,
      compressionThreshold: 0,
      compressionLevel: 4,
      environment: 'production',
      security: {
        password: 'pw',
        username: 'app',
        tlsEnabled: true,
        tlsCaPath: '/ca.pem',
        tlsCertPath: '/cert.pem',
        tlsKeyPath: '/key.pem',
        verifyCertificates: false,
        encryptionKeys: ['k1', 'k2'],
        allowInsecurePlaintext: false,
      },
    });
    expect(sources.redisUrl).toBe('env:CACHE_REDIS_URL');
    expect(sources['security.encryptionKeys']).toBe('env:REDIS_ENCRYPTION_KEY');
    expect(sources.environment).toBe('env:NODE_ENV');
  });

  it('falls back to REDIS_URL, ENVIRONMENT and CACHE_ENCRYPTION_KEY', () => {
    const { values, sources } = readEnvironment({
      REDIS_URL: 'redis://r:1',
      ENVIRONMENT: 'staging',
      CACHE_ENCRYPTION_KEY: 'k',
    });
    expect(values).toMatchObject({
      redisUrl: 'redis://r:1',
      environment: 'staging',
      security: { encryptionKeys: ['k'] },
    });
    expect(sources.redisUrl).toBe('env:REDIS_URL');
  });

  it('switches AI off with ENABLE_AI_CACHE=false even on an AI preset', () => {
    const { config, sources } = resolveConfig({
      env: { CACHE_PRESET: 'ai-production', ENABLE_AI_CACHE: 'false' },
    });
    expect(config.enableAiCache).toBe(false);
    expect(config.aiConfig).toBeUndefined();
    expect(Object.keys(sources).some((k) => k.startsWith('aiConfig.'))).toBe(false);
    const on = resolveConfig({ env: { CACHE_PRESET: 'simple', ENABLE_AI_CACHE: 'true' } });
    expect(on.config.aiConfig?.textHashThreshold).toBe(500);
    expect(on.sources['aiConfig.textHashThreshold']).toBe('default');
  });

  it.each([
    [{ ENABLE_AI_CACHE: 'maybe' }, "ENABLE_AI_CACHE must be true/1/yes or false/0/no, got 'maybe'"],
    [{ REDIS_TLS_ENABLED: 'sure' }, 'REDIS_TLS_ENABLED must be true/1/yes or false/0/no'],
    [
      { CACHE_DEFAULT_TTL: 'ten' },
      "CACHE_DEFAULT_TTL must be a whole number of seconds or a duration such as '90s' or '10m', got 'ten'",
    ],
    [{ CACHE_COMMAND_TIMEOUT: '5' }, 'CACHE_COMMAND_TIMEOUT'],
    [{ CACHE_STRICT: 'maybe' }, "CACHE_STRICT must be true/1/yes or false/0/no, got 'maybe'"],
    [{ CACHE_TTL_JITTER: 'lots' }, "CACHE_TTL_JITTER must be a number, got 'lots'"],
    [{ CACHE_MEMORY_CACHE_SIZE: '1.5' }, 'CACHE_MEMORY_CACHE_SIZE must be a whole number'],
    [{ CACHE_CUSTOM_CONFIG: '{bad json' }, 'CACHE_CUSTOM_CONFIG is not valid JSON'],
    [{ CACHE_CUSTOM_CONFIG: '[1]' }, 'CACHE_CUSTOM_CONFIG must be a JSON object of config settings'],
    [{ CACHE_CUSTOM_CONFIG: '{"defaultTTL": 5}' }, 'CACHE_CUSTOM_CONFIG has an unknown key: defaultTTL'],
    [
      { CACHE_CUSTOM_CONFIG: '{"aiConfig": {"threshold": 5}}' },
      'CACHE_CUSTOM_CONFIG has an unknown key: aiConfig.threshold',
    ],
    [{ CACHE_CUSTOM_CONFIG: '{"security": 5}' }, 'CACHE_CUSTOM_CONFIG: security must be an object'],
  ])('rejects %j with a ConfigurationError naming it', (env, message) => {
    expect(() => resolveConfig({ env })).toThrow(ConfigurationError);
    expect(() => resolveConfig({ env })).toThrow(message);
  });
});

describe('precedence: preset < env < CACHE_CUSTOM_CONFIG < code', () => {
  it('records where every value came from', () => {
    const env = {
      CACHE_PRESET: 'ai-production',
      CACHE_REDIS_URL: 'redis://env:6379',
      CACHE_DEFAULT_TTL: '100',
      CACHE_MEMORY_CACHE_SIZE: '10',
      CACHE_CUSTOM_CONFIG: JSON.stringify({
        defaultTtl: 200,
        compressionLevel: 2,
        aiConfig: { textHashThreshold: 0 },
      }),
    };
    const { config, sources } = resolveConfig({
      env,
      overrides: { defaultTtl: 300, aiConfig: { maxTextLength: 10 } },
    });
    expect(config).toMatchObject({
      redisUrl: 'redis://env:6379',
      defaultTtl: 300,
      memoryCacheSize: 10,
      compressionLevel: 2,
      compressionThreshold: 300,
    });
    expect(config.aiConfig).toMatchObject({
      textHashThreshold: 0,
      maxTextLength: 10,
      textSizeTiers: { small: 1000 },
    });
    expect(sources).toMatchObject({
      preset: 'env:CACHE_PRESET',
      redisUrl: 'env:CACHE_REDIS_URL',
      defaultTtl: 'code',
      memoryCacheSize: 'env:CACHE_MEMORY_CACHE_SIZE',
      compressionLevel: 'custom',
      compressionThreshold: 'preset:ai-production',
      'aiConfig.textHashThreshold': 'custom',
      'aiConfig.maxTextLength': 'code',
      'aiConfig.textSizeTiers': 'preset:ai-production',
      'security.tlsEnabled': 'default',
    });
  });

  it('lets code choose the preset and rejects unknown override keys', () => {
    expect(
      resolveConfig({ env: { CACHE_PRESET: 'minimal' }, overrides: { preset: 'simple' } }).config.preset,
    ).toBe('simple');
    expect(() => resolveConfig({ env: {}, overrides: { ttl: 5 } as never })).toThrow(
      'overrides has an unknown key: ttl',
    );
  });
});

describe('validator', () => {
  const config = (env: Record<string, string>) => resolveConfig({ env }).config;

  it('accepts every preset as it is', () => {
    for (const preset of PRESET_NAMES)
      expect(validateConfig(config({ CACHE_PRESET: preset })).errors).toStrictEqual([]);
  });

  it('reports range and type errors', () => {
    const { config: c } = resolveConfig({
      env: {
        CACHE_CUSTOM_CONFIG: JSON.stringify({
          defaultTtl: -5,
          memoryCacheSize: 0,
          compressionLevel: 12,
          compressionThreshold: -1,
          logLevel: 'loud',
          enableMonitoring: 'yes',
          redisUrl: 'http://x',
        }),
      },
    });
    const result = validateConfig(c);
    expect(result.isValid).toBe(false);
    expect(result.errors).toStrictEqual([
      "redisUrl must start with 'redis://' or 'rediss://'",
      'defaultTtl must be non-negative (0 means no expiration)',
      'memoryCacheSize must be a positive integer',
      'compressionThreshold must be a non-negative integer',
      'compressionLevel must be an integer between 1 and 9',
      'enableMonitoring must be a boolean',
      'logLevel must be one of debug, info, warn, error',
    ]);
  });

  it('warns about risky settings and recommends improvements', () => {
    const result = validateConfig(
      resolveConfig({
        env: {
          CACHE_PRESET: 'ai-development',
          CACHE_REDIS_URL: 'redis://r:1',
          CACHE_CUSTOM_CONFIG: JSON.stringify({
            memoryCacheSize: 200000,
            defaultTtl: 40 * 86400,
            compressionThreshold: 100_000,
          }),
        },
      }).config,
    );
    expect(result.isValid).toBe(true);
    expect(result.warnings).toStrictEqual([
      'memoryCacheSize 200000 is above 100,000 entries: watch process memory',
      'defaultTtl of 3456000 s is above 30 days: stale data may linger',
    ]);
    expect(result.recommendations).toContain(
      'compress large AI responses: set compressionThreshold to 65536 bytes or less (default 16384)',
    );
    expect(validateConfig(config({ CACHE_PRESET: 'production' })).warnings).toStrictEqual([
      'no Redis configured in production: each process has its own cache, lost on restart (set CACHE_REDIS_URL)',
    ]);
  });

  it('fails fast in production without TLS, password and encryption key, listing each', () => {
    const result = validateConfig(config({ CACHE_PRESET: 'production', CACHE_REDIS_URL: 'redis://r:6379' }));
    expect(result.errors).toStrictEqual([
      'production requires a secure Redis connection: TLS is off: use a rediss:// URL or set REDIS_TLS_ENABLED=true (with REDIS_TLS_CA_PATH for a private CA)',
      'production requires a secure Redis connection: no Redis password: set REDIS_PASSWORD (and REDIS_ACL_USERNAME for an ACL user) or put them in the URL',
      'production requires a secure Redis connection: no encryption key: set REDIS_ENCRYPTION_KEY (generate one with `tiercache keygen`)',
    ]);
    const viaNodeEnv = validateConfig(
      config({ CACHE_PRESET: 'simple', NODE_ENV: 'production', CACHE_REDIS_URL: 'rediss://:pw@r:6379' }),
    );
    expect(viaNodeEnv.errors).toHaveLength(1);
    const secure = config({
      CACHE_PRESET: 'production',
      CACHE_REDIS_URL: 'rediss://:pw@r:6379',
      REDIS_ENCRYPTION_KEY: 'k',
    });
    expect(validateConfig(secure).errors).toStrictEqual([]);
  });

  it('lets REDIS_INSECURE_ALLOW_PLAINTEXT=true through with a loud warning', () => {
    const result = validateConfig(
      config({
        CACHE_PRESET: 'production',
        CACHE_REDIS_URL: 'redis://r:6379',
        REDIS_INSECURE_ALLOW_PLAINTEXT: 'true',
      }),
    );
    expect(result.isValid).toBe(true);
    expect(result.warnings[0]).toMatch(/^INSECURE: production cache running without protection/);
  });

  it('reports missing certificate files by name', () => {
    const result = validateConfig(config({ REDIS_TLS_CA_PATH: '/nonexistent/ca.pem' }));
    expect(result.errors).toStrictEqual(['tlsCaPath file not found: /nonexistent/ca.pem']);
  });
});

describe('production rules with cluster and sentinel URLs', () => {
  it('sees TLS and the password in rediss+cluster:// and rediss+sentinel:// URLs', () => {
    for (const url of ['rediss+cluster://app:pw@a:7000,b:7001', 'rediss+sentinel://app:pw@s:26379/main']) {
      const { config } = resolveConfig({
        env: { CACHE_PRESET: 'production', CACHE_REDIS_URL: url, REDIS_ENCRYPTION_KEY: generateKey() },
      });
      const result = validateConfig(config);
      expect(result.errors).toStrictEqual([]);
    }
    const { config } = resolveConfig({
      env: { CACHE_PRESET: 'production', CACHE_REDIS_URL: 'redis+cluster://a:7000' },
    });
    expect(validateConfig(config).errors.join(' ')).toContain('TLS is off');
  });
});
