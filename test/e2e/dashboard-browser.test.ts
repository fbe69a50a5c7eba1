import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AIResponseCache } from '../../src/ai/ai-response-cache.js';
import { silentLogger } from '../../src/core/logger.js';
import { CacheFactory } from '../../src/factory/cache-factory.js';
import { buildServer } from '../../src/http/server.js';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../../src/redis/generic-redis-cache.js';
import { getFreePort, startRedisServer, type RedisServer } from '../../src/testing/redis-server.js';
import { hasChromium, launchChromium } from '../helpers/browser.js';
import { redisBinary } from '../helpers/redis.js';

const KEY = 'dashboard-key';
const ARTIFACTS = new URL('../artifacts/', import.meta.url);

/** What the page code touches in the browser (the tests are type-checked without the DOM library). */
interface BrowserGlobals {
  sessionStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  addEventListener(
    type: string,
    listener: (event: { violatedDirective: string; blockedURI: string }) => void,
  ): void;
  cspViolations?: string[];
  document: {
    createElement(tag: string): { textContent: string };
    body: { append(node: unknown): void };
  };
}

interface DashboardState {
  polls: number;
  breaker: { events: { at: number; state: string }[]; bands: { state: string; from: number; to: number }[] };
}

/** One uPlot chart as the page drew it. */
interface ChartView {
  id: string;
  hidden: boolean;
  x: number[];
  series: { label: string; shown: boolean; values: (number | null)[] }[];
  y: { min: number; max: number };
  /** Legend rows of the shown series (the time row left out). */
  legend: { label: string; value: string }[];
  legendIdx: number | null;
  cursorIdx: number | null;
  /** CSS pixels left of the plot minus what the y axis needs (label, ticks, widest value): < 0 = clipped. */
  axisSlack: number;
}

/** The shape of a uPlot instance the views read (the page's charts, via `tiercacheDashboard.charts`). */
interface PlotLike {
  root: {
    closest(selector: string): { hidden: boolean } | null;
    querySelectorAll(selector: string): ArrayLike<{
      classList: { contains(name: string): boolean };
      querySelector(selector: string): { textContent: string | null } | null;
    }>;
  };
  data: (number | null)[][];
  series: { label: string; show: boolean }[];
  scales: Record<string, { min: number; max: number }>;
  legend: { idx: number | null };
  cursor: { idx: number | null };
  bbox: { left: number };
  ctx: { font: string; measureText(text: string): { width: number } };
  /** `_values`: uPlot's tick labels as last drawn. */
  axes: {
    font: string[];
    gap: number;
    labelSize: number;
    ticks: { size: number };
    _values: string[] | null;
  }[];
}

const CHART_IDS = [
  'chart-ops',
  'chart-hit-rate',
  'chart-hits',
  'chart-l1',
  'chart-errors',
  'chart-stale',
  'chart-factory',
  'chart-bus',
  'chart-breaker',
];
const RATE_CHARTS = CHART_IDS.filter((id) => id !== 'chart-hit-rate' && id !== 'chart-breaker');
/** Figures of the panel: value, the window beside it, and the other window below. */
const PERCENT = /^\d+(\.\d)? %$/;
const SIZE = /^\d+(\.\d)? (B|KB|MB|GB)$/;

const dashboardState = (page: Page): Promise<DashboardState> =>
  page.evaluate(() => (globalThis as unknown as { tiercacheDashboard: DashboardState }).tiercacheDashboard);

async function nextPoll(page: Page): Promise<void> {
  const before = (await dashboardState(page)).polls;
  await page.waitForFunction(
    (n) => (globalThis as unknown as { tiercacheDashboard: DashboardState }).tiercacheDashboard.polls > n,
    before,
    { timeout: 6000 },
  );
}

