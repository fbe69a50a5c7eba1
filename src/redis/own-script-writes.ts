/** How many keys may wait for their own invalidation at once; past it the oldest are forgotten. */
export const OWN_SCRIPT_WRITES_LIMIT = 10_000;

/**
 * Keys this instance wrote through a Lua script (a `getOrSet` fill's fenced store) whose invalidation
 * has not come back yet. Redis applies client tracking's NOLOOP to a client's own commands but not to
 * what its scripts write, so such a write comes back as an invalidation and evicts the fill from this
 * instance's L1. Telling it apart from someone else's write to the same key is impossible (in broadcast
 * mode Redis sends a key once per event-loop turn, naming only its last writer), so the key is never
 * kept: it is evicted like any other, then read again from Redis, an ordinary fenced read that can only
 * bring back what Redis holds now. This record only says which evictions deserve that read.
 *
 * Bounded: a message that never comes (a lost connection clears L1 and this record anyway) leaves an
 * entry behind until newer ones push it out; a forgotten entry costs one L1 miss, never a wrong value.
 */
export class OwnScriptWrites {
  readonly #pending = new Map<string, number>();

  constructor(private readonly limit = OWN_SCRIPT_WRITES_LIMIT) {}

  get size(): number {
    return this.#pending.size;
  }

  /** A script is about to write `key`. */
  expect(key: string): void {
    const count = this.#pending.get(key) ?? 0;
    this.#pending.delete(key); // re-inserted last: the Map's order is the eviction order
    this.#pending.set(key, count + 1);
    if (this.#pending.size > this.limit) {
      const oldest = this.#pending.keys().next().value as string;
      this.#pending.delete(oldest);
    }
  }

  /** The script did not write after all (it was fenced out): no invalidation will come for it. */
  cancel(key: string): void {
    this.#take(key);
  }

  /** An invalidation of `key` arrived: true when it may be this instance's own script write. */
  take(key: string): boolean {
    return this.#take(key);
  }

  clear(): void {
    this.#pending.clear();
  }

  #take(key: string): boolean {
    const count = this.#pending.get(key);
    if (count === undefined) return false;
    if (count > 1) this.#pending.set(key, count - 1);
    else this.#pending.delete(key);
    return true;
  }
}
