import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  DOC_PATH,
  TABLES,
  endMarker,
  optionRows,
  renderOptionsTable,
  startMarker,
  tableCells,
} from '../../scripts/options-table.js';
import { readEnvironment } from '../../src/config/env.js';
import { AI_OPTIONS } from '../../src/ai/ai-options.js';
import { CacheKeyGenerator } from '../../src/ai/key-generator.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { IN_MEMORY_CACHE_OPTIONS } from '../../src/memory/memory-options.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { GENERIC_REDIS_CACHE_DEFAULTS, GENERIC_REDIS_CACHE_OPTIONS } from '../../src/redis/options.js';

describe('issue 18: one option definition', () => {
  it.each(TABLES)(
    'docs/configuration.md shows the %s options table generated from its definition (npm run docs:options)',
    (table) => {
      const rows = optionRows(table);
      expect(rows.length).toBeGreaterThan(4);
      expect(tableCells(readFileSync(DOC_PATH, 'utf8'), table)).toStrictEqual(rows);
      const rendered = `${startMarker(table)}\n${renderOptionsTable(table)}\n${endMarker(table)}`;
      expect(tableCells(rendered, table)).toStrictEqual(rows);
    },
  );

  it('every option with an env variable is read from it, and its value reaches the cache', async () => {
    const env: Record<string, string> = {
      CACHE_REDIS_URL: 'redis://127.0.0.1:1',
      CACHE_KEY_PREFIX: 'docs:',
      CACHE_COMMAND_TIMEOUT: '250ms',
      CACHE_CONNECT_TIMEOUT: '1500',
      CACHE_COHERENCE: 'none',
      CACHE_MEMORY_CACHE_TTL: '5s',
      CACHE_STRICT: 'true',
      CACHE_STALE_ON_OUTAGE: 'no',
      CACHE_TTL_JITTER: '0.1',
      CACHE_COMPRESSION_ALGORITHM: 'brotli',
      CACHE_AUTO_PIPELINING: 'off',
      CACHE_ENABLE_MEMORY_CACHE: 'yes',
      CACHE_DEFAULT_TTL: '10m',
      CACHE_PROBE_INTERVAL: '0',
      CACHE_MEMORY_CACHE_SIZE: '300',
      CACHE_MEMORY_CACHE_POLICY: 'tinylfu',
      CACHE_COMPRESSION_THRESHOLD: '2048',
      CACHE_COMPRESSION_LEVEL: '4',
    };
    const { values, sources } = readEnvironment(env);
    expect(values).toMatchObject({
      keyPrefix: 'docs:',
      commandTimeout: '250ms',
      connectTimeout: 1500,
      coherence: 'none',
      memoryCacheTtl: '5s',
      strict: true,
      staleOnOutage: false,
      ttlJitter: 0.1,
      compressionAlgorithm: 'brotli',
      autoPipelining: false,
      enableMemoryCache: true,
      defaultTtl: '10m',
      probeInterval: 0,
      memoryCacheSize: 300,
      memoryCachePolicy: 'tinylfu',
      compressionThreshold: 2048,
      compressionLevel: 4,
    });
    expect(sources.keyPrefix).toBe('env:CACHE_KEY_PREFIX');
    const withEnv = Object.values(GENERIC_REDIS_CACHE_OPTIONS).filter((d) => d.env !== undefined);
    for (const definition of withEnv) expect(Object.keys(env)).toContain(definition.env); // none left untested
    const { config } = resolveConfig({ env });
    const cache = new GenericRedisCache({
      keyPrefix: config.keyPrefix,
      coherence: config.coherence,
      memoryCacheTtl: config.memoryCacheTtl,
    });
    expect(cache.coherence).toBe('none');
    expect(cache.keyPrefix).toBe('docs:');
    await cache.close();
  });

  it('the defaults come from the definition', async () => {
    expect(GENERIC_REDIS_CACHE_DEFAULTS).toMatchObject({
      memoryCacheSize: 100,
      commandTimeout: 500,
      keyPrefix: 'tiercache:',
    });
    expect(new CacheKeyGenerator().textHashThreshold).toBe(AI_OPTIONS.textHashThreshold.default);
    expect(new InMemoryCache().maxSize).toBe(IN_MEMORY_CACHE_OPTIONS.maxSize.default);
    const cache = new GenericRedisCache({});
    expect(cache.defaultTtl).toBe(GENERIC_REDIS_CACHE_OPTIONS.defaultTtl.default);
    await cache.close();
  });
});
