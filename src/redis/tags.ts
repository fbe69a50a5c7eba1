import type { Redis } from 'ioredis';
import { isCluster } from './connection.js';

/**
 * Tags live in Redis as one set per tag (`{auxPrefix}tag:{tag}`) holding the keys written with it. Sets
 * make `invalidateTags` exact and keep reads free of tag checks (the alternative, lazy tag versions,
 * costs every read a lookup). They stay bounded by the live keys: each add also checks a few random
 * members and drops those whose keys are gone (expired or deleted), so dead members are pruned at the
 * rate new ones arrive (docs/resilience.md, "Tags"). A set lives as long as its longest-lived member.
 * ARGV: member, ttl ms, key prefix, prune (1, or 0 on a Cluster, where a script cannot reach the keys).
 */
/** Members checked for pruning on each add (declared before the script that uses it). */
const PRUNE_SAMPLE = 3;

export const TAG_ADD_SCRIPT = `${tagAddLua('KEYS[1]', 'ARGV[1]', 'tonumber(ARGV[2])', 'ARGV[3]', "ARGV[4] == '1'")}
return 1`;

/**
 * Lua that adds `member` to the tag set `setKey`, prunes up to three random members whose keys (under
 * `prefix`) no longer exist when `prune` holds, and stretches the set's expiry to `ms` (never shortens it;
 * `0` = no expiry). Shared by the tag script and the fenced fill script.
 */
export function tagAddLua(setKey: string, member: string, ms: string, prefix: string, prune: string): string {
  return `
local before = redis.call('PTTL', ${setKey})
redis.call('SADD', ${setKey}, ${member})
if ${prune} then
  for _, m in ipairs(redis.call('SRANDMEMBER', ${setKey}, ${PRUNE_SAMPLE})) do
    if redis.call('EXISTS', ${prefix} .. m) == 0 then redis.call('SREM', ${setKey}, m) end
  end
end
local tagMs = ${ms}
if tagMs == 0 then
  redis.call('PERSIST', ${setKey})
elseif before == -2 or (before >= 0 and tagMs > before) then
  redis.call('PEXPIRE', ${setKey}, tagMs)
end`;
}

const BATCH = 1000;

/** The Redis key of a tag's set. */
export function tagKey(auxPrefix: string, tag: string): string {
  return `${auxPrefix}tag:${tag}`;
}

/**
 * Removes every key of the tags' sets: per SSCAN page, the members leave the set first, then their keys
 * are unlinked. In that order a key re-tagged in between loses its new value (a miss), never its
 * membership (a value a later invalidation would miss); an emptied set disappears by itself. Idempotent, so it can be
 * replayed after a timeout that Redis may or may not have executed. Returns the keys (without prefix)
 * that were removed from Redis.
 */
export async function unlinkTagged(
  client: Redis,
  auxPrefix: string,
  keyPrefix: string,
  tags: readonly string[],
): Promise<string[]> {
  const removed: string[] = [];
  for (const tag of tags) {
    const setKey = tagKey(auxPrefix, tag);
    let cursor = '0';
    do {
      const [next, members] = await client.sscan(setKey, cursor, 'COUNT', BATCH);
      cursor = next;
      if (members.length === 0) continue;
      await client.srem(setKey, ...members);
      const counts = await unlinkEach(
        client,
        members.map((member) => keyPrefix + member),
      );
      counts.forEach((count, i) => count > 0 && removed.push(members[i] as string));
    } while (cursor !== '0');
  }
  return removed;
}

/** UNLINK key by key (to learn which existed): one pipeline, or key by key on a cluster (keys span slots). */
async function unlinkEach(client: Redis, keys: string[]): Promise<number[]> {
  if (isCluster(client)) return Promise.all(keys.map((key) => client.unlink(key)));
  const pipeline = client.pipeline();
  for (const key of keys) pipeline.unlink(key);
  return ((await pipeline.exec()) ?? []).map(([error, count]) => {
    if (error) throw error;
    return count as number;
  });
}
