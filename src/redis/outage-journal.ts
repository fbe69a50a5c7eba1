import type { Redis } from 'ioredis';
import type { Logger } from '../core/logger.js';
import { isRejection } from './failures.js';
import { scanAndUnlink } from './invalidation.js';
import { unlinkKeys } from './slots.js';

/** Keys touched while degraded are remembered up to this many; beyond it a warning says coherence is lost. */
const MAX_PENDING_KEYS = 10_000;
/** Housekeeping tasks (ghost-lock releases) remembered at most; their leases expire on their own. */
const MAX_PENDING_HOUSEKEEPING = 1000;

/**
 * What changed while Redis was away (docs/resilience.md, "No stale resurrection"): keys written or
 * deleted, patterns and tags invalidated, and housekeeping such as ghost-lock releases. When Redis is back
 * they are replayed on it (the keys removed), so a value replaced or deleted meanwhile cannot resurface.
 */
export class OutageJournal {
  readonly #keys = new Set<string>();
  readonly #matches = new Set<string>();
  readonly #tasks = new Map<string, (client: Redis) => Promise<unknown>>();
  #overflow = false;
  /** Something was written or invalidated while Redis was away (peers never heard of it). */
  #changed = false;

  constructor(private readonly logger: Logger) {}

  /** A key whose Redis copy may be stale because a write or delete could not reach Redis. */
  rememberKey(redisKey: string): void {
    this.#changed = true;
    if (this.#keys.size >= MAX_PENDING_KEYS) this.#overflow = true;
    else this.#keys.add(redisKey);
  }

  /** An invalidation (a SCAN MATCH pattern) that could not reach Redis. */
  rememberMatch(match: string): void {
    this.#changed = true;
    this.#matches.add(match);
  }

  /** Work to run on Redis when it returns, one per `id`; `changesData` false: housekeeping peers need not hear of. */
  rememberTask(id: string, task: (client: Redis) => Promise<unknown>, changesData: boolean): void {
    if (changesData) this.#changed = true;
    else if (this.#tasks.size >= MAX_PENDING_HOUSEKEEPING) return; // what it cleans up expires anyway
    this.#tasks.set(id, task);
  }

  /** Entries waiting for Redis. */
  get size(): number {
    return this.#keys.size + this.#matches.size + this.#tasks.size;
  }

  /** Whether data changed since the last call (and forgets it). */
  takeChanged(): boolean {
    const changed = this.#changed;
    this.#changed = false;
    return changed;
  }

  /**
   * One pass over what is pending now; false when Redis failed again meanwhile. A reply error drops that
   * one item: a command Redis refuses (an ACL, a wrong type) would be refused forever and must not block
   * recovery.
   */
  async replay(client: Redis): Promise<boolean> {
    if (this.#overflow) {
      this.#overflow = false;
      this.logger.warn(
        { limit: MAX_PENDING_KEYS },
        'more keys changed during the redis outage than tracked; some redis values may be older than L1',
      );
    }
    try {
      const keys = [...this.#keys];
      for (let i = 0; i < keys.length; i += 500) {
        const batch = keys.slice(i, i + 500);
        await this.#item('unlink', () => unlinkKeys(client, batch));
        for (const key of batch) this.#keys.delete(key);
      }
      for (const match of [...this.#matches]) {
        await this.#item('pattern', () => scanAndUnlink(client, match));
        this.#matches.delete(match);
      }
      for (const [id, task] of [...this.#tasks]) {
        await this.#item(id, () => task(client));
        // Only this task: the same id may have been remembered again meanwhile.
        if (this.#tasks.get(id) === task) this.#tasks.delete(id);
      }
      return true;
    } catch (error) {
      this.logger.debug(
        { err: (error as Error).message },
        'replaying invalidations after reconnect failed; will retry',
      );
      return false;
    }
  }

  /** One replayed item: a reply error drops it (logged); anything else ends this replay attempt. */
  async #item(what: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (error) {
      if (!(error instanceof Error) || !isRejection(error)) throw error;
      this.logger.warn({ err: error.message, what }, 'redis refused a replayed invalidation; dropped');
    }
  }
}
