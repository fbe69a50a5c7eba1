import type { Redis } from 'ioredis';
import type { EntryRead } from '../core/get-or-set.js';
import type { Snapshot } from '../core/values.js';
import type { WritePlan } from '../core/write-plan.js';
import type { MemoryStore } from '../memory/memory-store.js';
import type { Lease } from '../core/get-or-set.js';
import { fetchMany, inCallOrder, removeMany, storeMany, type EncodedEntry } from './batch.js';
import { isPlainlyFresh } from './codec.js';
import { FillFence, type FillTicket } from '../core/fill-fence.js';
import { isCluster } from './connection.js';
import { fencedStore, lockKeyOf, type RedisKeyLock } from './lock.js';
import { FAILED, REJECTED, type RemoteTier } from './remote-tier.js';
import { tagKey } from './tags.js';
import type { ValuePipeline } from './value-pipeline.js';

/** Hit, miss and write counts of a two-tier cache. */
export class CacheCounters {
  l1Hits = 0;
  redisHits = 0;
  misses = 0;
  sets = 0;
  deletes = 0;
}

/** See OwnScriptWrites: `expect` answers whether the write's echo will be watched for. */
export interface ScriptWriteWatch {
  expect(key: string): boolean;
  cancel(key: string): void;
}

/** One value to write: validated (and copied when L1 keeps it), with its TTL plan. */
export interface PlannedWrite {
  key: string;
  snapshot: Snapshot;
  plan: WritePlan;
}

/**
 * How a two-tier cache moves values: reads L1 then Redis (promoting with Redis's remaining TTL), writes
 * Redis then L1, removes Redis then L1. Writes and removals that cannot reach Redis are remembered, so the
 * Redis copies are removed when it returns. Counts as it goes; validation, events and tracing stay with
 * the cache.
 */
export class TierIO {
  /**
   * Reads in flight to Redis, revoked by peers' and the server's invalidations: an invalidation can
   * arrive (on its own connection) before the reply of a read that saw the old value, which must then
   * not be promoted into L1 (`onPeerChange` revokes; see RedisFills).
   */
  readonly readFence = new FillFence();
  /** False in default-mode client tracking: a written key is not tracked, so a write must not fill L1. */
  l1OnWrite = true;
  /** Told of fills stored by script, when their invalidation comes back here (client tracking). */
  scriptWrites: ScriptWriteWatch | undefined;
  /** Settles once the last command queued behind a value still being compressed has been sent. */
  #queued: Promise<void> | undefined;

  constructor(
    private readonly remote: RemoteTier,
    private readonly l1: MemoryStore | undefined,
    private readonly values: ValuePipeline,
    private readonly keyPrefix: string,
    private readonly auxPrefix: string,
    readonly counters: CacheCounters,
    /** False while L1 must not answer (`staleOnOutage: false` and coherence lost). */
    private readonly l1Trusted: () => boolean = () => true,
  ) {}

  /** One value from Redis (L1 was missed), promoted into L1; a stale grace entry reads as a miss. */
  async readOne(key: string): Promise<unknown> {
    const entry = await this.readEntry(key);
    const value = entry?.stale === false ? entry.value : undefined;
    if (value === undefined) this.counters.misses++;
    else this.counters.redisHits++;
    return value;
  }

