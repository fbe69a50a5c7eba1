import type { Redis } from 'ioredis';
import type { MemoryStore } from '../memory/memory-store.js';
import type { Lease } from '../core/get-or-set.js';
import { inCallOrder, removeMany, storeMany, type EncodedEntry } from './batch.js';
import { FillFence, type FillTicket } from '../core/fill-fence.js';
import { isCluster } from './connection.js';
import { fencedStore, lockKeyOf, type RedisKeyLock } from './lock.js';
import { FAILED, REJECTED, type RemoteTier } from './remote-tier.js';
import { tagKey } from './tags.js';
import type { ValuePipeline } from './value-pipeline.js';
import { CallOrder } from './call-order.js';
import { TierReads } from './tier-reads.js';
import type { CacheCounters, PlannedWrite, ScriptWriteWatch } from './tier-types.js';
import { WriteBatch, type BatchedWrite, type BatchEntry, type WriteOutcome } from './write-batch.js';
import type { BusMessage } from './bus.js';
import { compilePattern } from '../core/pattern.js';

/** A TTL less the time already spent: 0 (none) stays 0, anything else stays at least 1 ms. */
const less = (ms: number, elapsed: number): number => (ms > 0 ? Math.max(1, Math.round(ms - elapsed)) : 0);

/** A plain set waiting in the WriteBatch. */
interface PlainSet extends BatchEntry {
  readonly write: BatchedWrite;
  readonly entry: PlannedWrite;
  /** Just before the envelope was stamped (see #toL1). */
  readonly since: number;
  readonly ticket: FillTicket | undefined;
  readonly resolve: (announced: boolean) => void;
  readonly reject: (error: unknown) => void;
}

export { CacheCounters, type PlannedWrite, type ScriptWriteWatch } from './tier-types.js';

/**
 * How a two-tier cache moves values: reads L1 then Redis (`reads`, promoting with Redis's remaining TTL),
 * writes Redis then L1, removes Redis then L1, each change fencing the reads it overtakes. Writes and removals that cannot reach Redis are remembered, so the
 * Redis copies are removed when it returns. Counts as it goes; validation, events and tracing stay with
 * the cache.
 */
export class TierIO {
  /** Reads past L1 (Redis, promoting into L1), with the fence of those in flight. */
  readonly reads: TierReads;
  /**
   * The writes in flight here, fenced by changes called after them (here, or a peer's: then their value
   * is not kept in L1). Apart from the reads', which a write also fences when it lands.
   */
  readonly #writeFence = new FillFence();
  /** False in default-mode client tracking: a written key is not tracked, so a write must not fill L1. */
  l1OnWrite = true;
  /** Told of fills stored by script, when their invalidation comes back here (client tracking). */
  scriptWrites: ScriptWriteWatch | undefined;
  /** Commands held back behind a value still being compressed (see CallOrder). */
  readonly #order = new CallOrder();
  /** Plain sets gathered into one pipeline with their lock DELs and their bus announcement. */
  readonly batch: WriteBatch<PlainSet>;
  /** On a cluster the lock and the value live in different slots: no shared pipeline. */
  readonly #batched: boolean;

  constructor(
    private readonly remote: RemoteTier,
    private readonly l1: MemoryStore | undefined,
    private readonly values: ValuePipeline,
    private readonly keyPrefix: string,
    private readonly auxPrefix: string,
    readonly counters: CacheCounters,
    /** False while L1 must not answer (`staleOnOutage: false` and coherence lost). */
    l1Trusted: () => boolean = () => true,
  ) {
    this.reads = new TierReads(remote, l1, values, keyPrefix, counters, l1Trusted);
    this.batch = new WriteBatch<PlainSet>(
      remote,
      (plain, outcome) => this.#settlePlain(plain, outcome),
      (plain, error) => {
        if (plain.ticket) this.#writeFence.close(plain.ticket);
        plain.reject(error);
      },
    );
    this.#batched = !isCluster(remote.client);
    remote.beforeCommand = () => this.batch.flush();
  }

