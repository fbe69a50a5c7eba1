import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { redisBinary } from '../helpers/redis.js';

const KEY = 'dashboard-key';
const ARTIFACTS = new URL('../artifacts/', import.meta.url);

/** What the page code touches in the browser (the tests are type-checked without the DOM library). */
interface BrowserGlobals {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
}

interface DashboardState {
  polls: number;
  series: Record<string, (number | null)[]>;
}

describe.runIf(hasChromium && redisBinary)('dashboard in headless Chromium (real server, real Redis)', () => {
  let redis: RedisServer;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let peer: GenericRedisCache;
  const consoleErrors: string[] = [];
  const ai = (): AIResponseCache => app.cache as AIResponseCache;
  const state = (): Promise<DashboardState> =>
    page.evaluate(() => (globalThis as unknown as { tiercacheDashboard: DashboardState }).tiercacheDashboard);
  const nextPoll = async (): Promise<void> => {
    const before = (await state()).polls;
    await page.waitForFunction(
      (n) => (globalThis as unknown as { tiercacheDashboard: DashboardState }).tiercacheDashboard.polls > n,
      before,
      { timeout: 6000 },
    );
  };

  async function traffic(round: number): Promise<void> {
    // Written by another instance, so this one reads them from Redis (a Redis-tier hit).
    await peer.setMany(Array.from({ length: 5 }, (_, i) => ({ key: `shared:${round}:${i}`, value: i })));
    for (let i = 0; i < 5; i++) await ai().get(`shared:${round}:${i}`);
    for (let i = 0; i < 20; i++) {
      await ai().set(`user:${round}:${i}`, { i });
      await ai().get(`user:${round}:${i}`);
      await ai().get(`missing:${round}:${i}`);
    }
    for (const text of ['a short text', 'another text', 'a short text']) {
      await ai().getOrCompute({ operation: 'summarize', text }, async () => ({
        value: `summary of ${text}`,
        usage: { inputTokens: 100, outputTokens: 20 },
      }));
    }
    await ai().invalidatePattern(`missing:${round}:*`);
  }

  beforeAll(async () => {
    redis = await startRedisServer();
    const env = { CACHE_PRESET: 'ai-development', CACHE_REDIS_URL: redis.url };
    app = await buildServer({
      logger: false,
      env,
      apiKeys: [KEY],
      factory: new CacheFactory({ logger: silentLogger }),
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    peer = new GenericRedisCache({ redisUrl: redis.url, keyPrefix: 'tiercache:', logger: silentLogger });
    await peer.connect();
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('pageerror', (error) => consoleErrors.push(error.message));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await peer?.close();
    await app?.close();
    await redis?.stop();
  });

  it('loads without console errors and asks for the API key', async () => {
    await page.goto(`${base}/internal/cache/dashboard`);
    await page.waitForFunction(() => 'tiercacheDashboard' in globalThis);
    await nextPoll();
    expect(await page.isVisible('#auth')).toBe(true);
    expect(await page.textContent('#redis-state')).toBe('Redis connected');
    expect(await page.textContent('#breaker-state')).toBe('breaker closed');
    expect(await page.textContent('#cache-type')).toBe('cache: ai');
    expect(consoleErrors).toStrictEqual([]);
  });

  it('draws every chart from generated traffic and moves with more traffic', async () => {
    await traffic(1);
    await nextPoll();
    await nextPoll();
    const { series } = await state();
    for (const name of [
      'hitRate',
      'l1HitRate',
      'redisHitRate',
      'p50',
      'p99',
      'l1Entries',
      'l1Limit',
      'redisBytes',
      'aiHitRate',
      'aiTimeSavedSeconds',
    ]) {
      const values = series[name] ?? [];
      expect(
        values.some((v) => typeof v === 'number' && v > 0),
        `series ${name}: ${values.join(',')}`,
      ).toBe(true);
    }
    expect(series.invalidationsPerMinute?.some((v) => (v ?? 0) > 0)).toBe(true);
    // uPlot drew the lines: each chart has a canvas with a size
    expect(await page.locator('.chart canvas').count()).toBe(6);
    expect(await page.isVisible('#ai-section')).toBe(true);
    expect(await page.textContent('#ai-operations tbody')).toContain('summarize');
    expect(await page.textContent('#top-patterns tbody')).toContain('missing:1:*');
    const operationsBefore = await page.textContent('#stat-operations');
    await traffic(2);
    await nextPoll();
    expect(await page.textContent('#stat-operations')).not.toBe(operationsBefore);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
    expect(consoleErrors).toStrictEqual([]);
  });

  it('refuses to invalidate without a key, then previews and invalidates with one (checked in Redis)', async () => {
    await page.fill('#pattern', 'user:1:*');
    await page.click('#preview');
    await expect
      .poll(() => page.textContent('#invalidate-message'))
      .toBe('An API key is required to invalidate.');
    await page.fill('#api-key', KEY);
    await page.click('#auth-form button');
    await page.click('#preview');
    await expect.poll(() => page.textContent('#invalidate-message')).toBe('20 keys match "user:1:*".');
    await page.click('#confirm');
    await expect
      .poll(() => page.textContent('#invalidate-message'))
      .toBe('Invalidated 20 keys matching "user:1:*".');
    const raw = new Redis(redis.url);
    try {
      const remaining = await raw.keys('*user:1:*');
      expect(remaining).toStrictEqual([]);
      expect((await raw.keys('*user:2:*')).length).toBe(20);
    } finally {
      raw.disconnect();
    }
    expect(
      await page.evaluate(() =>
        (globalThis as unknown as BrowserGlobals).sessionStorage.getItem('tiercache.apiKey'),
      ),
    ).toBe(KEY);
  });

  it('shows a clear message for a wrong key', async () => {
    await page.evaluate(() =>
      (globalThis as unknown as BrowserGlobals).sessionStorage.setItem('tiercache.apiKey', 'wrong'),
    );
    await page.reload();
    await expect
      .poll(() => page.textContent('#error-banner'), { timeout: 6000 })
      .toContain('The API key was refused (Invalid API key)');
    expect(await page.isVisible('#auth')).toBe(true);
    await page.fill('#api-key', KEY);
    await page.click('#auth-form button');
    await expect.poll(() => page.isHidden('#error-banner')).toBe(true);
  });

  it('keeps drawing L1 figures and shows degraded while Redis is down', async () => {
    await redis.kill();
    try {
      await nextPoll();
      await nextPoll();
      expect(await page.textContent('#redis-state')).toBe('Redis degraded: serving L1');
      expect(await page.textContent('#breaker-state')).toBe('breaker open');
      const { series } = await state();
      expect(series.l1Entries?.at(-1)).toBeGreaterThan(0);
      expect(await page.isHidden('#error-banner')).toBe(true);
    } finally {
      await redis.restart();
    }
    await expect.poll(() => page.textContent('#redis-state'), { timeout: 15_000 }).toBe('Redis connected');
  });
});
