import type { CacheEventEmitter } from '../core/events.js';
import { FillFence } from '../core/fill-fence.js';
import { SingleFlight } from '../core/single-flight.js';
import type { Lease } from '../core/get-or-set.js';
import { compilePattern } from '../core/pattern.js';
import { snapshotForWrite } from '../core/values.js';
import type { WritePlan } from '../core/write-plan.js';
import type { BusMessage, InvalidationBus } from './bus.js';
import { RedisKeyLock } from './lock.js';
import type { RemoteTier } from './remote-tier.js';
import type { TierIO } from './tier-io.js';

/**
 * The `getOrSet` fills of a Redis cache (docs/resilience.md, "Single-flight" and "Fenced fills"): the
 * lease lock, the in-process fence, fenced stores, and what a peer's bus message means for them (its
 * writes and invalidations fence this process's fills; its writes and releases wake this process's
 * lock waiters).
 */
export class RedisFills {
  /** `getOrSet` flights of this process, one per key. */
  readonly flights = new SingleFlight();
  /** Fills in flight, revoked by the writes and invalidations (here or from peers) that overtake them. */
  readonly fence = new FillFence((key) => this.flights.forget(key));
  readonly lock: RedisKeyLock;

  constructor(
    remote: RemoteTier,
    auxPrefix: string,
    private readonly io: TierIO,
    private readonly events: CacheEventEmitter,
    private readonly bus: () => InvalidationBus | undefined,
    private readonly withL1: boolean,
    withBus: boolean,
  ) {
    const wake = (key: string): void => this.bus()?.publish({ released: [key] });
    this.lock = new RedisKeyLock(remote, auxPrefix, withBus ? wake : undefined);
  }

  /** Stores a fill through its lease (fenced), then announces it like a set; false when fenced out. */
  async store(
    key: string,
    value: unknown,
    plan: WritePlan,
    lease: Lease | undefined,
    admitted: () => boolean,
  ): Promise<boolean> {
    const started = this.events.startTimer();
    const snapshot = snapshotForWrite(value, this.withL1);
    const stored = await this.io.writeFill({ key, snapshot, plan }, lease, this.lock, admitted);
    if (!stored) return false;
    this.bus()?.publish({ keys: [key] });
    if (started) this.events.operation('set', 'redis', 'success', started);
    return true;
  }

  /**
   * A change made here or by a peer: the fills and the Redis reads in flight that it overtakes must not
   * land (a fill in Redis or L1, a read in L1). Local changes too: a read whose large value is still
   * being inflated on the thread pool would otherwise promote it after a delete has removed it.
   */
  revoke(change: BusMessage): void {
    if (change.clear) this.fence.revokeAll();
    if (change.pattern !== undefined) this.fence.revokeMatching(compilePattern(change.pattern));
    if (change.tags) this.fence.revokeTags(change.tags);
    if (change.keys) this.fence.revokeKeys(change.keys);
    this.io.revokeInFlight(change);
  }

  /** `revoke({ keys: [key] })` without building the message: a set or a delete of one key (the hot path). */
  revokeKey(key: string): void {
    this.fence.revokeKey(key);
    this.io.revokeKeyInFlight(key);
  }

  /** A peer's change: its fills and reads here are fenced out, and waiters for its keys look again. */
  onPeerChange(change: BusMessage): void {
    this.revoke(change);
    if (change.keys) {
      for (const key of change.keys) this.lock.wake(key);
    }
    if (change.released) for (const key of change.released) this.lock.wake(key);
  }
}
