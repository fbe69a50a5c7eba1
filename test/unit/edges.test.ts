import { topologyOfUrl } from '../../src/redis/connection.js';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { aiRecommendations, type AIRecommendationInput } from '../../src/ai/ai-recommendations.js';
import { redactConfig, redactUrl } from '../../src/config/redact.js';
import { resolveConfig } from '../../src/config/resolve-config.js';
import {
  ConfigurationError,
  FactoryTimeoutError,
  HTTP_ONLY_STATUS,
  HTTP_STATUS_BY_CODE,
  InfrastructureError,
  ValidationError,
} from '../../src/core/errors.js';
import { createConsoleLogger } from '../../src/core/logger.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';
import { resolveSecurity } from '../../src/redis/security.js';

describe('secret redaction', () => {
  it('hides URL passwords, configured passwords and encryption keys', () => {
    expect(redactUrl('redis://user:pw@h:1/2')).toBe('redis://user:***@h:1/2');
    expect(redactUrl('redis://h:1')).toBe('redis://h:1');
    expect(redactUrl('not a url://x:y@z')).toBe('not a url://***@z');
    const { config } = resolveConfig({
      env: { REDIS_PASSWORD: 'pw', REDIS_ENCRYPTION_KEY: 'a,b', CACHE_REDIS_URL: 'redis://:pw@h:1' },
    });
    const safe = redactConfig(config);
    expect(safe.security).toMatchObject({ password: '***', encryptionKeys: ['***', '***'] });
    expect(JSON.stringify(safe)).not.toContain('pw@');
  });
});

describe('console logger levels', () => {
  it('prints the configured level and above only', () => {
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const logger = createConsoleLogger('info');
    logger.debug({}, 'hidden');
    logger.info({ a: 1 }, 'shown');
    logger.warn({}, 'shown too');
    expect(debug).not.toHaveBeenCalled();
    expect(info).toHaveBeenCalledWith('[tiercache] shown', { a: 1 });
    expect(warn).toHaveBeenCalledTimes(1);
    vi.restoreAllMocks();
  });
});

describe('HTTP error mapping', () => {
  it('maps tiercache errors by code, client errors as they are, and anything else to a 500 that hides details', async () => {
    const app = await buildServer({
      logger: false,
      env: {},
      factory: new CacheFactory({ logger: silentLogger }),
    });
    app.get('/t/validation', async () => Promise.reject(new ValidationError('bad input')));
    app.get('/t/config', async () => Promise.reject(new ConfigurationError('bad setup')));
    app.get('/t/infra', async () => Promise.reject(new InfrastructureError('redis down')));
    app.get('/t/timeout', async () => Promise.reject(new FactoryTimeoutError('too slow')));
    app.get('/t/bug', async () => Promise.reject(new Error('secret internals')));
    app.post('/t/body', async () => 'ok');
    const cases: [string, number, string][] = [
      ['/t/validation', 400, 'E_VALIDATION'],
      ['/t/config', 500, 'E_CONFIGURATION'],
      ['/t/infra', 503, 'E_INFRASTRUCTURE'],
      ['/t/timeout', 504, 'E_FACTORY_HARD_TIMEOUT'],
      ['/t/bug', 500, 'E_INTERNAL'],
    ];
    for (const [url, status, code] of cases) {
      const response = await app.inject(url);
      expect(response.statusCode).toBe(status);
      expect(response.json()).toMatchObject({ success: false, error_code: code });
    }
    expect((await app.inject('/t/bug')).body).not.toContain('secret internals');
    const badBody = await app.inject({
      method: 'POST',
      url: '/t/body',
      headers: { 'content-type': 'application/json' },
      payload: '{oops',
    });
    expect(badBody.statusCode).toBe(400);
    expect(badBody.json()).toMatchObject({ success: false, error: 'Bad Request', error_code: 'E_REQUEST' });
    // issue 18: every code the service answers with is in the one catalogue (core/errors.ts).
    const catalogue = [...Object.keys(HTTP_STATUS_BY_CODE), ...Object.keys(HTTP_ONLY_STATUS)];
    for (const response of [badBody, await app.inject('/nowhere'), await app.inject('/t/bug')]) {
      expect(catalogue).toContain(response.json<{ error_code: string }>().error_code);
    }
    await app.close();
  });
});