  /**
   * Writes to Redis, then L1. The keys' fill locks go first, so a `getOrSet` fill running anywhere cannot
   * store its older result over this write. A plain set joins the WriteBatch (one pipeline with the other
   * sets of the tick, their lock DELs and one bus announcement): then the result is true, the write was
   * announced. Several values, tags or a cluster take one pipeline of their own (false: the caller
   * publishes).
   */
  write(entries: readonly PlannedWrite[]): Promise<boolean> {
    const [one] = entries;
    if (one && entries.length === 1 && this.#batched && !one.plan.tags && this.remote.reachable) {
      // A change by someone else announced while this write is in flight (on another connection: the
      // bus, client tracking) may be newer than it: then the written value is not kept in L1 (#toL1).
      const ticket = this.l1 ? this.#writeFence.open(one.key) : undefined;
      const since = performance.now();
      const redisKey = this.keyPrefix + one.key;
      let payload: Buffer | string | Promise<Buffer | string>;
      try {
        payload = this.#payloadOf(one, redisKey, Date.now());
      } catch (error) {
        if (ticket) this.#writeFence.close(ticket); // thrown as encoding throws (the callers are async)
        throw error;
      }
      // Usually sent at once; behind a value still being compressed, in its turn (see inOrder).
      if (this.#order.idle && !(payload instanceof Promise))
        return this.#writePlain(one, redisKey, payload, since, ticket);
      return this.inOrder(payload, (ready) => this.#writePlain(one, redisKey, ready, since, ticket)).catch(
        (error: unknown) => {
          if (ticket) this.#writeFence.close(ticket); // closing twice is harmless
          throw error;
        },
      );
    }
    return this.#writeApart(entries);
  }

  /** One plain set through the batch; settled by #settlePlain when the pipeline answers. */
  #writePlain(
    entry: PlannedWrite,
    redisKey: string,
    payload: Buffer | string,
    since: number,
    ticket: FillTicket | undefined,
  ): Promise<boolean> {
    const lockKey = lockKeyOf(this.auxPrefix, entry.key);
    const write = { key: entry.key, redisKey, lockKey, payload, ttlMs: entry.plan.ttlMs };
    return new Promise((resolve, reject) => this.batch.add({ write, entry, since, ticket, resolve, reject }));
  }

