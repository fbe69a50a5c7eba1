import type { Cluster, Redis } from 'ioredis';
import { LuaScript } from '../../redis/scripts.js';

/**
 * Adds a key to a partition's list in Redis: a sorted set scored by when it was added (the server's clock,
 * kept increasing even if that clock steps back), trimmed to the newest `limit`, and expiring with its
 * longest-lived entry. KEYS: list, last score. ARGV: key, limit, ttl ms.
 */
const ADD = new LuaScript(`
local now = redis.call('TIME')
local score = tonumber(now[1]) * 1000000 + tonumber(now[2])
local last = tonumber(redis.call('GET', KEYS[2]) or '0')
if score <= last then score = last + 1 end
redis.call('SET', KEYS[2], score)
redis.call('ZADD', KEYS[1], score, ARGV[1])
local extra = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if extra > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, extra - 1) end
local ttl = tonumber(ARGV[3])
for _, k in ipairs(KEYS) do
  if redis.call('PTTL', k) < ttl then redis.call('PEXPIRE', k, ttl) end
end
return score
`);

/** Keys added to a partition after a given score, and the score to ask from next time. */
export interface NewMembers {
  keys: string[];
  lastScore: number;
}

/**
 * The Redis side of the semantic index (docs/semantic-cache.md): which keys each partition holds, so that
 * every instance finds the requests any instance stored. The vectors travel inside the entries themselves;
 * this list only names them. It is a hint: a listed key whose entry is gone is a miss, never an answer.
 */
export class SharedIndex {
  constructor(
    private readonly client: Redis | Cluster,
    /** `__tiercache__:{keyPrefix}`: beside the cache's other bookkeeping, under its namespace. */
    private readonly auxPrefix: string,
    private readonly limit: number,
  ) {}

  /** Lists a key in its partition, after its entry was stored. */
  async add(partition: string, key: string, ttlMs: number): Promise<void> {
    const list = this.#list(partition);
    await ADD.run(
      this.client as Redis,
      [list, `${list}:last`],
      [key, this.limit, Math.max(1, Math.ceil(ttlMs))],
    );
  }

  /** The keys listed after `afterScore` (oldest first, at most `limit`). */
  async since(partition: string, afterScore: number): Promise<NewMembers> {
    const reply = await this.client.zrangebyscore(
      this.#list(partition),
      `(${afterScore}`,
      '+inf',
      'WITHSCORES',
      'LIMIT',
      0,
      this.limit,
    );
    const keys: string[] = [];
    let lastScore = afterScore;
    for (let i = 0; i + 1 < reply.length; i += 2) {
      keys.push(reply[i]!);
      lastScore = Math.max(lastScore, Number(reply[i + 1]));
    }
    return { keys, lastScore };
  }

  /** Drops keys found gone (fire and forget: a stale listing costs one more miss, nothing else). */
  forget(partition: string, keys: string[]): void {
    if (keys.length > 0) this.client.zrem(this.#list(partition), ...keys).catch(() => undefined);
  }

  /** The hash tag keeps a partition's two keys in one Cluster slot. */
  #list(partition: string): string {
    return `${this.auxPrefix}semantic:{${partition}}`;
  }
}
