import { describe, expect, it } from 'vitest';
import { parseInterval, renderTop, sparkline } from '../../src/cli/commands/top.js';
import {
  bytes,
  compact,
  count,
  duration,
  percent,
  plural,
  rate,
  ttl,
  windowLabel,
} from '../../src/cli/format.js';

describe('CLI figures for people', () => {
  it('durations: µs, ms, s, then whole minutes, hours and days', () => {
    expect(duration(218021.47)).toBe('3 min 38 s');
    expect(duration(0.4)).toBe('0.4 ms');
    expect(duration(1200)).toBe('1.2 s');
    expect(duration(0)).toBe('0 ms');
    expect(duration(0.04)).toBe('40 µs');
    expect(duration(0.0001)).toBe('1 µs');
    expect(duration(2.5)).toBe('2.5 ms');
    expect(duration(9.96)).toBe('10 ms');
    expect(duration(218.4)).toBe('218 ms');
    expect(duration(999.6)).toBe('1 s');
    expect(duration(12_345)).toBe('12 s');
    expect(duration(59_600)).toBe('1 min');
    expect(duration(3_599_600)).toBe('1 h');
    expect(duration(7_500_000)).toBe('2 h 5 min');
    expect(duration(3 * 86_400_000 + 4 * 3_600_000)).toBe('3 d 4 h');
    expect(duration(-1500)).toBe('-1.5 s');
    expect(duration(undefined)).toBe('–');
    expect(duration(Number.NaN)).toBe('–');
  });

  it('TTLs in seconds, null = no expiry', () => {
    expect(ttl(218)).toBe('3 min 38 s');
    expect(ttl(null)).toBe('no expiry');
    expect(ttl(undefined)).toBe('–');
  });

  it('sizes in decimal units', () => {
    expect(bytes(0)).toBe('0 B');
    expect(bytes(512)).toBe('512 B');
    expect(bytes(999.6)).toBe('1 kB');
    expect(bytes(1234)).toBe('1.2 kB');
    expect(bytes(1_234_567)).toBe('1.2 MB');
    expect(bytes(38_000_000)).toBe('38 MB');
    expect(bytes(2.5e12)).toBe('2.5 TB');
    expect(bytes('1.2M')).toBe('–');
  });

  it('rates, counts and percentages', () => {
    expect(rate(0)).toBe('0/s');
    expect(rate(0.02)).toBe('0.02/s');
    expect(rate(3.5)).toBe('3.5/s');
    expect(rate(42.4)).toBe('42/s');
    expect(rate(1234)).toBe('1.2k/s');
    expect(rate(38_000)).toBe('38k/s');
    expect(rate(4_100_000)).toBe('4.1M/s');
    expect(rate(null)).toBe('–');
    expect(compact(2_000_000_000)).toBe('2G');
    expect(compact(7)).toBe('7');
    expect(count(12044)).toBe('12,044');
    expect(count('x')).toBe('–');
    expect(percent(92.44)).toBe('92.4 %');
    expect(percent(100)).toBe('100 %');
    expect(percent(null)).toBe('–');
    expect(plural(1, 'key')).toBe('1 key');
    expect(plural(1042, 'key')).toBe('1,042 keys');
    expect(plural(2, 'entry', 'entries')).toBe('2 entries');
    expect(windowLabel(60)).toBe('last 1 min');
    expect(windowLabel(300)).toBe('last 5 min');
    expect(windowLabel(30)).toBe('last 30 s');
    expect(windowLabel(undefined)).toBe('window unknown');
  });
});