  /** A batched set's outcome: L1 as #writeApart does it, then the caller's promise. */
  #settlePlain(plain: PlainSet, outcome: WriteOutcome): void {
    const { entry, ticket } = plain;
    if (outcome === REJECTED) {
      // Redis refused the write (OOM, an ACL…): nothing new is kept here either (see #writeApart).
      this.l1?.delete(entry.key);
    } else {
      if (outcome === FAILED) this.remote.rememberKey(plain.write.redisKey);
      this.#toL1One(entry, performance.now() - plain.since, ticket);
      this.counters.sets++;
    }
    if (ticket) this.#writeFence.close(ticket);
    plain.resolve(this.batch.announcer !== undefined);
  }

  /** Several values, tagged ones, a cluster, or Redis away: not batched, so announced by the caller. */
  async #writeApart(entries: readonly PlannedWrite[]): Promise<boolean> {
    // See the ticket in write().
    const tickets = this.l1 ? entries.map(({ key }) => this.#writeFence.open(key)) : [];
    try {
      await this.#writeTogether(entries, tickets);
    } finally {
      for (const ticket of tickets) this.#writeFence.close(ticket);
    }
    return false;
  }

  async #writeTogether(entries: readonly PlannedWrite[], tickets: readonly FillTicket[]): Promise<void> {
    const since = performance.now();
    const redisKeys = entries.map(({ key }) => this.keyPrefix + key);
    if (this.remote.reachable) {
      const lockKeys = entries.map(({ key }) => lockKeyOf(this.auxPrefix, key));
      const stored = await this.inOrder(this.#encode(entries, redisKeys), (encoded): Promise<unknown> => {
        const [one] = encoded;
        const [lockKey] = lockKeys;
        return encoded.length === 1 && one && lockKey && !one.tagKeys
          ? this.remote.attempt('set', (c) =>
              // A cluster's nodes keep no order between them: there the fill's fenced store is two
              // steps anyway (see docs/resilience.md).
              Promise.all([
                c.del(lockKey),
                one.ttlMs > 0
                  ? c.set(one.redisKey, one.payload, 'PX', one.ttlMs)
                  : c.set(one.redisKey, one.payload),
              ]),
            )
          : this.remote.attempt('setMany', async (c) => {
              // Both issued now, in this order: a delete or set of these keys called next must not
              // reach Redis between the lock DELs and the SETs (it would be overwritten by them).
              await Promise.all([removeMany(c, lockKeys), storeMany(c, encoded)]);
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
      this.remote.run('set', (c, live) =>
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
          live,
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

  /** Sends `send`'s commands in call order (see CallOrder). */
  inOrder<V, T>(ready: V | Promise<V>, send: (value: V) => Promise<T>): Promise<T> {
    return this.#order.run(ready, send);
  }

  /**
   * Before the connection goes: sends the writes still waiting (behind a value being compressed, or in
   * the batch), and keeps nothing in L1 from then on (no invalidation would reach it any more).
   */
  async close(): Promise<void> {
    await this.#order.drained();
    this.batch.flush();
    this.#closed = true;
  }

  #closed = false;

  /** The entries' envelopes; a promise only when a large value is compressed on the thread pool. */
  #encode(entries: readonly PlannedWrite[], redisKeys: string[]): EncodedEntry[] | Promise<EncodedEntry[]> {
    const now = Date.now();
    let offLoop = false;
    const encoded = entries.map((entry, i) => {
      const { key, plan } = entry;
      const payload = this.#payloadOf(entry, redisKeys[i] as string, now);
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

  /** The envelope of one value; a grace entry's fresh-until time is stamped from `now`. */
  #payloadOf(entry: PlannedWrite, redisKey: string, now: number): Buffer | string | Promise<Buffer | string> {
    const { freshMs } = entry.plan;
    return this.values.encode(entry.snapshot, redisKey, freshMs > 0 ? now + freshMs : 0);
  }

  /**
   * The L1 copies, timed from `since` (just before the Redis envelope was stamped): the round trip in
   * between is taken off, so an L1 copy turns stale and expires no later than the Redis entry does.
   */
  #toL1(entries: readonly PlannedWrite[], since: number, tickets: readonly FillTicket[] = []): void {
    const elapsed = performance.now() - since;
    entries.forEach((entry, i) => this.#toL1One(entry, elapsed, tickets[i]));
    this.counters.sets += entries.length;
  }

  /**
   * A change called here, or a peer's: the reads and writes in flight that it overtakes keep nothing in L1
   * (a read's value is not promoted, a write's is not kept).
   */
  revokeInFlight(change: BusMessage): void {
    for (const fence of [this.reads.fence, this.#writeFence]) {
      if (change.clear || change.tags) fence.revokeAll(); // a read does not know its value's tags
      if (change.pattern !== undefined) fence.revokeMatching(compilePattern(change.pattern));
      if (change.keys) fence.revokeKeys(change.keys);
    }
  }

  /** `revokeInFlight({ keys: [key] })` without building the message: a set or a delete (the hot path). */
  revokeKeyInFlight(key: string): void {
    this.reads.fence.revokeKey(key);
    this.#writeFence.revokeKey(key);
  }

  /**
   * A change that has landed (Redis answered; L1 is about to change): the reads still in flight sent
   * before it, while a value ahead of it was still being serialized or compressed, read Redis before it
   * and must not promote what they read. Writes in flight are newer than it (call order): untouched.
   */
  revokeReadsBefore(change: BusMessage): void {
    if (change.clear || change.tags) this.reads.fence.revokeAll();
    if (change.pattern !== undefined) this.reads.fence.revokeMatching(compilePattern(change.pattern));
    if (change.keys) this.reads.fence.revokeKeys(change.keys);
  }

  /** One L1 copy, its TTLs less the `elapsed` round trip. */
  #toL1One(entry: PlannedWrite, elapsed: number, ticket: FillTicket | undefined): void {
    const { key, snapshot, plan } = entry;
    const overtaken = ticket !== undefined && !this.#writeFence.admits(ticket, undefined);
    this.reads.fence.revokeKey(key); // landed: see revokeReadsBefore
    if (this.l1OnWrite && !overtaken && !this.#closed)
      this.l1?.write(key, snapshot, less(plan.ttlMs, elapsed), less(plan.freshMs, elapsed), plan.tags);
    else this.l1?.delete(key); // the next read fills it (and in default-mode tracking, that read is tracked)
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
    this.reads.fence.revokeKeys(keys); // landed: see revokeReadsBefore
    const existed = keys.map(
      (key, i) => (this.l1?.delete(key) ?? false) || (inRedis !== FAILED && inRedis[i] === true),
    );
    this.counters.deletes += existed.filter(Boolean).length;
    return existed;
  }
}