/** Every chart as drawn: data, scales, legend text and whether its y labels fit. */
const chartViews = (page: Page): Promise<ChartView[]> =>
  page.evaluate((ids) => {
    const g = globalThis as unknown as {
      tiercacheDashboard: { charts: Record<string, PlotLike> };
      devicePixelRatio: number;
    };
    return ids.map((id) => {
      const plot = g.tiercacheDashboard.charts[id]!;
      const y = plot.axes[1]!;
      plot.ctx.font = y.font[0]!;
      const widest = Math.max(0, ...(y._values ?? []).map((v) => plot.ctx.measureText(String(v)).width));
      const needed = y.labelSize + y.ticks.size + y.gap + widest / g.devicePixelRatio;
      const rows = Array.from(plot.root.querySelectorAll('.u-legend .u-series')).slice(1);
      return {
        id,
        hidden: plot.root.closest('figure')?.hidden ?? false,
        x: plot.data[0] as number[],
        series: plot.series
          .slice(1)
          .map((s, i) => ({ label: s.label, shown: s.show, values: plot.data[i + 1] ?? [] })),
        y: { min: plot.scales.y!.min, max: plot.scales.y!.max },
        legend: rows
          .filter((row) => !row.classList.contains('u-off'))
          .map((row) => ({
            label: row.querySelector('.u-label')?.textContent ?? '',
            value: row.querySelector('.u-value')?.textContent ?? '',
          })),
        legendIdx: plot.legend.idx,
        cursorIdx: plot.cursor.idx,
        axisSlack: plot.bbox.left / g.devicePixelRatio - needed,
      };
    });
  }, CHART_IDS);

const chartView = async (page: Page, id: string): Promise<ChartView> =>
  (await chartViews(page)).find((c) => c.id === id)!;

/** Labels of the listed series that have no value above 0 yet (empty when all have). */
async function seriesWithoutData(page: Page, wanted: Record<string, string[]>): Promise<string[]> {
  const views = await chartViews(page);
  return Object.entries(wanted).flatMap(([id, labels]) =>
    labels.filter((label) => {
      const values = views.find((c) => c.id === id)?.series.find((s) => s.label === label)?.values ?? [];
      return !values.some((v) => v !== null && v > 0);
    }),
  );
}

/** The checks every drawn chart passes, whatever the traffic. */
function expectWellDrawn(views: ChartView[]): void {
  for (const view of views.filter((c) => !c.hidden)) {
    expect(view.x.length, `${view.id}: seconds charted`).toBeGreaterThan(200);
    for (const s of view.series.filter((s) => s.shown))
      expect(s.values.length, `${view.id} ${s.label}: one value a second`).toBe(view.x.length);
    // Legends show the latest value, never uPlot's "--" for "no cursor".
    expect(view.legend.length, `${view.id}: legend rows`).toBeGreaterThan(0);
    for (const { label, value } of view.legend)
      expect(value, `${view.id} legend ${label}`).toMatch(
        view.id === 'chart-breaker' ? /^(closed|half-open|open)$/ : /^\d+(\.\d+)?[kMG]? \S+$/,
      );
    expect(view.axisSlack, `${view.id}: y axis labels fit`).toBeGreaterThanOrEqual(0);
  }
  for (const view of views.filter((c) => RATE_CHARTS.includes(c.id) && !c.hidden))
    expect(view.y.min, `${view.id}: rates start at 0`).toBe(0);
  const hitRate = views.find((c) => c.id === 'chart-hit-rate')!;
  expect(hitRate.y).toStrictEqual({ min: 0, max: 100 });
}

/** A page that records console errors, page errors and CSP violations. */
async function openPage(browser: Browser): Promise<{ page: Page; consoleErrors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 1100 } });
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(message.text());
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.addInitScript(() => {
    const g = globalThis as unknown as BrowserGlobals;
    const violations: string[] = [];
    g.cspViolations = violations;
    g.addEventListener('securitypolicyviolation', (event) =>
      violations.push(`${event.violatedDirective} ${event.blockedURI}`),
    );
  });
  return { page, consoleErrors };
}

const cspViolations = (page: Page): Promise<string[] | undefined> =>
  page.evaluate(() => (globalThis as unknown as BrowserGlobals).cspViolations);

async function openDashboard(page: Page, base: string): Promise<void> {
  await page.goto(`${base}/internal/cache/dashboard`);
  await page.waitForFunction(() => 'tiercacheDashboard' in globalThis);
  await nextPoll(page);
}

const text = async (page: Page, selector: string): Promise<string> =>
  (await page.textContent(selector)) ?? '';