  /** The Redis entry of `key`, fresh or stale (not counted). */
  async readEntry(key: string): Promise<EntryRead | undefined> {
    const redisKey = this.keyPrefix + key;
    if (this.l1) {
      const ticket = this.readFence.open(key);
      try {
        // PTTL in the same round trip bounds the L1 copy by what Redis has left.
        const reply = await this.remote.run('get', (c) =>
          Promise.all([c.getBuffer(redisKey), c.pttl(redisKey)]),
        );
        if (reply === FAILED) return undefined;
        // Awaited inside the try: the ticket stays open until the value is in L1 (or refused).
        return await this.values.decode(key, redisKey, reply[0], reply[1], () =>
          this.readFence.admits(ticket, undefined),
        );
      } finally {
        this.readFence.close(ticket);
      }
    }
    const payload = await this.remote.run('get', (c) => c.getBuffer(redisKey));
    return payload === FAILED ? undefined : this.values.decode(key, redisKey, payload, -1, false);
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
    const tickets = this.l1 ? missing.map((i) => this.readFence.open(keys[i] as string)) : [];
    try {
      const fetched = await this.remote.run('getMany', (c) => fetchMany(c, redisKeys, this.l1 !== undefined));
      // Most decode at once; a large compressed one is inflated on the thread pool (a promise).
      const entries = await Promise.all(
        missing.map(async (index, n) => {
          const item = fetched === FAILED ? undefined : fetched[n];
          const ticket = tickets[n];
          const admitted = (): boolean => ticket === undefined || this.readFence.admits(ticket, undefined);
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
      for (const ticket of tickets) this.readFence.close(ticket);
    }
    return results;
  }

  /**
   * Writes to Redis (one SET, or one pipeline for several or tagged ones), then L1. The keys' fill locks
   * go first, so a `getOrSet` fill running anywhere cannot store its older result over this write.
   */
  async write(entries: readonly PlannedWrite[]): Promise<void> {
    // A change by someone else announced while this write is in flight (on another connection: the bus,
    // client tracking) may be newer than it: then the written value is not kept in L1 (see #toL1).
    const tickets = this.l1 ? entries.map(({ key }) => this.readFence.open(key)) : [];
    try {
      await this.#write(entries, tickets);
    } finally {
      for (const ticket of tickets) this.readFence.close(ticket);
    }
  }

  async #write(entries: readonly PlannedWrite[], tickets: readonly FillTicket[]): Promise<void> {
    const since = performance.now();
    const redisKeys = entries.map(({ key }) => this.keyPrefix + key);
    if (this.remote.reachable) {
      const lockKeys = entries.map(({ key }) => lockKeyOf(this.auxPrefix, key));
      const stored = await this.inOrder(this.#encode(entries, redisKeys), (encoded): Promise<unknown> => {
        const [one] = encoded;
        const [lockKey] = lockKeys;
        return encoded.length === 1 && one && lockKey && !one.tagKeys
          ? this.remote.attempt('set', (c) =>
              // Two plain commands on one connection keep their order (a cluster's nodes do not: there
              // the fill's fenced store is two steps anyway, see docs/resilience.md).
              Promise.all([
                c.del(lockKey),
                one.ttlMs > 0
                  ? c.set(one.redisKey, one.payload, 'PX', one.ttlMs)
                  : c.set(one.redisKey, one.payload),
              ]),
            )
          : this.remote.attempt('setMany', async (c) => {
              await removeMany(c, lockKeys);
              await storeMany(c, encoded);
            });
      });
      const one = entries[0];
      if (stored === REJECTED) {
        // Redis refused the write (OOM, an ACL…) and is otherwise fine: nothing new is kept here either,
        // so this instance cannot serve a value Redis and its peers do not have. Part of a pipeline may
        // have landed (values without their tag membership): those keys go too, so a miss is all it costs.
        for (const { key } of entries) this.l1?.delete(key);
        if (entries.length > 1 || one?.plan.tags)
          void this.remote.run('deleteMany', (c) => removeMany(c, redisKeys));
        return;
      }
      if (stored === FAILED) for (const key of redisKeys) this.remote.rememberKey(key);
    } else {
      for (const key of redisKeys) this.remote.rememberKey(key);
    }
    this.#toL1(entries, since, tickets);
  }

  /**
   * Writes a `getOrSet` fill through its lease: stored only while the lease and the epoch it started under
   * still hold (false = an invalidation overtook it: nothing is written, L1 included). Without a lease it
   * is an ordinary write.
   */
  async writeFill(
    entry: PlannedWrite,
    lease: Lease | undefined,
    lock: RedisKeyLock,
    admitted: () => boolean,
  ): Promise<boolean> {
    if (!lease || !this.remote.reachable) {
      await this.write([entry]);
      return true;
    }
    const since = performance.now();
    const redisKey = this.keyPrefix + entry.key;
    const watched = this.scriptWrites?.expect(entry.key) === true;
    const stored = await this.inOrder(this.#encode([entry], [redisKey]), ([encoded]) =>
      this.remote.run('set', (c) =>
        fencedStore(
          c,
          {
            ...(encoded as EncodedEntry),
            lockKey: lock.lockKey(entry.key),
            epochKey: lock.epochKey,
            lease,
            tagKeys: encoded?.tagKeys ?? [],
          },
          () => storeMany(c, [encoded as EncodedEntry]),
        ),
      ),
    );
    if (stored === false && watched) this.scriptWrites?.cancel(entry.key); // fenced out: nothing written
    // FAILED: the script may or may not have run; a miss is allowed, a possibly overtaken L1 copy is not.
    if (stored !== true) return false;
    // Something in this process (a set, a delete, a peer's message) may have overtaken it meanwhile.
    if (!admitted()) return true;
    this.#toL1([entry], since);
    return true;
  }

  /**
   * Sends `send`'s commands in call order: at once when nothing is queued and `ready` is at hand (the
   * usual case, no extra tick); else after `ready` (a value being compressed on the thread pool) and
   * every command queued before it. So a delete, a set or an invalidation called after the set of a
   * large value is not overtaken by it in Redis. `send` must issue its first command synchronously.
   */
  inOrder<V, T>(ready: V | Promise<V>, send: (value: V) => Promise<T>): Promise<T> {
    const previous = this.#queued;
    if (previous === undefined && !(ready instanceof Promise)) return send(ready);
    let sent!: () => void;
    const turn = new Promise<void>((resolve) => (sent = resolve));
    this.#queued = turn;
    const release = (): void => {
      sent();
      if (this.#queued === turn) this.#queued = undefined;
    };
    return Promise.all([ready, previous]).then(
      ([value]) => {
        try {
          return send(value);
        } finally {
          release();
        }
      },
      (error: unknown) => {
        release();
        throw error;
      },
    );
  }

  /** The entries' envelopes; a promise only when a large value is compressed on the thread pool. */
  #encode(entries: readonly PlannedWrite[], redisKeys: string[]): EncodedEntry[] | Promise<EncodedEntry[]> {
    const now = Date.now();
    let offLoop = false;
    const encoded = entries.map(({ key, snapshot, plan }, i) => {
      const payload = this.values.encode(
        snapshot,
        redisKeys[i] as string,
        plan.freshMs > 0 ? now + plan.freshMs : 0,
      );
      if (payload instanceof Promise) offLoop = true;
      return {
        key,
        redisKey: redisKeys[i] as string,
        ttlMs: plan.ttlMs,
        payload,
        tagKeys: plan.tags?.map((tag) => tagKey(this.auxPrefix, tag)),
      };
    });
    if (!offLoop) return encoded as EncodedEntry[];
    return Promise.all(encoded.map(async (entry) => ({ ...entry, payload: await entry.payload })));
  }

  /**
   * The L1 copies, timed from `since` (just before the Redis envelope was stamped): the round trip in
   * between is taken off, so an L1 copy turns stale and expires no later than the Redis entry does.
   */
  #toL1(entries: readonly PlannedWrite[], since: number, tickets: readonly FillTicket[] = []): void {
    const elapsed = performance.now() - since;
    const less = (ms: number): number => (ms > 0 ? Math.max(1, Math.round(ms - elapsed)) : 0);
    entries.forEach(({ key, snapshot, plan }, i) => {
      const ticket = tickets[i];
      const overtaken = ticket !== undefined && !this.readFence.admits(ticket, undefined);
      if (this.l1OnWrite && !overtaken)
        this.l1?.write(key, snapshot, less(plan.ttlMs), less(plan.freshMs), plan.tags);
      else this.l1?.delete(key); // the next read fills it (and in default-mode tracking, that read is tracked)
    });
    this.counters.sets += entries.length;
  }

