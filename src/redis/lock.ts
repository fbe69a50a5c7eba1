import { randomBytes } from 'node:crypto';
import type { KeyLock, Lease } from '../core/get-or-set.js';
import { FAILED, type RemoteTier } from './remote-tier.js';

/** Deletes the lock only while it still holds our token (a lease that expired may belong to another). */
const RELEASE_SCRIPT = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

/**
 * Distributed single-flight for `getOrSet` (DESIGN §5): a lease lock per key, `SET NX PX` with a random
 * token, released by compare-and-delete. A holder that dies leaves a lease that expires on its own.
 */
export class RedisKeyLock implements KeyLock {
  constructor(
    private readonly remote: RemoteTier,
    private readonly auxPrefix: string,
  ) {}

  async tryAcquire(key: string, leaseMs: number): Promise<Lease | null | undefined> {
    const lockKey = this.#lockKey(key);
    const token = randomBytes(16).toString('base64url');
    const reply = await this.remote.run('lock', (c) => c.set(lockKey, token, 'PX', leaseMs, 'NX'));
    if (reply === FAILED) return undefined;
    if (reply !== 'OK') return null;
    return {
      release: async () => {
        await this.remote.run('unlock', (c) => c.eval(RELEASE_SCRIPT, 1, lockKey, token));
      },
    };
  }

  async isHeld(key: string): Promise<boolean> {
    const count = await this.remote.run('lock', (c) => c.exists(this.#lockKey(key)));
    return count !== FAILED && count > 0;
  }

  #lockKey(key: string): string {
    return `${this.auxPrefix}lock:${key}`;
  }
}
