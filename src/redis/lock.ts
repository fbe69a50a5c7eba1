import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { KeyLock, Lease } from '../core/get-or-set.js';
import { isCluster } from './connection.js';
import { FAILED, REJECTED, type RemoteTier } from './remote-tier.js';
import { LuaScript } from './scripts.js';
import { ALWAYS } from './tier-command.js';
import { tagAddLua } from './tags.js';

/** Deletes the lock only while it still holds our token (a lease that expired may belong to another). */
const RELEASE_SCRIPT = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`,
);
/** Extends the lease only while it is still ours. */
const RENEW_SCRIPT = new LuaScript(
  `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`,
);

/** The Redis key of `key`'s fill lock (outside `keyPrefix`, beside the tag sets and the epoch). */
export function lockKeyOf(auxPrefix: string, key: string): string {
  return `${auxPrefix}lock:${key}`;
}

/** Sends a message to the lock's waiters (the invalidation bus), when there is a way to. */
export type WakeWaiters = (key: string) => void;

/**
 * Distributed single-flight for `getOrSet` (docs/resilience.md, "Single-flight"): a lease lock per key,
 * `SET NX PX` with a random token, renewed every third of the lease while the factory runs and released by
 * compare-and-delete. A dead holder's lease expires on its own. Waiters are woken by a bus message (the
 * value's key, or a release) and poll only as a fallback. The lease also fences the fill: a delete of the
 * key removes its lock, and pattern, tag and clear invalidations bump the cache's epoch, so a fill stores
 * only while both still hold (`fencedStore`).
 */
export class RedisKeyLock implements KeyLock {
  readonly #waiters = new Map<string, Set<(woken: boolean) => void>>();

  constructor(
    private readonly remote: RemoteTier,
    private readonly auxPrefix: string,
    private readonly sendWake: WakeWaiters | undefined,
  ) {}

  get wakesWaiters(): boolean {
    return this.sendWake !== undefined;
  }

  /** The Redis key of the invalidation epoch that fences fills against pattern, tag and clear invalidations. */
  get epochKey(): string {
    return `${this.auxPrefix}epoch`;
  }

  lockKey(key: string): string {
    return lockKeyOf(this.auxPrefix, key);
  }

  async tryAcquire(key: string, leaseMs: number, maxHoldMs: number): Promise<Lease | null | undefined> {
    const lockKey = this.lockKey(key);
    const token = randomBytes(16).toString('base64url');
    // The epoch is read before the factory starts: an invalidation after this read fences the fill out.
    // Sent for real only when the tier is connected (degraded, it answers at once without sending).
    const sent = this.remote.status === 'connected';
    const reply = await this.remote.attempt('lock', (c) =>
      Promise.all([c.set(lockKey, token, 'PX', leaseMs, 'NX'), c.get(this.epochKey)]),
    );
    if (reply === REJECTED) return undefined; // refused (an ACL, a wrong type): no lock was set
    if (reply === FAILED) {
      // The SET may still run when a frozen Redis resumes, leaving a lock nobody owns ("ghost lock").
      if (sent) this.#releaseWhenBack(lockKey, token);
      return undefined;
    }
    if (reply[0] !== 'OK') return null;
    return this.#lease(key, lockKey, token, reply[1] ?? '0', leaseMs, maxHoldMs);
  }

  async isHeld(key: string): Promise<boolean> {
    const count = await this.remote.run('lock', (c) => c.exists(this.lockKey(key)));
    return count !== FAILED && count > 0;
  }

  waitForRelease(key: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let waiters = this.#waiters.get(key);
      if (!waiters) this.#waiters.set(key, (waiters = new Set()));
      const done = (woken: boolean): void => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.#waiters.get(key) === waiters) this.#waiters.delete(key);
        resolve(woken);
      };
      const timer = setTimeout(() => done(false), ms);
      waiters.add(done);
    });
  }

  /** Releases our token when Redis returns (housekeeping the remote tier replays after an outage). */
  #releaseWhenBack(lockKey: string, token: string): void {
    this.remote.rememberTask(
      `unlock:${lockKey}:${token}`,
      (c) => RELEASE_SCRIPT.run(c, [lockKey], [token]),
      false,
    );
  }

  /** A message said `key` was written or its lock released: its waiters look again now. */
  wake(key: string): void {
    const waiters = this.#waiters.get(key);
    if (waiters) for (const done of [...waiters]) done(true);
  }

  /** Waiters in this process (bounded by the keys being waited on). */
  get waiting(): number {
    return this.#waiters.size;
  }

  /**
   * A held lock, renewed every third of a lease while ours, for at most `maxHoldMs`: a factory that hangs
   * lets its lease lapse then, and other instances take over.
   */
  #lease(
    key: string,
    lockKey: string,
    token: string,
    epoch: string,
    leaseMs: number,
    maxHoldMs: number,
  ): Lease {
    const holdUntil = performance.now() + maxHoldMs;
    const renewal = setInterval(
      () => {
        if (performance.now() >= holdUntil) return clearInterval(renewal);
        void this.remote
          .run('lock', (c) => RENEW_SCRIPT.run(c, [lockKey], [token, leaseMs]))
          .then((renewed) => renewed === 0 && clearInterval(renewal)) // lost (deleted or expired): stop
          .catch(() => undefined); // a strict cache's failure: the next renewal tries again
      },
      Math.max(50, Math.floor(leaseMs / 3)),
    );
    renewal.unref();
    return {
      token,
      epoch,
      release: async (wake) => {
        clearInterval(renewal);
        const released = await this.remote
          .run('unlock', (c) => RELEASE_SCRIPT.run(c, [lockKey], [token]))
          .catch(() => FAILED); // a strict cache throws
        // Redis was away: release it as soon as Redis is back, so no caller waits out a lease nobody holds.
        if (released === FAILED) this.#releaseWhenBack(lockKey, token);
        if (wake) this.sendWake?.(key);
      },
    };
  }
}

/**
 * Writes a fill only while its lease and the epoch it started under still hold, atomically (one script)
 * on a single Redis. KEYS: lock, epoch, value, tag sets. ARGV: token, epoch, payload, ttl ms, member.
 */
const FENCED_SET_SCRIPT = new LuaScript(`
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if (redis.call('GET', KEYS[2]) or '0') ~= ARGV[2] then return 0 end
local ms = tonumber(ARGV[4])
if ms > 0 then redis.call('SET', KEYS[3], ARGV[3], 'PX', ms) else redis.call('SET', KEYS[3], ARGV[3]) end
local prefix = string.sub(KEYS[3], 1, #KEYS[3] - #ARGV[5])
for i = 4, #KEYS do${tagAddLua('KEYS[i]', 'ARGV[5]', 'ms', 'prefix', 'true')}
end
return 1`);

/** One fill on its way to Redis through its lease. */
export interface FencedWrite {
  lockKey: string;
  epochKey: string;
  lease: Lease;
  key: string;
  redisKey: string;
  payload: Buffer | string;
  ttlMs: number;
  tagKeys: readonly string[];
}

/**
 * Stores a fill if its lease and epoch still hold; false when an invalidation overtook it. On a Cluster the
 * lock, the epoch and the value live in different slots, so the check and the write are two steps there
 * (a window of one round trip, documented in docs/resilience.md).
 */
export async function fencedStore(
  client: Redis,
  write: FencedWrite,
  storeUnfenced: () => Promise<void>,
  live: () => boolean = ALWAYS,
): Promise<boolean> {
  if (isCluster(client)) {
    const [holder, epoch] = await Promise.all([client.get(write.lockKey), client.get(write.epochKey)]);
    if (holder !== write.lease.token || (epoch ?? '0') !== write.lease.epoch) return false;
    // Past the caller's deadline the fill was reported failed: its value must not land now.
    if (!live()) return false;
    await storeUnfenced();
    return true;
  }
  const stored = await FENCED_SET_SCRIPT.run(
    client,
    [write.lockKey, write.epochKey, write.redisKey, ...write.tagKeys],
    [write.lease.token, write.lease.epoch, write.payload, write.ttlMs, write.key],
    live,
  );
  return stored === 1;
}