  /**
   * Deletes from Redis first, then L1 (so a concurrent read cannot re-promote the old value). The keys'
   * fill locks go first: a fill running elsewhere then fails its fenced store instead of resurrecting them.
   */
  async remove(keys: string[]): Promise<boolean[]> {
    if (keys.length === 0) return [];
    const redisKeys = keys.map((key) => this.keyPrefix + key);
    const lockKeys = keys.map((key) => lockKeyOf(this.auxPrefix, key));
    const inRedis = await this.inOrder(undefined, () =>
      this.remote.run(keys.length === 1 ? 'delete' : 'deleteMany', async (c) => {
        if (isCluster(c)) {
          // A cluster's nodes keep no order between them: the locks are gone before the values go.
          await removeMany(c, lockKeys);
          return removeMany(c, redisKeys);
        }
        // One connection keeps the order: locks first, then the values.
        const replies = await inCallOrder(c, [
          (r) => r.del(...lockKeys),
          ...redisKeys.map((key) => (r: Redis) => r.del(key)),
        ]);
        return replies.slice(1).map((count) => (count as number) > 0);
      }),
    );
    if (inRedis === FAILED) for (const key of redisKeys) this.remote.rememberKey(key);
    const existed = keys.map(
      (key, i) => (this.l1?.delete(key) ?? false) || (inRedis !== FAILED && inRedis[i] === true),
    );
    this.counters.deletes += existed.filter(Boolean).length;
    return existed;
  }
}