describe.runIf(hasChromium && redisBinary)('dashboard in headless Chromium (real server, real Redis)', () => {
  let redis: RedisServer;
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let page: Page;
  let peer: GenericRedisCache;
  let consoleErrors: string[] = [];
  const ai = (): AIResponseCache => app.cache as AIResponseCache;

  async function traffic(round: number): Promise<void> {
    // Written by another instance, so this one reads them from Redis (a Redis-tier hit, a bus message).
    await peer.setMany(Array.from({ length: 5 }, (_, i) => ({ key: `shared:${round}:${i}`, value: i })));
    for (let i = 0; i < 5; i++) await ai().get(`shared:${round}:${i}`);
    for (let i = 0; i < 20; i++) {
      await ai().set(`user:${round}:${i}`, { i });
      await ai().get(`user:${round}:${i}`);
      await ai().get(`missing:${round}:${i}`);
    }
    // A hot key: hot keys sample one read in 128, so 2,600 reads leave it unsampled with odds of 1 in 10^9.
    for (let i = 0; i < 2600; i++) await ai().get(`user:${round}:0`);
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
    ({ page, consoleErrors } = await openPage(browser));
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await peer?.close();
    await app?.close();
    await redis?.stop();
  });

  it('loads without console errors or CSP violations and asks for the API key', async () => {
    await openDashboard(page, base);
    expect(await page.isVisible('#auth')).toBe(true);
    expect(await text(page, '#redis-state')).toBe('Redis connected');
    expect(await page.getAttribute('#redis-state', 'class')).toBe('pill ok');
    expect(await text(page, '#breaker-state')).toBe('breaker closed');
    expect(await text(page, '#cache-type')).toBe('cache: ai');
    expect(await page.locator('.chart canvas').count()).toBe(CHART_IDS.length);
    expect(consoleErrors).toStrictEqual([]);
    expect(await cspViolations(page)).toStrictEqual([]); // defined: the listener is in place
  });

  it('draws every chart from the per-second series after traffic, with live legends and fixed axes', async () => {
    await traffic(1);
    // The charts leave out the running second: wait until the traffic's seconds are drawn.
    await expect
      .poll(
        () =>
          seriesWithoutData(page, {
            'chart-ops': ['operations', 'gets'],
            'chart-hit-rate': ['hit rate', 'L1 hit rate'],
            'chart-hits': ['hits', 'misses'],
            'chart-l1': ['L1 hits', 'L1 misses'],
            'chart-factory': ['factory runs'],
            'chart-bus': ['bus messages'],
          }),
        { timeout: 10_000 },
      )
      .toStrictEqual([]);
    const views = await chartViews(page);
    expectWellDrawn(views);
    // Nothing failed, went stale or waited for a lock: those series are there, and zero.
    for (const id of ['chart-errors', 'chart-stale'])
      for (const s of views.find((c) => c.id === id)!.series)
        expect(s.values.every((v) => v === 0)).toBe(true);
    expect(views.find((c) => c.id === 'chart-breaker')!.series[0]!.values.every((v) => v === 0)).toBe(true);
    const hitRate = views.find((c) => c.id === 'chart-hit-rate')!;
    expect(hitRate.series[0]!.values.some((v) => v !== null && v > 0 && v < 100)).toBe(true);

    // Figures: a value with its window, the other window below.
    expect(await text(page, '#stat-hit-rate')).toMatch(PERCENT);
    expect(await text(page, '#fig-hit-rate .window')).toBe('· last 1 min');
    expect(await text(page, '#fig-hit-rate .sub')).toMatch(/^5 min: \d+(\.\d)? %$/);
    expect(await text(page, '#stat-l1-hit-rate')).toMatch(PERCENT);
    expect(await text(page, '#stat-operations')).toMatch(/^\d+(\.\d+)?[kMG]? ops\/s$/);
    expect(await text(page, '#fig-operations .sub')).toMatch(/5 min: \d+(\.\d+)?[kMG]? ops\/s$/);
    expect(await text(page, '#stat-errors')).toBe('0 errors/s');
    expect(await text(page, '#stat-redis-memory')).toMatch(SIZE);
    expect(await text(page, '#fig-redis .sub')).toMatch(/^\d+ keys · \d+ clients$/);
    expect(await text(page, '#stat-l1-entries')).toMatch(/^\d+ \/ \d+$/);
    // Latency per tier and window.
    const latency = await page.$$eval('#latency tbody tr', (rows) =>
      rows.map((row) => (row as unknown as { innerText: string }).innerText.split('\t')),
    );
    expect(latency.map(([tier, window]) => `${tier} ${window}`)).toStrictEqual([
      'L1 last 1 min',
      'L1 last 5 min',
      'Redis last 1 min',
      'Redis last 5 min',
      'factory (getOrSet) last 1 min',
      'factory (getOrSet) last 5 min',
    ]);
    const redisRow = latency.find(([tier]) => tier === 'Redis')!;
    for (const cell of redisRow.slice(2, 5)) expect(cell).toMatch(/^\d+(\.\d+)? (ms|µs|s)$/);
    // Hot keys: the most read first, at most 10.
    const hotKeys = await page.$$eval('#hot-keys tbody tr', (rows) =>
      rows.map((row) => (row as unknown as { innerText: string }).innerText.split('\t')),
    );
    expect(hotKeys.length).toBeGreaterThan(0);
    expect(hotKeys.length).toBeLessThanOrEqual(10);
    for (const [rank, key, reads] of hotKeys) {
      expect(rank).toMatch(/^\d+$/);
      expect(key).not.toBe('');
      expect(reads).toMatch(/^\d+(\.\d+)?[kMG]?$/);
    }

    expect(await page.isVisible('#ai-section')).toBe(true);
    expect(await text(page, '#ai-operations tbody')).toContain('summarize');
    expect(await text(page, '#top-patterns tbody')).toContain('missing:1:*');
    const operationsBefore = await text(page, '#stat-operations');
    await traffic(2);
    await expect.poll(() => text(page, '#stat-operations'), { timeout: 6000 }).not.toBe(operationsBefore);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: new URL('dashboard.png', ARTIFACTS).pathname, fullPage: true });
    expect(consoleErrors).toStrictEqual([]);
    expect(await cspViolations(page)).toStrictEqual([]);
  });

  it('legends follow the cursor on the chart and show the latest second once it leaves', async () => {
    const plot = page.locator('#chart-ops .u-over');
    await plot.hover({ position: { x: 10, y: 10 } });
    const hovered = await chartView(page, 'chart-ops');
    expect(hovered.cursorIdx).not.toBeNull();
    expect(hovered.legendIdx).toBe(hovered.cursorIdx);
    expect(hovered.legendIdx).toBeLessThan(hovered.x.length - 1);
    // Cursors are synchronised: the hit-rate chart shows the same second.
    expect((await chartView(page, 'chart-hit-rate')).cursorIdx).toBe(hovered.cursorIdx);
    await page.mouse.move(1, 1);
    await expect
      .poll(async () => {
        const view = await chartView(page, 'chart-ops');
        return view.cursorIdx === null && view.legendIdx === view.x.length - 1;
      })
      .toBe(true);
    expectWellDrawn(await chartViews(page));
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

  it('keeps drawing L1 figures, never shows Redis green while it is down, and marks the breaker on the charts', async () => {
    await nextPoll(page);
    await redis.kill();
    try {
      await expect
        .poll(() => text(page, '#redis-state'), { timeout: 8000 })
        .toBe('Redis degraded: serving L1');
      expect(await page.getAttribute('#redis-state', 'class')).toBe('pill bad');
      await expect.poll(() => text(page, '#breaker-state'), { timeout: 8000 }).toBe('breaker open');
      expect(await page.getAttribute('#breaker-state', 'class')).toBe('pill bad');
      expect(await text(page, '#redis-reason')).toMatch(/^reason: .+/);
      expect(await text(page, '#stat-redis-memory')).toBe('unknown');
      expect(await text(page, '#fig-redis .sub')).toBe('Redis unavailable: figures unknown');
      expect(Number((await text(page, '#stat-l1-entries')).split(' / ')[0])).toBeGreaterThan(0);
      expect(await page.isHidden('#error-banner')).toBe(true);
      // Once the second of the transition is drawn: a shaded band and the breaker chart at "open".
      await expect
        .poll(async () => (await chartView(page, 'chart-breaker')).series[0]!.values.at(-1), {
          timeout: 8000,
        })
        .toBe(2);
      const { breaker } = await dashboardState(page);
      expect(breaker.events.map((e) => e.state)).toContain('open');
      expect(breaker.bands.at(-1)?.state).toBe('open');
      expect((await chartView(page, 'chart-breaker')).legend).toStrictEqual([
        { label: 'breaker', value: 'open' },
      ]);
    } finally {
      await redis.restart();
    }
    await expect.poll(() => text(page, '#redis-state'), { timeout: 15_000 }).toBe('Redis connected');
    expect(await page.getAttribute('#redis-state', 'class')).toBe('pill ok');
    await expect
      .poll(async () => (await dashboardState(page)).breaker.events.at(-1)?.state, { timeout: 8000 })
      .toBe('closed');
    await expect.poll(() => text(page, '#stat-redis-memory'), { timeout: 6000 }).toMatch(SIZE);
  }, 60_000);
});