describe('top', () => {
  it('parses --interval', () => {
    expect(parseInterval('2s')).toBe(2000);
    expect(parseInterval('500ms')).toBe(500);
    expect(parseInterval('1.5s')).toBe(1500);
    expect(parseInterval('1m')).toBe(60_000);
    expect(parseInterval('3')).toBe(3000);
    expect(() => parseInterval('100ms')).toThrow('--interval must be at least 200ms');
    expect(() => parseInterval('-1s')).toThrow('--interval must be a duration');
  });

  it('draws a sparkline scaled to its maximum', () => {
    expect(sparkline([0, 1, 2, 4, 8])).toBe('▁▂▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });

  it('draws a Redis frame: both windows, latency per tier, charts of errors, scopes of the Redis figures', () => {
    const window = (seconds: number, hitRate: number | null) => ({
      window_seconds: seconds,
      operations_per_second: 1234,
      gets_per_second: 900,
      hit_rate: hitRate,
      l1_hit_rate: 80.04,
      errors_per_second: 0.02,
      timeouts_per_second: 0,
      stale_serves_per_second: 1.5,
      factory_runs_per_second: 3.2,
      latency: {
        l1: { count: 120, avg_ms: 0.05, p50_ms: 0.04, p95_ms: 0.2, p99_ms: 0.4, window_seconds: seconds },
        redis: {
          count: 40,
          avg_ms: 1.2,
          p50_ms: 0.9,
          p95_ms: 3.1,
          p99_ms: 218021.47,
          window_seconds: seconds,
        },
      },
    });
    const frame = renderTop(
      {
        redis: { status: 'connected', keys: 1042, memory_used_bytes: 1_234_567, connected_clients: 3 },
        memory: {
          status: 'active',
          entries: 100,
          max_size: 100,
          utilization_percent: 100,
          memory_usage: 48_000,
        },
        performance: { cache_type: 'redis' },
        hot_keys: [{ key: `k:${'x'.repeat(100)}`, estimated_reads: 1200 }],
        windows: [window(60, 92.44), window(300, null)],
      },
      { operations: [0, 5, 10], errors: [0, 1, 0], stale_serves: [0, 0, 0] },
      { url: 'http://svc:8000', at: new Date(2026, 0, 1, 12, 1, 2), intervalMs: 2000 },
    );
    expect(frame).toContain(
      'tiercache top  http://svc:8000  redis cache  12:01:02  (every 2 s; Ctrl-C quits)',
    );
    expect(frame).toMatch(/^operations\s+1\.2k\/s\s+1\.2k\/s$/m);
    expect(frame).toMatch(/^hit rate\s+92\.4 %\s+–$/m);
    expect(frame).toMatch(/^L1 hit rate\s+80 %\s+80 %$/m);
    expect(frame).toMatch(/^errors\s+0\.02\/s\s+0\.02\/s$/m);
    expect(frame).toMatch(/^stale serves\s+1\.5\/s\s+1\.5\/s$/m);
    expect(frame).toMatch(/^operations\/s \(last 3 s\)\s+▁▅█ {2}max 10\/s$/m);
    expect(frame).toMatch(/^errors\/s \(last 3 s\)\s+▁█▁ {2}max 1\/s$/m);
    expect(frame).not.toContain('stale serves/s');
    expect(frame).toMatch(/^l1\s+120\s+50 µs\s+40 µs\s+0\.2 ms\s+0\.4 ms$/m);
    expect(frame).toMatch(/^redis\s+40\s+1\.2 ms\s+0\.9 ms\s+3\.1 ms\s+3 min 38 s$/m);
    expect(frame).toMatch(/^k:x{57}…\s+1\.2k$/m);
    expect(frame).toMatch(/^redis\s+connected, 3 clients$/m);
    expect(frame).toMatch(/^\s+1,042 keys under this cache's prefix$/m);
    expect(frame).toMatch(/^\s+1\.2 MB Redis server memory \(all keys, not only this cache's\)$/m);
    expect(frame).toMatch(/^L1\s+100 \/ 100 entries \(100 %\), 48 kB$/m);
  });

  it('draws what it has when the service gives no windows, no latency or a degraded Redis', () => {
    const bare = renderTop(
      { redis: { status: 'degraded', message: 'connect ECONNREFUSED' }, memory: { status: 'disabled' } },
      undefined,
      { url: 'http://svc', at: new Date(), intervalMs: undefined },
    );
    expect(bare).toContain('no windowed figures: this service runs without a performance monitor');
    expect(bare).not.toContain('Ctrl-C');
    expect(bare).toMatch(/^redis\s+degraded: connect ECONNREFUSED$/m);
    expect(bare).toMatch(/^L1\s+disabled$/m);
    const quiet = renderTop(
      { windows: [{ window_seconds: 60, latency: {} }], redis: { status: 'error' } },
      undefined,
      { url: 'http://svc', at: new Date(), intervalMs: undefined },
    );
    expect(quiet).toContain('latency per tier: no timed operation in the last 1 min');
    expect(quiet).toMatch(/^redis\s+error$/m);
  });
});
