import { LRUCache } from 'lru-cache';
import { freezeValue, snapshotValue } from '../../src/core/values.js';
import type { BenchCase, Scenario } from '../harness.js';
import { kilobyteObject, keysOf } from './data.js';

const KEYS = 1000;
const BATCH = 1000;

/**
 * The ways to keep a cached value out of its caller's reach (issue 23: "measure structured cloning,
 * copy-on-write, freezing lazily, or storing the serialized form; pick from figures"), each doing only
 * its own work around a bare lru-cache, on the same 1 KB objects: what a set costs, and what a get
 * costs after it. Copy-on-write has no row: JavaScript cannot see a caller write into its own object,
 * so a cache must copy (or serialize) at the call whatever it does later.
 */
export const immutableWriteStrategies: Scenario = {
  name: 'immutable-write-strategies',
  description:
    'keeping a cached 1 KB object immune to its caller: set and get cost of each strategy on a bare lru-cache (synchronous loops)',
  needsRedis: false,
  limit: 'set: reference (no guarantee)',
  async setup() {
    const keys = keysOf('doc', KEYS);
    const values = keys.map((_, i) => kilobyteObject(i));
    const store = <V>() => new LRUCache<string, V & object>({ max: KEYS });
    const loop =
      (op: (key: string, value: Record<string, unknown>) => unknown): (() => Promise<void>) =>
      async () => {
        for (let n = 0; n < BATCH; n++)
          op(keys[n % KEYS] as string, values[n % KEYS] as Record<string, unknown>);
      };
    const reference = store<object>();
    const leanCopy = store<object>();
    const eagerFreeze = store<object>();
    const cloned = store<object>();
    const serialized = new LRUCache<string, string>({ max: KEYS });
    // Filled for the get rows: tiercache's copy is frozen by its first read, so later reads hand it out.
    const frozenCopies = store<object>();
    const texts = new LRUCache<string, string>({ max: KEYS });
    const clonedForReads = store<object>();
    keys.forEach((key, i) => {
      const copy = snapshotValue(values[i]).value as object;
      freezeValue(copy);
      frozenCopies.set(key, copy);
      texts.set(key, JSON.stringify(values[i]));
      clonedForReads.set(key, structuredClone(values[i]));
    });
    const cases: BenchCase[] = [
      {
        label: 'set: lean copy, frozen at its first read (tiercache)',
        opsPerCall: BATCH,
        run: loop((key, value) => leanCopy.set(key, snapshotValue(value).value as object)),
      },
      { label: 'set: reference (no guarantee)', opsPerCall: BATCH, run: loop((k, v) => reference.set(k, v)) },
      {
        label: 'set: lean copy, deep-frozen at the set',
        opsPerCall: BATCH,
        run: loop((key, value) => {
          const copy = snapshotValue(value).value as object;
          freezeValue(copy);
          eagerFreeze.set(key, copy);
        }),
      },
      {
        label: 'set: structuredClone',
        opsPerCall: BATCH,
        run: loop((key, value) => cloned.set(key, structuredClone(value))),
      },
      {
        label: 'set: serialized (JSON.stringify)',
        opsPerCall: BATCH,
        run: loop((key, value) => serialized.set(key, JSON.stringify(value))),
      },
      {
        label: 'get: the frozen copy (tiercache, after its first read)',
        opsPerCall: BATCH,
        run: loop((key) => frozenCopies.get(key)),
      },
      {
        label: 'get: serialized form parsed per get',
        opsPerCall: BATCH,
        run: loop((key) => JSON.parse(texts.get(key) as string) as unknown),
      },
      {
        label: 'get: structuredClone per get (copy out)',
        opsPerCall: BATCH,
        run: loop((key) => structuredClone(clonedForReads.get(key))),
      },
    ];
    return { cases, teardown: async () => undefined };
  },
  goals: [],
};