describe.runIf(hasChromium)('dashboard in headless Chromium: a Redis cache whose Redis never answers', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;

  beforeAll(async () => {
    // Nothing listens on this port: the cache starts degraded and stays so.
    const env = { CACHE_PRESET: 'simple', CACHE_REDIS_URL: `redis://127.0.0.1:${await getFreePort()}` };
    app = await buildServer({
      logger: false,
      env,
      apiKeys: [],
      factory: new CacheFactory({ logger: silentLogger }),
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
  });

  it('shows Redis degraded, never green, with its memory unknown, and still draws the charts', async () => {
    const { page, consoleErrors } = await openPage(browser);
    await openDashboard(page, base);
    expect(await text(page, '#redis-state')).toBe('Redis degraded: serving L1');
    expect(await page.getAttribute('#redis-state', 'class')).toBe('pill bad');
    expect(await page.getAttribute('#breaker-state', 'class')).not.toBe('pill ok');
    expect(await text(page, '#stat-redis-memory')).toBe('unknown');
    expect(await text(page, '#stat-redis-memory')).not.toMatch(/\d/);
    for (let i = 0; i < 5; i++) {
      await app.cache.set(`k:${i}`, i);
      await app.cache.get(`k:${i}`);
    }
    await expect
      .poll(() => seriesWithoutData(page, { 'chart-ops': ['operations', 'gets'] }), { timeout: 10_000 })
      .toStrictEqual([]);
    expectWellDrawn(await chartViews(page));
    expect(consoleErrors).toStrictEqual([]);
    expect(await cspViolations(page)).toStrictEqual([]);
  });
});

describe.runIf(hasChromium)('dashboard in headless Chromium: a memory-only cache', () => {
  let app: FastifyInstance;
  let base: string;
  let browser: Browser;
  let cache: InMemoryCache;

  beforeAll(async () => {
    cache = new InMemoryCache({ logger: silentLogger });
    app = await buildServer({
      logger: false,
      cache,
      apiKeys: [],
      factory: new CacheFactory({ logger: silentLogger }),
    });
    base = await app.listen({ host: '127.0.0.1', port: 0 });
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await app?.close();
    await cache?.close();
  });

  it('says there is no Redis (not green), hides the L1 and breaker charts and draws the rest', async () => {
    const { page, consoleErrors } = await openPage(browser);
    await openDashboard(page, base);
    expect(await text(page, '#cache-type')).toBe('cache: memory');
    expect(await text(page, '#redis-state')).toBe('no Redis (memory only)');
    expect(await page.getAttribute('#redis-state', 'class')).toBe('pill');
    expect(await text(page, '#breaker-state')).toBe('no breaker');
    expect(await text(page, '#stat-redis-memory')).toBe('not configured');
    for (let i = 0; i < 10; i++) {
      await cache.set(`item:${i}`, i);
      await cache.get(`item:${i}`);
      await cache.get(`absent:${i}`);
    }
    await expect
      .poll(
        () =>
          seriesWithoutData(page, {
            'chart-ops': ['operations', 'gets'],
            'chart-hits': ['hits', 'misses'],
            'chart-hit-rate': ['hit rate'],
          }),
        { timeout: 10_000 },
      )
      .toStrictEqual([]);
    const views = await chartViews(page);
    expect(views.filter((c) => c.hidden).map((c) => c.id)).toStrictEqual(['chart-l1', 'chart-breaker']);
    expect(views.find((c) => c.id === 'chart-hit-rate')!.legend.map((l) => l.label)).toStrictEqual([
      'hit rate',
    ]);
    expectWellDrawn(views);
    expect(await page.isHidden('#fig-l1-hit-rate')).toBe(true);
    // 10 hits of 20 gets, on the fixed 0–100 axis.
    await expect.poll(() => text(page, '#stat-hit-rate')).toBe('50.0 %');
    expect(await text(page, '#latency tbody')).toContain('memory');
    expect(consoleErrors).toStrictEqual([]);
    expect(await cspViolations(page)).toStrictEqual([]);

    // The CSP check above can fail: an inline script is refused and reported.
    await page.evaluate(() => {
      const g = globalThis as unknown as BrowserGlobals;
      const script = g.document.createElement('script');
      script.textContent = 'globalThis.inlineRan = true';
      g.document.body.append(script);
    });
    await expect.poll(() => cspViolations(page)).toStrictEqual(['script-src-elem inline']);
    expect(await page.evaluate(() => 'inlineRan' in globalThis)).toBe(false);
  });
});
