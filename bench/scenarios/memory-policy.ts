import { InMemoryCache } from '../../src/memory/in-memory-cache.js';
import type { MemoryCachePolicy } from '../../src/memory/memory-policy.js';
import type { BenchCase, Scenario } from '../harness.js';
import { zipfTrace } from '../hit-ratio/traces.js';
import { keysOf, sequential, smallObject } from './data.js';

const KEYS = 10_000;
const BATCH = 1000;

const keys = keysOf('user', KEYS);
/** The keys drawn Zipf 1.0 (a skewed read stream: most hits on a few keys). */
const zipfKeys = Array.from(
  zipfTrace({ keySpace: KEYS, requests: 100_000, seed: 24 }, 1.0).keys,
  (id) => keys[id]!,
);

/**
 * The cases of one policy: a get hit cycling through every key (under tinylfu each is a promotion from
 * probation, its worst case), a get hit on Zipf keys, an overwrite, and a new key that evicts (a tenth of
 * the keys fit).
 */
async function policyCases(policy: MemoryCachePolicy): Promise<BenchCase[]> {
  const values = keys.map((_, i) => smallObject(i));
  const full = new InMemoryCache({ maxSize: KEYS, policy });
  for (const [i, key] of keys.entries()) await full.set(key, values[i]);
  const small = new InMemoryCache({ maxSize: KEYS / 10, policy });
  return [
    { label: `${policy} get hit`, opsPerCall: BATCH, run: sequential(keys, (k) => full.get(k)) },
    {
      label: `${policy} get hit, Zipf keys`,
      opsPerCall: BATCH,
      run: sequential(zipfKeys, (k) => full.get(k)),
    },
    {
      label: `${policy} set, overwrite`,
      opsPerCall: BATCH,
      run: sequential(keys, (k, i) => full.set(k, values[i % KEYS])),
    },
    {
      label: `${policy} set, new key evicting`,
      opsPerCall: BATCH,
      run: sequential(keys, (k, i) => small.set(k, values[i % KEYS])),
    },
  ];
}

export const memoryPolicyCost: Scenario = {
  name: 'memory-policy-cost',
  description:
    'InMemoryCache with the default options but policy: lru against tinylfu, 10k keys, small object, sequential awaits',
  needsRedis: false,
  async setup() {
    const [lru, tinylfu] = await Promise.all([policyCases('lru'), policyCases('tinylfu')]);
    // Interleaved by operation, so each pair is measured side by side.
    const cases = lru.flatMap((c, i) => [c, tinylfu[i] as BenchCase]);
    return { cases, teardown: async () => undefined };
  },
  // Costs as time per operation: tinylfu ≤ 1.3× lru for a get hit, ≤ 1.5× for a set (issue 24).
  goals: [
    { subject: 'tinylfu get hit', against: 'lru get hit', minRatio: 1 / 1.3 },
    { subject: 'tinylfu get hit, Zipf keys', against: 'lru get hit, Zipf keys', minRatio: 1 / 1.3 },
    { subject: 'tinylfu set, overwrite', against: 'lru set, overwrite', minRatio: 1 / 1.5 },
    { subject: 'tinylfu set, new key evicting', against: 'lru set, new key evicting', minRatio: 1 / 1.5 },
  ],
};
