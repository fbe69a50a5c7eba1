/**
 * `npm run bench:scale`: what operations over many keys cost as the key count grows from 10k to 1M
 * (issue 23, "cost at scale"), with the defaults. Starts its own redis-server. Writes
 * bench/results/scale.json and docs/scale.md. `--quick` stops at 100k.
 *
 * Rows: L1 memory per entry against lru-cache holding the same values; invalidatePattern of 10% of the
 * keys; tag invalidation of 10% of the keys; getMany of 1,000 keys (L1 off, so all from Redis).
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LRUCache } from 'lru-cache';
import { silentLogger } from '../src/core/logger.js';
import { InMemoryCache } from '../src/memory/in-memory-cache.js';
import { GenericRedisCache } from '../src/redis/generic-redis-cache.js';
import { startRedisServer } from '../src/testing/redis-server.js';

const quick = process.argv.includes('--quick');
const SIZES = quick ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const valueOf = (i: number) => ({ id: i, name: `user-${i}`, active: i % 2 === 0, tags: ['a', 'b'] });

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes of heap per entry once `fill` has stored `n` entries (the structure kept alive meanwhile). */
function bytesPerEntry(n: number, fill: () => unknown): number {
  const before = heapAfterGc();
  const kept = fill();
  const after = heapAfterGc();
  if (kept === undefined) throw new Error('nothing kept');
  return (after - before) / n;
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

/** `n` keys through tiercache's own setMany (envelopes, TTLs, tag sets as the cache writes them). */
async function loadKeys(
  redisUrl: string,
  prefix: string,
  n: number,
  tagged: (i: number) => boolean,
): Promise<void> {
  const cache = new GenericRedisCache({
    redisUrl,
    keyPrefix: prefix,
    enableMemoryCache: false,
    logger: silentLogger,
  });
  await cache.connect();
  for (let start = 0; start < n; start += 5000) {
    const entries = [];
    for (let i = start; i < Math.min(n, start + 5000); i++) {
      entries.push({
        key: `${tagged(i) ? 'hot' : 'cold'}:${i}`,
        value: valueOf(i),
        ttl: 3600,
        ...(tagged(i) && { tags: ['hot'] }),
      });
    }
    await cache.setMany(entries);
  }
  await cache.close();
}

interface Row {
  keys: number;
  l1BytesPerEntry: number;
  lruBytesPerEntry: number;
  patternMs: number;
  tagsMs: number;
  getManyMs: number;
}

const server = await startRedisServer();
const rows: Row[] = [];
try {
  for (const n of SIZES) {
    const l1BytesPerEntry = bytesPerEntry(n, () => {
      const cache = new InMemoryCache({ maxSize: n, defaultTtl: 3600, logger: silentLogger });
      for (let i = 0; i < n; i++) void cache.set(`user:${i}`, valueOf(i));
      return cache;
    });
    const lruBytesPerEntry = bytesPerEntry(n, () => {
      const lru = new LRUCache<string, object>({ max: n, ttl: 3_600_000 });
      for (let i = 0; i < n; i++) lru.set(`user:${i}`, valueOf(i));
      return lru;
    });
    const hot = (i: number): boolean => i % 10 === 0;
    const prefix = `bench:scale:${n}:`;
    await loadKeys(server.url, prefix, n, hot);
    const cache = new GenericRedisCache({ redisUrl: server.url, keyPrefix: prefix, logger: silentLogger });
    const reader = new GenericRedisCache({
      redisUrl: server.url,
      keyPrefix: prefix,
      enableMemoryCache: false,
      logger: silentLogger,
    });
    await Promise.all([cache.connect(), reader.connect()]);
    // 1,000 keys spread over the key space (odd indices: never a hot one).
    const sample = Array.from({ length: 1000 }, (_, k) => `cold:${(Math.floor((k * n) / 1000) + 1) | 1}`);
    const getManyMs = await timed(() => reader.getMany(sample));
    const tagsMs = await timed(async () => {
      const removed = await cache.invalidateTags(['hot']);
      if (removed !== n / 10) throw new Error(`tags: expected ${n / 10} removed, got ${removed}`);
    });
    await loadKeys(server.url, prefix, n, hot); // the hot keys back, for the pattern
    const patternMs = await timed(async () => {
      const removed = await cache.invalidatePattern('hot:*');
      if (removed !== n / 10) throw new Error(`pattern: expected ${n / 10} removed, got ${removed}`);
    });
    await cache.clear();
    await Promise.all([cache.close(), reader.close()]);
    rows.push({ keys: n, l1BytesPerEntry, lruBytesPerEntry, patternMs, tagsMs, getManyMs });
    console.log(rows.at(-1));
  }
} finally {
  await server.stop();
}

const growth = (pick: (r: Row) => number): string => {
  const first = rows[0] as Row;
  const last = rows.at(-1) as Row;
  const factor = pick(last) / pick(first);
  const keys = last.keys / first.keys;
  const shape =
    factor > keys * 1.5 ? 'superlinear' : factor > keys * 0.5 ? 'linear' : factor < 2 ? 'flat' : 'sublinear';
  return `×${factor.toFixed(1)} for ×${keys} keys (${shape})`;
};
const cpu = cpus()[0]?.model ?? 'unknown CPU';
writeFileSync(
  'bench/results/scale.json',
  `${JSON.stringify({ node: process.version, cpu, rows }, null, 2)}\n`,
);
const table = [
  '| keys | L1 bytes/entry | lru-cache bytes/entry | L1 ÷ lru-cache | invalidatePattern 10% (ms) | invalidateTags 10% (ms) | getMany 1,000 (ms) |',
  '|---:|---:|---:|---:|---:|---:|---:|',
  ...rows.map(
    (r) =>
      `| ${r.keys.toLocaleString('en-US')} | ${Math.round(r.l1BytesPerEntry)} | ${Math.round(r.lruBytesPerEntry)} | ${(r.l1BytesPerEntry / r.lruBytesPerEntry).toFixed(2)} | ${r.patternMs.toFixed(0)} | ${r.tagsMs.toFixed(0)} | ${r.getManyMs.toFixed(1)} |`,
  ),
].join('\n');
writeFileSync(
  'docs/scale.md',
  `# Cost at scale

Generated by \`npm run bench:scale\`${quick ? ' (quick)' : ''}: Node ${process.version}, ${cpu}; its own redis-server on
loopback; values \`{ id, name, active, tags }\`; the defaults. Each operation once per size (elapsed time).

${table}

Growth from ${(rows[0] as Row).keys.toLocaleString('en-US')} to ${(rows.at(-1) as Row).keys.toLocaleString('en-US')} keys:
invalidatePattern ${growth((r) => r.patternMs)}, invalidateTags ${growth((r) => r.tagsMs)}, getMany of a
fixed 1,000 keys ${growth((r) => r.getManyMs)}, L1 bytes per entry ${growth((r) => r.l1BytesPerEntry)}.

- **invalidatePattern** SCANs every key under the prefix (Redis has no index by pattern), so it grows with
  all the keys, not only the matching ones; **invalidateTags** reads the tag's member set, so it grows
  with the tagged keys only.
- **L1 memory per entry** counts the entry, its key, its private frozen copy of the value and the
  store's bookkeeping (TTL, size, tags), against lru-cache holding the caller's value with a TTL.
`,
);
console.log(table);
console.log('\nwrote bench/results/scale.json and docs/scale.md');
