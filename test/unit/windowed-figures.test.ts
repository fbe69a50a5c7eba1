import { describe, expect, it } from 'vitest';
import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import { CachePerformanceMonitor } from '../../src/monitoring/performance-monitor.js';
import { WindowedCounters, C, KEPT_SECONDS } from '../../src/monitoring/windows.js';
import { ManualClock } from '../../src/testing/manual-clock.js';

describe('issue 20: windowed figures move with an incident', () => {
  it('a key-space shift moves the 1-minute hit rate by > 20 points within a minute; the lifetime one barely moves', async () => {
    const clock = new ManualClock(1_000_000);
    const monitor = new CachePerformanceMonitor({ clock });
    const cache = new InMemoryCache({ maxSize: 1000 });
    monitor.attach(cache);
    for (let i = 0; i < 100; i++) await cache.set(`hot:${i}`, i);
    const secondOfTraffic = async (prefix: string): Promise<void> => {
      for (let i = 0; i < 200; i++) await cache.get(`${prefix}:${i % 100}`);
      clock.advance(1000);
    };
    for (let s = 0; s < 30 * 60; s++) await secondOfTraffic('hot'); // half an hour of hits
    const before = monitor.getPerformanceStats();
    expect(before.windows[0]).toMatchObject({ windowSeconds: 60, hitRate: 100 });
    // The key space shifts: every get now misses.
    for (let s = 0; s < 60; s++) await secondOfTraffic('new');
    const after = monitor.getPerformanceStats();
    const [minute, fiveMinutes] = after.windows;
    expect(before.cacheHitRate - after.cacheHitRate).toBeLessThan(4); // lifetime: 100 → ~96.8
    expect((before.windows[0]?.hitRate ?? 0) - (minute?.hitRate ?? 0)).toBeGreaterThan(20); // 100 → 0
    expect(minute?.hitRate).toBe(0);
    expect(fiveMinutes?.hitRate).toBeCloseTo(80, 0); // 4 minutes of hits, 1 of misses
    // Untimed gets are filed at the next roll (the next timed get, one in 64): within a second.
    expect(minute?.getsPerSecond).toBeGreaterThan(190);
    expect(minute?.latency.memory?.windowSeconds).toBe(60);
  });

  it('counts L1 misses as L1 misses (a get Redis answered went past L1)', () => {
    const monitor = new CachePerformanceMonitor();
    const listeners = new Map<string, (e: unknown) => void>();
    monitor.attach({
      on: (event, listener) => (listeners.set(event, listener as (e: unknown) => void), () => undefined),
    });
    const operation = listeners.get('operation') as (e: unknown) => void;
    const get = (tier: string, outcome: string, l1Missed?: boolean) =>
      operation({
        operation: 'get',
        tier,
        outcome,
        durationMs: 1,
        keys: undefined,
        ...(l1Missed && { l1Missed }),
      });
    get('l1', 'hit');
    get('l1', 'hit');
    get('redis', 'hit', true);
    get('redis', 'miss', true);
    const stats = monitor.getPerformanceStats();
    expect(stats.cacheOperations?.byTier.l1).toMatchObject({ hits: 2, misses: 2 });
    expect(stats.cacheOperations?.byTier.redis).toMatchObject({ hits: 1, misses: 1 });
    expect(stats.cacheHitRate).toBe(75);
    expect(stats.windows[0]?.l1HitRate).toBe(50);
  });

  it('keeps five minutes of seconds in a fixed array, however long it runs (bounded)', () => {
    const counters = new WindowedCounters();
    for (let second = 0; second < 10 * KEPT_SECONDS; second++) {
      counters.add(C.gets, 2);
      counters.roll(second * 1000);
    }
    const now = (10 * KEPT_SECONDS - 1) * 1000;
    expect(counters.window(60, now).gets).toBe(120);
    expect(counters.window(300, now).gets).toBe(600);
    expect(counters.window(10_000, now).gets).toBe(600); // never more than what is kept
    const series = counters.series(5, now);
    expect(series.gets).toStrictEqual([2, 2, 2, 2, 2]);
    // A gap: seconds without traffic read as zero, not as what a reused slot held before.
    counters.add(C.gets);
    counters.roll(now + 400_000);
    expect(counters.window(300, now + 400_000).gets).toBe(1);
  });
});
