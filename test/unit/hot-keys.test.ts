import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/core/errors.js';
import { HotKeys, MAX_KEY_CHARS, TRUNCATION_MARKER } from '../../src/core/hot-keys.js';
import { seededRandom } from '../../src/testing/seeded-random.js';

/** `reads` keys drawn from Zipf(s) over `distinct` keys (rank r has weight r^-s), with exact counts. */
function zipfWorkload(distinct: number, reads: number, s: number, random: () => number) {
  const cdf = new Float64Array(distinct);
  let total = 0;
  for (let rank = 1; rank <= distinct; rank++) cdf[rank - 1] = total += rank ** -s;
  const keys: string[] = [];
  const counts = new Map<string, number>();
  for (let i = 0; i < reads; i++) {
    const u = random() * total;
    let lo = 0;
    let hi = distinct - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    const key = `user:${lo}:profile`;
    keys.push(key);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const trueTop = [...counts].sort((a, b) => b[1] - a[1]).map(([key]) => key);
  return { keys, counts, trueTop };
}

describe('HotKeys on a Zipf workload', () => {
  const workload = zipfWorkload(50_000, 500_000, 1.1, seededRandom(42));
  const hotKeys = new HotKeys({ sampleRate: 8, random: seededRandom(7) });
  for (const key of workload.keys) hotKeys.record(key);

  it('finds at least 9 of the true top 10 keys', () => {
    const reported = hotKeys.top(10).map((h) => h.key);
    const trueTop10 = workload.trueTop.slice(0, 10);
    const recall = trueTop10.filter((key) => reported.includes(key)).length / 10;
    expect(reported).toHaveLength(10);
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('finds them at the default sampling rate (one read in 128) too', () => {
    const atDefaultRate = new HotKeys({ random: seededRandom(11) });
    for (const key of workload.keys) atDefaultRate.record(key);
    const reported = atDefaultRate.top(10).map((h) => h.key);
    const recall = workload.trueTop.slice(0, 10).filter((key) => reported.includes(key)).length / 10;
    expect(recall).toBeGreaterThanOrEqual(0.9);
  });

  it('estimates the top keys within 20% of their true reads, sorted most read first', () => {
    const top = hotKeys.top();
    expect(top).toHaveLength(20);
    for (let i = 1; i < top.length; i++) {
      expect(top[i]!.estimatedReads).toBeLessThanOrEqual(top[i - 1]!.estimatedReads);
    }
    for (const { key, estimatedReads } of top.slice(0, 10)) {
      const ratio = estimatedReads / workload.counts.get(key)!;
      expect(ratio).toBeGreaterThan(0.8);
      expect(ratio).toBeLessThan(1.2);
    }
  });
});

describe('HotKeys', () => {
  it('samples about one read in sampleRate and scales the estimate back', () => {
    const hotKeys = new HotKeys({ sampleRate: 8, random: seededRandom(1) });
    for (let i = 0; i < 80_000; i++) hotKeys.record('hot');
    const [hot] = hotKeys.top();
    expect(hot!.key).toBe('hot');
    expect(hot!.estimatedReads).toBeGreaterThan(76_000);
    expect(hot!.estimatedReads).toBeLessThan(84_000);
  });

  it('keeps at most k candidates and a fixed memory bound past 100k distinct keys', () => {
    const hotKeys = new HotKeys({ k: 20, sampleRate: 1 });
    const before = hotKeys.memoryBytes;
    for (let i = 0; i < 100_000; i++) hotKeys.record(`key:${i}`);
    for (let i = 0; i < 50; i++) hotKeys.record('hot');
    expect(hotKeys.top(1000).length).toBeLessThanOrEqual(20);
    expect(hotKeys.top(1)[0]!.key).toBe('hot');
    expect(hotKeys.memoryBytes).toBe(before);
  });

  it('keeps no caller string alive: a candidate holds a copy, not a view into a longer string', () => {
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    const hotKeys = new HotKeys({ sampleRate: 1 });
    collect();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 20; i++) {
      // A key sliced out of a 2 MB string (a request body, a log line) is a view of it in V8.
      const body = `${i}:`.padEnd(2_000_000, 'x');
      hotKeys.record(body.slice(0, 40));
    }
    expect(hotKeys.top(20)).toHaveLength(20);
    collect();
    // Views would keep all 20 bodies (40 MB); copies keep about 2 KB.
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(10_000_000);
  });

  it('documents the default memory bound: 2048 x 4 Uint32 sketch plus 20 candidates', () => {
    expect(new HotKeys().memoryBytes).toBe(2048 * 4 * 4 + 4 * 4 + 20 * 704 + 512);
  });

  it('decay halves every estimate, and a fresher key can then overtake an old one', () => {
    const hotKeys = new HotKeys({ sampleRate: 1 });
    for (let i = 0; i < 100; i++) hotKeys.record('old');
    for (let i = 0; i < 41; i++) hotKeys.record('other');
    hotKeys.decay();
    expect(hotKeys.top()).toEqual([
      { key: 'old', estimatedReads: 50 },
      { key: 'other', estimatedReads: 20 },
    ]);
    for (let i = 0; i < 60; i++) hotKeys.record('new');
    expect(hotKeys.top(1)[0]).toEqual({ key: 'new', estimatedReads: 60 });
  });

  it('decay halves the sampled count when sampling', () => {
    const hotKeys = new HotKeys({ sampleRate: 4, random: seededRandom(3) });
    for (let i = 0; i < 4000; i++) hotKeys.record('a');
    const before = hotKeys.top(1)[0]!.estimatedReads;
    hotKeys.decay();
    expect(hotKeys.top(1)[0]!.estimatedReads).toBe(Math.floor(before / 4 / 2) * 4);
  });

  it('reset forgets every read', () => {
    const hotKeys = new HotKeys({ sampleRate: 1 });
    hotKeys.record('a');
    hotKeys.reset();
    expect(hotKeys.top()).toEqual([]);
    hotKeys.record('b');
    expect(hotKeys.top()).toEqual([{ key: 'b', estimatedReads: 1 }]);
  });

  it('tracks keys longer than 256 characters by their first 256 plus a marker', () => {
    const hotKeys = new HotKeys({ sampleRate: 1 });
    const prefix = 'x'.repeat(MAX_KEY_CHARS);
    hotKeys.record(`${prefix}-first-tail`);
    hotKeys.record(`${prefix}-second-tail`);
    hotKeys.record(prefix);
    expect(hotKeys.top()).toEqual([
      { key: prefix + TRUNCATION_MARKER, estimatedReads: 2 },
      { key: prefix, estimatedReads: 1 },
    ]);
    expect(TRUNCATION_MARKER).toBe('…');
  });

  it('limits top() to the requested count', () => {
    const hotKeys = new HotKeys({ sampleRate: 1 });
    for (const key of ['a', 'b', 'b', 'c', 'c', 'c']) hotKeys.record(key);
    expect(hotKeys.top(2).map((h) => h.key)).toEqual(['c', 'b']);
    expect(hotKeys.top(0)).toEqual([]);
    expect(() => hotKeys.top(-1)).toThrow('limit must be an integer >= 0 (got -1)');
  });
});

describe('HotKeys option validation', () => {
  const cases: [Record<string, unknown>, string, string][] = [
    [{ kk: 5 }, 'kk', 'unknown option "kk": HotKeys accepts k, sampleRate, width, depth, random'],
    [{ k: 0 }, 'k', 'k must be an integer from 1 to 1000 (got 0)'],
    [{ k: 1001 }, 'k', 'k must be an integer from 1 to 1000 (got 1001)'],
    [{ k: 2.5 }, 'k', 'k must be an integer from 1 to 1000 (got 2.5)'],
    [{ sampleRate: 0 }, 'sampleRate', 'sampleRate must be an integer >= 1 (got 0)'],
    [{ sampleRate: 1.5 }, 'sampleRate', 'sampleRate must be an integer >= 1 (got 1.5)'],
    [{ sampleRate: '8' }, 'sampleRate', 'sampleRate must be an integer >= 1 (got "8")'],
    [{ width: 8 }, 'width', 'width must be an integer from 16 to 1048576 (got 8)'],
    [{ depth: 17 }, 'depth', 'depth must be an integer from 1 to 16 (got 17)'],
    [{ random: 0.5 }, 'random', 'random must be a function returning [0, 1)'],
  ];

  it.each(cases)('rejects %o', (options, option, message) => {
    let error: unknown;
    try {
      new HotKeys(options);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ option, message, code: 'E_VALIDATION' });
  });

  it('accepts the defaults and undefined options', () => {
    const hotKeys = new HotKeys({ k: undefined, sampleRate: undefined });
    expect([hotKeys.k, hotKeys.sampleRate]).toEqual([20, 128]);
  });
});