describe('Redis connection security settings', () => {
  it('reads TLS files, takes credentials from the URL, and names a missing file', () => {
    const multi = resolveSecurity(undefined, topologyOfUrl('rediss+cluster://ops:s%3Acret@a:1,b:2'));
    expect(multi).toMatchObject({ username: 'ops', password: 's:cret', status: { tlsEnabled: true } });
    const dir = mkdtempSync(join(tmpdir(), 'tiercache-tls-'));
    const ca = join(dir, 'ca.pem');
    writeFileSync(ca, 'PEM');
    const tls = resolveSecurity(
      { tls: { caPath: ca, verifyCertificates: false } },
      topologyOfUrl('rediss://app:p%40ss@h:6380'),
    );
    expect(tls.tls).toMatchObject({
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ca: Buffer.from('PEM'),
    });
    expect(tls).toMatchObject({ password: 'p@ss', username: 'app' });
    expect(tls.status).toStrictEqual({
      tlsEnabled: true,
      certificatesVerified: false,
      authenticated: true,
      aclUser: 'app',
    });
    const plain = resolveSecurity({ password: 'x', tls: { enabled: false } }, topologyOfUrl('redis://h:1'));
    expect(plain.tls).toBeUndefined();
    expect(() =>
      resolveSecurity(
        { tls: { enabled: true, certPath: join(dir, 'missing.pem') } },
        topologyOfUrl('redis://h:1'),
      ),
    ).toThrow(/tls\.certPath file not found or unreadable: .*missing\.pem/);
    expect(() => resolveSecurity('x' as never, topologyOfUrl('redis://h'))).toThrow(
      'security must be an object',
    );
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('AI recommendations on the edges', () => {
  const base: AIRecommendationInput = {
    operations: {},
    tiers: {
      small: { requests: 0, hits: 0, misses: 0, hitRate: 0, sharePercent: 0 },
      medium: { requests: 0, hits: 0, misses: 0, hitRate: 0, sharePercent: 0 },
      large: { requests: 0, hits: 0, misses: 0, hitRate: 0, sharePercent: 0 },
      xlarge: { requests: 30, hits: 0, misses: 30, hitRate: 0, sharePercent: 30 },
    },
    operationTtls: {},
    defaultTtl: 3600,
    l1UtilizationPercent: 95,
    compression: { samples: 20, avgRatio: 0.97 },
  };
  it('points out xlarge texts, a full L1 and poor compression', () => {
    expect(aiRecommendations(base).map((r) => r.issue)).toStrictEqual([
      'many_xlarge_texts',
      'l1_nearly_full',
      'poor_compression',
    ]);
  });
  it('points out an underused L1 only with enough traffic', () => {
    const op = {
      requests: 100,
      hits: 50,
      misses: 50,
      hitRate: 50,
      computes: 50,
      computeErrors: 0,
      compute: { count: 1, avgMs: 500, minMs: 500, maxMs: 500, p50Ms: 500, p95Ms: 500, p99Ms: 500 },
      computeTimeMs: 500,
      hit: { count: 0, avgMs: 0, minMs: 0, maxMs: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 },
      timeSavedMs: 0,
      tokensSaved: { inputTokens: 0, outputTokens: 0 },
      streamReplays: 0,
      semanticHits: 0,
      semanticRejectedByGuard: 0,
    };
    const quiet = {
      ...base,
      l1UtilizationPercent: 10,
      compression: { samples: 0, avgRatio: 0 },
      tiers: { ...base.tiers, xlarge: { ...base.tiers.xlarge, requests: 0 } },
    };
    expect(aiRecommendations(quiet)).toStrictEqual([]);
    expect(aiRecommendations({ ...quiet, operations: { op } }).map((r) => r.issue)).toStrictEqual([
      'l1_underused',
    ]);
  });
});
