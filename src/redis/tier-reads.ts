import type { EntryRead } from '../core/get-or-set.js';
import { FillFence } from '../core/fill-fence.js';
import type { MemoryStore } from '../memory/memory-store.js';
import { fetchMany } from './batch.js';
import { isPlainlyFresh } from './codec.js';
import { FAILED, REJECTED, type RemoteTier } from './remote-tier.js';
import type { CacheCounters } from './tier-types.js';
import type { ValuePipeline } from './value-pipeline.js';

/**
 * The reads of a two-tier cache past L1: Redis, promoting what it answers into L1 with Redis's remaining
 * TTL, unless a change overtook the read meanwhile (`fence`). Counts as it goes.
 */
export class TierReads {
  /**
   * Reads in flight to Redis that may promote into L1. Revoked by the changes they overtake: one called
   * here or a peer's (an invalidation can arrive, on its own connection, before the reply of a read that
   * saw the old value), and a local one again when it lands (see TierIO.revokeReadsBefore).
   */
  readonly fence = new FillFence();

  constructor(
    private readonly remote: RemoteTier,
    private readonly l1: MemoryStore | undefined,
    private readonly values: ValuePipeline,
    private readonly keyPrefix: string,
    private readonly counters: CacheCounters,
    /** False while L1 must not answer (`staleOnOutage: false` and coherence lost). */
    private readonly l1Trusted: () => boolean,
  ) {}

  /** One value from Redis (L1 was missed), promoted into L1; a stale grace entry reads as a miss. */
  async readOne(key: string): Promise<unknown> {
    // Without L1: one GET, decoded; straight to the tier (`attempt`), one async frame fewer than readEntry.
    const entry = this.l1 ? await this.readEntry(key) : await this.#readRemote(key);
    const value = entry?.stale === false ? entry.value : undefined;
    if (value === undefined) this.counters.misses++;
    else this.counters.redisHits++;
    return value;
  }

  /** The Redis entry of `key`, fresh or stale (not counted). */
  async readEntry(key: string): Promise<EntryRead | undefined> {
    const redisKey = this.keyPrefix + key;
    if (this.l1) {
      const ticket = this.fence.open(key);
      try {
        // PTTL in the same round trip bounds the L1 copy by what Redis has left.
        const reply = await this.remote.run('get', (c) =>
          Promise.all([c.getBuffer(redisKey), c.pttl(redisKey)]),
        );
        if (reply === FAILED) return undefined;
        // Awaited inside the try: the ticket stays open until the value is in L1 (or refused).
        return await this.values.decode(key, redisKey, reply[0], reply[1], () =>
          this.fence.admits(ticket, undefined),
        );
      } finally {
        this.fence.close(ticket);
      }
    }
    return this.#readRemote(key);
  }

  /** The Redis entry of `key` without L1 (nothing to promote into): one GET, decoded. */
  #readRemote(key: string): Promise<EntryRead | undefined> {
    const redisKey = this.keyPrefix + key;
    return this.remote
      .attempt('get', (c) => c.getBuffer(redisKey))
      .then((payload) =>
        payload === FAILED || payload === REJECTED
          ? undefined
          : this.values.decode(key, redisKey, payload, -1, false),
      );
  }

  /**
   * Whether a fresh value is stored: L1, else the value's first bytes in Redis (one GETRANGE); a grace
   * entry, which only `getOrSet` may serve, or an unreadable one is read in full and counts as absent.
   */
  async exists(key: string): Promise<boolean> {
    if (this.l1Trusted() && this.l1?.has(key)) return true;
    const redisKey = this.keyPrefix + key;
    const header = await this.remote.run('exists', (c) => c.getrangeBuffer(redisKey, 0, 3));
    if (header === FAILED || header.length === 0) return false;
    if (isPlainlyFresh(header)) return true;
    return (await this.readEntry(key))?.stale === false;
  }

  /** Many values: L1 first, the rest in one MGET round trip (with their TTLs when there is an L1). */
  async readMany<T>(keys: string[]): Promise<(T | undefined)[]> {
    const l1 = this.l1Trusted() ? this.l1 : undefined;
    const results = keys.map((key) => l1?.read(key) as T | undefined);
    const missing = keys.map((_, i) => i).filter((i) => results[i] === undefined);
    this.counters.l1Hits += keys.length - missing.length;
    if (missing.length === 0) return results;
    const redisKeys = missing.map((i) => this.keyPrefix + (keys[i] as string));
    const tickets = this.l1 ? missing.map((i) => this.fence.open(keys[i] as string)) : [];
    try {
      const fetched = await this.remote.run('getMany', (c) => fetchMany(c, redisKeys, this.l1 !== undefined));
      // Most decode at once; a large compressed one is inflated on the thread pool (a promise).
      const entries = await Promise.all(
        missing.map(async (index, n) => {
          const item = fetched === FAILED ? undefined : fetched[n];
          const ticket = tickets[n];
          const admitted = (): boolean => ticket === undefined || this.fence.admits(ticket, undefined);
          return item
            ? this.values.decode(
                keys[index] as string,
                redisKeys[n] as string,
                item.payload,
                item.pttl,
                admitted,
              )
            : undefined;
        }),
      );
      missing.forEach((index, n) => {
        const entry = entries[n];
        const value = entry?.stale === false ? entry.value : undefined;
        if (value === undefined) this.counters.misses++;
        else this.counters.redisHits++;
        results[index] = value as T | undefined;
      });
    } finally {
      for (const ticket of tickets) this.fence.close(ticket);
    }
    return results;
  }
}
