import type { CacheEventEmitter } from '../core/events.js';
import { hrtimeMs } from '../core/options.js';
import { assertPattern, escapeGlob, toRedisMatch } from '../core/pattern.js';
import type { BusMessage } from './bus.js';
import { assertTags } from '../core/write-plan.js';
import type { MemoryStore } from '../memory/memory-store.js';
import type { InvalidationBus } from './bus.js';
import { countKeys, scanAndUnlink } from './invalidation.js';
import { FAILED, type RemoteTier } from './remote-tier.js';
import { unlinkTagged } from './tags.js';

/**
 * Invalidation of a two-tier cache: Redis first (SCAN + UNLINK inside the prefix, or the tags' sets), then
 * L1, then the bus so peers drop their L1 copies. What cannot reach Redis is replayed when it returns.
 * Each one first bumps the fill epoch in Redis and revokes this process's running fills, so a `getOrSet`
 * factory that started before it cannot store its result after it (docs/resilience.md, "Fenced fills").
 */
export class RedisInvalidator {
  constructor(
    private readonly remote: RemoteTier,
    private readonly l1: MemoryStore | undefined,
    private readonly events: CacheEventEmitter,
    private readonly keyPrefix: string,
    private readonly auxPrefix: string,
    private readonly bus: InvalidationBus | undefined,
    /** Fences this process's fills and reads in flight (RedisFills.revoke). */
    private readonly revoke: (change: BusMessage) => void,
    private readonly epochKey: string,
    /** Sends after the writes called before (TierIO.inOrder): a large set cannot land after a clear. */
    private readonly inOrder: <T>(send: () => Promise<T>) => Promise<T> = (send) => send(),
    /** Fences the reads in flight again once the change has landed (TierIO.revokeReads). */
    private readonly landed: (change: BusMessage) => void = () => undefined,
  ) {}

  async clear(): Promise<void> {
    const started = hrtimeMs();
    const match = `${escapeGlob(this.keyPrefix)}*`;
    const tagSets = `${escapeGlob(this.auxPrefix)}tag:*`;
    this.revoke({ clear: true });
    const removed = await this.inOrder(() =>
      this.remote.run('clear', async (c) => {
        await c.incr(this.epochKey);
        await scanAndUnlink(c, tagSets);
        return scanAndUnlink(c, match);
      }),
    );
    if (removed === FAILED) {
      this.remote.rememberMatch(tagSets);
      this.remote.rememberMatch(match);
    }
    this.landed({ clear: true });
    const l1Entries = this.l1?.deleteMatching('') ?? 0;
    this.bus?.publish({ clear: true });
    this.events.invalidation(
      'clear',
      '',
      removed === FAILED ? l1Entries : Math.max(removed, l1Entries),
      started,
    );
  }

  async invalidatePattern(pattern: string, operationContext: string | undefined): Promise<number> {
    assertPattern(pattern);
    const started = hrtimeMs();
    const match = toRedisMatch(this.keyPrefix, pattern);
    this.revoke({ pattern });
    const removed = await this.inOrder(() =>
      this.remote.run('invalidatePattern', async (c) => {
        await c.incr(this.epochKey);
        return scanAndUnlink(c, match);
      }),
    );
    if (removed === FAILED) this.remote.rememberMatch(match);
    // L1 after Redis, so a concurrent read cannot re-promote a value Redis still had.
    this.landed({ pattern });
    const l1Removed = this.l1?.deleteMatching(pattern) ?? 0;
    this.bus?.publish({ pattern });
    const keysInvalidated = removed === FAILED ? l1Removed : Math.max(removed, l1Removed);
    this.events.invalidation('pattern', pattern, keysInvalidated, started, operationContext);
    return keysInvalidated;
  }

  async invalidateTags(tags: string[]): Promise<number> {
    if (assertTags(tags) === undefined) return 0;
    const started = hrtimeMs();
    const unlink = (c: Parameters<Parameters<RemoteTier['run']>[1]>[0]): Promise<string[]> =>
      unlinkTagged(c, this.auxPrefix, this.keyPrefix, tags);
    this.revoke({ tags });
    const removed = await this.inOrder(() =>
      this.remote.run('invalidateTags', async (c) => {
        await c.incr(this.epochKey);
        return unlink(c);
      }),
    );
    if (removed === FAILED) for (const tag of tags) this.remote.rememberTask(`tag:${tag}`, unlink);
    // L1 drops what Redis removed, plus what it tagged itself (all it can know while Redis is away).
    this.landed({ tags });
    let l1Removed = this.l1?.deleteTagged(tags) ?? 0;
    if (removed !== FAILED) for (const key of removed) if (this.l1?.delete(key)) l1Removed++;
    const keysInvalidated = removed === FAILED ? l1Removed : removed.length;
    // Peers drop the keys from L1 and fence their fills tagged so (a fill's key is not in Redis yet).
    this.bus?.publish({ keys: removed === FAILED ? [] : removed, tags });
    this.events.invalidation('tags', tags.join(','), keysInvalidated, started);
    return keysInvalidated;
  }

  /** Keys matching the pattern (SPEC §9 semantics), read with SCAN in batches; L1's while Redis is away. */
  async *scanKeys(pattern: string): AsyncGenerator<string> {
    assertPattern(pattern);
    if (!this.remote.reachable) {
      if (this.l1) yield* this.l1.keys(pattern);
      return;
    }
    const match = toRedisMatch(this.keyPrefix, pattern);
    let cursor = '0';
    do {
      const page = await this.remote.run('scanKeys', (c) => c.scan(cursor, 'MATCH', match, 'COUNT', 500));
      if (page === FAILED) return;
      cursor = page[0];
      for (const key of page[1]) yield key.slice(this.keyPrefix.length);
    } while (cursor !== '0');
  }

  /** How many keys match the pattern in Redis (in L1 while Redis is away): an invalidation's dry run. */
  async countMatching(pattern: string): Promise<number> {
    assertPattern(pattern);
    const counted = await this.remote.run('countMatching', (c) =>
      countKeys(c, toRedisMatch(this.keyPrefix, pattern)),
    );
    return counted === FAILED ? (this.l1?.keys(pattern).length ?? 0) : counted;
  }
}
